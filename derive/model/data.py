"""The `[data]` table of a spec: a file of samples that `derive train` trains on instead of the spec's own.

The file is read by `derive.code.dataset` when training starts (it may be large); here only the table
is validated, once, as the spec is read. The notes, the code and the checker keep to the spec's
`[[samples]]`, a few rows a reader can follow.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

DATA_KEYS = ("file", "label", "scale", "batch_size")
SUFFIXES = (".csv", ".npy")
# Where a row's class sits when the targets are given as one class index (one-hot encoded for training).
LABELS = ("none", "first", "last")


@dataclass(frozen=True)
class DataSpec:
    """`file`: a .csv or .npy file, relative to the spec's folder; `label`: none (each row is the inputs
    then the targets) or where one column holds the class index 0 .. outputs-1 (first or last, the
    inputs in the others); `scale`: what the inputs are multiplied by (1/255 for bytes of pixels);
    `batch_size`: the rows each update learns from (None: as the spec's `update` says)."""

    file: str
    label: str = "none"
    scale: Decimal = Decimal(1)
    batch_size: int | None = None


def read(r: Any) -> DataSpec:
    """The table behind `r` (the spec reader of `[data]`), validated."""
    file = r.text("file")
    if not file.strip() or not file.lower().endswith(SUFFIXES) or "\x00" in file:
        raise r.fail("file", f"expected the path of a .csv or .npy file, got {file!r}")
    scale = r.number("scale", Decimal(1))
    if scale <= 0:
        raise r.fail("scale", f"expected a positive number, got {scale}")
    batch = r.integer("batch_size", None, low=1) if r.has("batch_size") else None
    return DataSpec(file, r.text("label", "none", LABELS), scale, batch)
