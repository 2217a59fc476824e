"""Training with the generated vector code: the error at log-spaced steps, and the loss curve."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from tqdm import tqdm

from derive.code import codegen, verify
from derive.maths.derivation import Derivation

PLOT_FORMATS = ("png", "svg")
PROGRESS_FROM = 2_000  # updates from which a progress bar is shown


def log_steps(total: int) -> list[int]:
    """1, 2, 5, 10, 20, 50, ... up to `total`, and `total` itself."""
    marks, scale = [], 1
    while scale <= total:
        marks += [m * scale for m in (1, 2, 5) if m * scale <= total]
        scale *= 10
    return sorted(set(marks) | {total})


def train(d: Derivation, total: int, progress: bool = True) -> list[tuple[int, float]]:
    """The dataset error before training and after each log-spaced number of updates."""
    module = verify.load(codegen.generate(d, "vector"))
    params = module.initial_params()
    marks = set(log_steps(total))
    curve = [(0, module.loss(params, module.INPUTS, module.TARGETS))]
    bar = tqdm(total=total, disable=not progress or total < PROGRESS_FROM, unit="update", leave=False)

    def report(number: int, params: dict) -> None:
        bar.update()
        if number in marks:
            curve.append((number, module.loss(params, module.INPUTS, module.TARGETS)))

    # the module's own loop, which carries the optimizer's state from update to update
    module.train(params, total, report)
    bar.close()
    return curve


def plot(curve: list[tuple[int, float]], path: Path, title: str, write: Callable[[Path, bytes], None]) -> None:
    """The loss curve on log-log axes, as PNG or SVG by the file's extension."""
    import io

    import matplotlib  # imported here: only --plot pays for matplotlib's start-up

    matplotlib.use("Agg")
    from matplotlib import pyplot as plt

    fig, ax = plt.subplots(figsize=(6, 4), dpi=100)
    steps = [max(s, 1) for s, _ in curve[1:]]
    ax.loglog(steps, [e for _, e in curve[1:]], marker="o")
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
