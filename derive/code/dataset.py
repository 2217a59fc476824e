"""The rows `derive train` learns from: the spec's samples, or a CSV or .npy file of many (a data set).

A file is read in chunks of CHUNK rows and kept in the smallest type that holds its numbers exactly
(MNIST's bytes of pixels as uint8: 55 MB for 70,000 rows of 784), a .npy file mapped from the disk
rather than read; each batch becomes float64 as an update takes it. Every problem is one line naming
the file and the line (or row and column): `DataError`.

Columns: the inputs, then the targets; or, with a label column (`label = "first"` or `"last"`), the
class index 0 .. outputs-1 there and the inputs in the others, the targets being its one-hot vector.
A CSV's first line is a header when none of its fields is a number.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from derive.model.data import DataSpec
from derive.model.identifiers import escaped
from derive.model.network import Network

CHUNK = 4096  # rows read, checked or evaluated at a time
# Exact types tried in turn for a chunk of numbers: the first that holds every one of them.
COMPACT: tuple[type[np.generic], ...] = (np.uint8, np.int16, np.int32, np.float32)


class DataError(ValueError):
    """A data file that cannot be trained on: one line, naming the file and where."""


@dataclass(frozen=True)
class Rows:
    """Every row's inputs (scaled by `scale` as a batch is taken) and targets, or class labels."""

    inputs: np.ndarray
    targets: np.ndarray  # (rows, outputs), or (rows,) class indices when `outputs` is set
    scale: float = 1.0
    outputs: int | None = None  # the one-hot width of label targets

    @property
    def count(self) -> int:
        return len(self.inputs)

    def take(self, start: int, size: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows start .. start+size-1, wrapping past the last to the first, as float64 arrays."""
        if size >= self.count and start == 0:
            return self._float(self.inputs, self.targets)
        wraps = start + size > self.count
        index = np.arange(start, start + size) % self.count if wraps else slice(start, start + size)
        return self._float(self.inputs[index], self.targets[index])

    def chunks(self) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """Every row, CHUNK at a time, as float64 arrays (for the error over the whole data)."""
        for start in range(0, self.count, CHUNK):
            yield self.take(start, min(CHUNK, self.count - start))

    def _float(self, x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x = np.asarray(x, dtype=np.float64)
        if self.scale != 1.0:
            x = x * self.scale
        if self.outputs is None:
            return x, np.asarray(y, dtype=np.float64)
        hot = np.zeros((len(y), self.outputs))
        hot[np.arange(len(y)), np.asarray(y, dtype=np.intp)] = 1.0
        return x, hot


def spec_rows(module: object) -> Rows:
    """The spec's own samples, as the generated module holds them."""
    return Rows(module.INPUTS, module.TARGETS)  # type: ignore[attr-defined]


def read(network: Network, table: DataSpec, path: Path) -> Rows:
    """The rows of the file at `path` for `network`, laid out as `table` says."""
    layout = _Layout(len(network.inputs), len(network.outputs), table.label, network.loss.name)
    shown = escaped(str(path))
    if not path.is_file():
        raise DataError(f"{shown}: no such file" if not path.exists() else f"{shown}: not a regular file")
    try:
        inputs, targets = (_npy if path.suffix.lower() == ".npy" else _csv)(path, layout, shown)
    except OSError as exc:
        raise DataError(f"{shown}: cannot be read ({exc.strerror or exc})") from None
    return Rows(inputs, targets, float(table.scale), layout.outputs if layout.label != "none" else None)


@dataclass(frozen=True)
class _Layout:
    inputs: int
    outputs: int
    label: str
    loss: str

    @property
    def columns(self) -> int:
        return self.inputs + (1 if self.label != "none" else self.outputs)

    def split(self, block: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        if self.label == "first":
            return block[:, 1:], block[:, 0]
        if self.label == "last":
            return block[:, :-1], block[:, -1]
        return block[:, :self.inputs], block[:, self.inputs:]

    def check(self, block: np.ndarray, where: _Where) -> None:
        """Finite numbers; a class index among the outputs; cross-entropy's targets within 0 and 1."""
        bad = ~np.isfinite(block)
        if bad.any():
            row, col = np.argwhere(bad)[0]
            raise where.error(row, col, f"{float(block[row, col]):g} is not a finite number")
        targets = self.split(block)[1]
        if self.label != "none":
            wrong = (targets != np.round(targets)) | (targets < 0) | (targets >= self.outputs)
            if wrong.any():
                row = int(np.argmax(wrong))
                column = 0 if self.label == "first" else self.inputs
                raise where.error(row, column, f"the label {float(targets[row]):g} is not a class 0 to "
                                  f"{self.outputs - 1} of the {self.outputs} outputs")
        elif self.loss in ("cross_entropy", "binary_cross_entropy"):
            wrong = (targets < 0) | (targets > 1)
            if wrong.any():
                row, col = np.argwhere(wrong)[0]
                raise where.error(row, self.inputs + col, "a cross-entropy target must lie within 0 and 1")


@dataclass(frozen=True)
class _Where:
    """How a chunk's row and column are named in a message: a CSV's line numbers, a .npy's rows."""

    shown: str
    lines: tuple[int, ...] | None  # a CSV chunk's line numbers; None for a .npy file
    first_row: int = 0

    def error(self, row: int, column: int, message: str) -> DataError:
        place = f"line {self.lines[row]}" if self.lines is not None else f"row {self.first_row + row + 1}"
        return DataError(f"{self.shown}: {place}, column {column + 1}: {message}")


def _compact(block: np.ndarray) -> np.ndarray:
    """`block` in the first of COMPACT that holds each of its numbers exactly, else float64."""
    for kind in COMPACT:
        if np.issubdtype(kind, np.integer):
            info = np.iinfo(kind)  # type: ignore[type-var]
            fits = block.size == 0 or (block.min() >= info.min and block.max() <= info.max)
            if fits and np.array_equal(block, np.round(block)):
                return block.astype(kind)
        elif np.array_equal(block.astype(kind).astype(np.float64), block):
            return block.astype(kind)
    return block


def _joined(parts: list[np.ndarray], columns: int) -> np.ndarray:
    return np.concatenate(parts) if parts else np.zeros((0, columns))


def _csv(path: Path, layout: _Layout, shown: str) -> tuple[np.ndarray, np.ndarray]:
    inputs, targets = [], []
    with path.open(encoding="utf-8-sig", newline="") as f:
        numbered = ((n, line) for n, line in enumerate(f, 1) if line.strip())
        first = next(numbered, None)
        if first is not None and _header(first[1]):
            first = None
        rows = itertools.chain([first] if first else [], numbered)
        while chunk := list(itertools.islice(rows, CHUNK)):
            block = _parse(chunk, layout.columns, shown)
            layout.check(block, _Where(shown, tuple(n for n, _ in chunk)))
            x, y = layout.split(block)
            inputs.append(_compact(x))
            targets.append(_compact(y))
    if not inputs:
        raise DataError(f"{shown}: no rows of numbers")
    return _joined(inputs, layout.inputs), _joined(targets, 1)


def _header(line: str) -> bool:
    """A line of names (no field of it a number): a CSV's header, not a row."""
    return not any(_number(field) for field in line.split(","))


def _number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return True


def _parse(chunk: list[tuple[int, str]], columns: int, shown: str) -> np.ndarray:
    """The chunk's lines as a (rows, columns) array, of whole numbers where they all are (read six times
    faster than decimals), else float64; a one-line error at the first bad line."""
    lines = [line for _, line in chunk]
    for kind in (np.int64, np.float64):
        try:
            block = np.loadtxt(lines, delimiter=",", dtype=kind, ndmin=2, comments=None)
        except (ValueError, OverflowError):
            continue
        if block.shape[1] == columns:
            return block
        break
    for number, line in chunk:  # find the line and say what is wrong with it
        fields = line.rstrip("\r\n").split(",")
        if len(fields) != columns:
            raise DataError(f"{shown}: line {number}: expected {columns} numbers separated by commas, "
                            f"found {len(fields)}")
        for column, field in enumerate(fields, 1):
            try:
                float(field)
            except ValueError:
                raise DataError(f"{shown}: line {number}, column {column}: {escaped(field.strip()[:40])!r} is not a "
                                "number") from None
    raise DataError(f"{shown}: expected {columns} numbers separated by commas on every line")


def _npy(path: Path, layout: _Layout, shown: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        array = np.load(path, mmap_mode="r", allow_pickle=False)
    except (ValueError, EOFError) as exc:
        raise DataError(f"{shown}: not a NumPy .npy file of numbers ({exc})") from None
    if array.ndim != 2 or array.dtype.kind not in "biuf" or array.shape[1] != layout.columns:
        raise DataError(f"{shown}: expected a 2-D array of numbers with {layout.columns} columns (rows of samples), "
                        f"got shape {array.shape} of {array.dtype}")
    if not len(array):
        raise DataError(f"{shown}: no rows")
    for start in range(0, len(array), CHUNK):
        layout.check(np.asarray(array[start:start + CHUNK], dtype=np.float64), _Where(shown, None, start))
    return layout.split(array)  # views of the mapped file: read as batches are taken
