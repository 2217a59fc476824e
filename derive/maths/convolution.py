"""The gradients of a convolution as whole maps, from the per-weight sums: the kernel's gradient is the
correlation of the (padded) input with the delta map, the input's gradient the full convolution of the
delta map (stride - 1 zeros between its entries) with the kernel flipped in both directions. Each map
is computed here from those formulas and checked, entry by entry at the working precision, against the
sums over the uses that the derivation found: the notes show both and say that they agree.

Grids are nested lists [row][column] of reals, one per channel pair where channels matter.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sympy import Symbol

import derive.maths.wired as wired
from derive.maths.derivation import InconsistentDerivation, Pass, agree
from derive.maths.numeric import settled_difference
from derive.model.precision import CTX, Real
from derive.model.wiring import ConvPlan, PoolNeuron, PoolPlan

Grid = list[list[Real]]


@dataclass(frozen=True)
class ConvMaps:
    """One sample's maps of a convolution layer, for its output channel `o` and input channel `i`."""

    source: list[Grid]  # [input channel] the map the kernel slides over (padding included, as zeros)
    kernel: list[list[Grid]]  # [o][i]
    deltas: list[Grid]  # [o] dE/dnet of every output entry
    kernel_gradient: list[list[Grid]]  # [o][i] the correlation of the source with the delta map
    spread: list[Grid]  # [o] the delta map with stride - 1 zeros between its entries, padded by kernel - 1
    source_gradient: list[Grid]  # [i] the full convolution with the flipped kernel, the padding cropped


def _grid(symbols: Any, values: Any) -> Grid:
    return [[values[s] for s in row] for row in symbols]


def _padded(plan: ConvPlan, values: Any) -> list[Grid]:
    """The input maps with their zero padding."""
    pr, pc = plan.spec.padding
    found = []
    for channel in plan.source:
        rows = [[CTX.zero] * pc + [values[s] for _, s in row] + [CTX.zero] * pc for row in channel]
        blank = [CTX.zero] * (len(rows[0]) if rows else 0)
        found.append([list(blank) for _ in range(pr)] + rows + [list(blank) for _ in range(pr)])
    return found


def correlate(image: Grid, kernel: Grid, stride: tuple[int, int], rows: int, cols: int) -> Grid:
    """out[r][s] = sum over a, b of image[r * stride + a][s * stride + b] * kernel[a][b]."""
    return [[CTX.fsum(image[r * stride[0] + a][s * stride[1] + b] * kernel[a][b]
                      for a in range(len(kernel)) for b in range(len(kernel[0])))
             for s in range(cols)] for r in range(rows)]


def flipped(kernel: Grid) -> Grid:
    """The kernel turned half a turn: rows and columns reversed."""
    return [list(reversed(row)) for row in reversed(kernel)]


def spread(deltas: Grid, stride: tuple[int, int], kernel: tuple[int, int]) -> Grid:
    """The delta map with stride - 1 zeros between its entries and kernel - 1 zeros around it."""
    rows, cols = (len(deltas) - 1) * stride[0] + 1, (len(deltas[0]) - 1) * stride[1] + 1
    inner = [[CTX.zero] * cols for _ in range(rows)]
    for r, row in enumerate(deltas):
        for s, value in enumerate(row):
            inner[r * stride[0]][s * stride[1]] = value
    pr, pc = kernel[0] - 1, kernel[1] - 1
    width = cols + 2 * pc
    return ([[CTX.zero] * width for _ in range(pr)] + [[CTX.zero] * pc + row + [CTX.zero] * pc for row in inner]
            + [[CTX.zero] * width for _ in range(pr)])


def conv_maps(plan: ConvPlan, p: Pass) -> ConvMaps:
    """The maps of `plan` in pass `p`, the whole-map gradients computed from the correlation formulas."""
    values = p.values
    source = _padded(plan, values)
    kernel = [[_grid([[w.symbol for w in row] for row in channel], values) for channel in k] for k in plan.kernel]
    deltas = [_grid([[n.delta for n in row] for row in channel], values) for channel in plan.neurons]
    kh, kw = plan.spec.kernel
    stride = plan.spec.stride
    gradient = [[_strided(image, d, stride, kh, kw) for image in source] for d in deltas]
    spreads = [spread(d, stride, plan.spec.kernel) for d in deltas]
    pr, pc = plan.spec.padding
    height, width = len(plan.source[0]), len(plan.source[0][0])
    full = []
    for i in range(len(source)):
        total = None
        for o, s in enumerate(spreads):
            part = correlate(s, flipped(kernel[o][i]), (1, 1), len(s) - kh + 1, len(s[0]) - kw + 1)
            total = part if total is None else [[a + b for a, b in zip(x, y)] for x, y in zip(total, part)]
        full.append(_cropped(total or [], height, width, pr, pc))
    return ConvMaps(source, kernel, deltas, gradient, spreads, full)


def _strided(image: Grid, deltas: Grid, stride: tuple[int, int], kh: int, kw: int) -> Grid:
    """dE/dk[a][b] = sum over r, s of delta[r][s] * image[r * stride + a][s * stride + b]."""
    return [[CTX.fsum(deltas[r][s] * image[r * stride[0] + a][s * stride[1] + b]
                      for r in range(len(deltas)) for s in range(len(deltas[0])))
             for b in range(kw)] for a in range(kh)]


def _cropped(full: Grid, height: int, width: int, pr: int, pc: int) -> Grid:
    """The padded input's gradient without the padding; rows or columns no window reached are 0."""
    return [[full[r + pr][c + pc] if r + pr < len(full) and c + pc < len(full[0]) else CTX.zero
             for c in range(width)] for r in range(height)]


def check_conv(plan: ConvPlan, p: Pass, maps: ConvMaps, source_errors: dict[Symbol, Real]) -> None:
    """The whole-map gradients equal the per-weight sums (the kernel's) and the per-entry sums (the input's)."""
    by_param = {g.param.name: g.value for g in p.gradients}
    for o, kernel in enumerate(plan.kernel):
        for i, channel in enumerate(kernel):
            for a, row in enumerate(channel):
                for b, w in enumerate(row):
                    _agree(maps.kernel_gradient[o][i][a][b], by_param[w.name], f"dE/d{w.name} as a correlation")
    for i, channel in enumerate(plan.source):
        for r, row in enumerate(channel):
            for c, (name, symbol) in enumerate(row):
                _agree(maps.source_gradient[i][r][c], source_errors[symbol], f"dE/d{name} as a full convolution")


def _agree(a: Real, b: Real, what: str) -> None:
    if not agree(a, b):
        raise InconsistentDerivation(f"{what}: {a} != {b}")


@dataclass(frozen=True)
class Window:
    """One pooled entry: its window's entries (name, value), the one its gradient goes to, and ties."""

    neuron: PoolNeuron
    entries: tuple[tuple[str, Real], ...]
    chosen: int  # the entry the max routes to (the mean: -1, every entry)
    tied: tuple[int, ...]  # the entries equal to the max besides the chosen one


def windows(plan: PoolPlan, p: Pass) -> list[Window]:
    """Every pooled entry's window in pass `p`, in reading order."""
    found = []
    for n in (n for channel in plan.neurons for row in channel for n in row):
        entries = tuple((name, p.values[s]) for name, s in n.window)
        if n.mode != "max":
            found.append(Window(n, entries, -1, ()))
            continue
        values = [v for _, v in entries]
        chosen = wired.winner(values)
        tied = tuple(j for j, v in enumerate(values) if j != chosen and settled_difference(v, values[chosen]) == 0)
        found.append(Window(n, entries, chosen, tied))
    return found
