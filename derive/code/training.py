"""Training with the generated vector code: the error at log-spaced steps, and the loss curve."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from tqdm import tqdm

from derive.code.dataset import Rows

PLOT_FORMATS = ("png", "svg")
PROGRESS_FROM = 2_000  # updates from which a progress bar is shown


def log_steps(total: int) -> list[int]:
    """1, 2, 5, 10, 20, 50, ... up to `total`, and `total` itself."""
    marks, scale = [], 1
    while scale <= total:
        marks += [m * scale for m in (1, 2, 5) if m * scale <= total]
        scale *= 10
    return sorted(set(marks) | {total})


@dataclass(frozen=True)
class Run:
    """The dataset error before training and after each log-spaced number of updates; when training
    diverged, the curve ends at the first update after which the error or a parameter is not finite."""

    curve: list[tuple[int, float]]
    diverged: int | None = None


@dataclass(frozen=True)
class Schedule:
    """`total` updates, each learning from the next `batch` rows (wrapping around past the last); the
    error over every row, summed or averaged (`mean`) as the spec's reduction says."""

    total: int
    batch: int
    mean: bool


def train(module: Any, rows: Rows, schedule: Schedule, progress: bool = True) -> Run:
    """Train the generated vector `module` on `rows` as `schedule` says, stopping where it diverges."""
    params = module.initial_params()
    total = schedule.total
    marks = set(log_steps(total))
    with np.errstate(all="ignore"):  # overflow is reported as divergence, not as warnings
        updates = _Updates(module, params, rows, schedule)
        curve = [(0, updates.error(params))]
        if not math.isfinite(curve[0][1]):
            return Run(curve, 0)
        good = (0, params)
        bar = tqdm(total=total, disable=not progress or total < PROGRESS_FROM, unit="update", leave=False)
        for number in range(1, total + 1):
            params = updates.step(params, number)
            bar.update()
            if number in marks or not _finite(params):
                value = updates.error(params)
                if not (math.isfinite(value) and _finite(params)):
                    bar.close()
                    return _diverged(updates, curve, *good, number)
                curve.append((number, value))
                good = (number, params)
                updates.keep(number)
        bar.close()
    return Run(curve)


class _Updates:
    """The generated module's updates on the rows, carrying its optimizer's state where it keeps one."""

    def __init__(self, module: Any, params: dict[str, Any], rows: Rows, schedule: Schedule) -> None:
        self.module, self.rows, self.schedule = module, rows, schedule
        self.state = module.initial_state(params) if hasattr(module, "initial_state") else None
        self.kept = (0, self.state)  # the state at the last finite report, to replay from

    def error(self, params: dict[str, Any]) -> float:
        """E_total over every row, a chunk of rows at a time."""
        total = sum(float(np.sum(self.module.sample_errors(params, x, y))) for x, y in self.rows.chunks())
        return total / self.rows.count if self.schedule.mean else total

    def step(self, params: dict[str, Any], number: int) -> dict[str, Any]:
        batch = self.schedule.batch
        x, y = self.rows.take((number - 1) * batch % self.rows.count, batch)
        if self.state is None:
            return self.module.step(params, x, y)
        params, self.state = self.module.step(params, x, y, self.state)
        return params

    def keep(self, number: int) -> None:
        self.kept = (number, self.state)

    def restore(self, number: int) -> None:
        """Back to the state after update `number`, the last one kept."""
        self.state = self.kept[1]


def _finite(params: dict[str, Any]) -> bool:
    return all(np.all(np.isfinite(v)) for v in params.values())


def _diverged(updates: _Updates, curve: list[tuple[int, float]], start: int, params: dict[str, Any],
              end: int) -> Run:
    """Replay from the last finite report (update `start`, at `params`) to the first update up to `end`
    whose error or parameters are not finite, and end the curve there."""
    updates.restore(start)
    for number in range(start + 1, end + 1):
        params = updates.step(params, number)
        value = updates.error(params)
        if not (math.isfinite(value) and _finite(params)):
            return Run([*curve, (number, value)], number)
    return Run([*curve, (end, math.nan)], end)  # the same code, the same numbers: not reached


def log_scaled(curve: list[tuple[int, float]]) -> bool:
    """Whether the errors after updates can go on a log axis: finite ones, all positive, not all one value."""
    after = [e for n, e in curve if n >= 1 and math.isfinite(e)]
    finite = [e for _, e in curve if math.isfinite(e)]
    return bool(after) and all(e > 0 for e in after) and len(set(finite)) > 1


def plot(curve: list[tuple[int, float]], path: Path, title: str, write: Callable[[Path, bytes], None]) -> None:
    """The loss curve on log-log axes (a linear error axis when `log_scaled` says no), as PNG or SVG by
    the file's extension; errors that are not finite are left out."""
    import io

    import matplotlib  # imported here: only --plot pays for matplotlib's start-up

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    points = [(max(n, 1), e) for n, e in curve[1:] if math.isfinite(e)]
    draw = ax.loglog if log_scaled(curve) else ax.semilogx
    draw([n for n, _ in points], [e for _, e in points], marker="o")
    ax.set_xlabel("updates")
    ax.set_ylabel("error")
    ax.set_title(title)
    ax.grid(True, which="both", alpha=0.3)
    fig.tight_layout()
    buffer = io.BytesIO()
    fmt = path.suffix.lstrip(".").lower()
    # No date in the metadata and fixed SVG ids: the same run gives the same bytes.
    metadata = {"Date": None} if fmt == "svg" else {"Software": None}
    with matplotlib.rc_context({"svg.hashsalt": "derive"}):
        fig.savefig(buffer, format=fmt, metadata=metadata)
    plt.close(fig)
    write(path, buffer.getvalue())
