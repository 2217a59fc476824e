"""The tests' practice pages: made by the command line, read in Node through the page's own script."""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from derive.cli import main
from derive.course import exercise
from derive.model import spec

HERE = Path(__file__).resolve().parent
SCRIPT = HERE.parents[1] / "derive" / "practice" / "assets" / "practice.js"
HARNESS = HERE / "harness.js"
NODE = shutil.which("node")
# every preset, and specs of the tests' own (softmax under cross-entropy; relu with momentum and decay)
NETWORKS = ("mazur", "gender", "xor3", "textbook", "mazuradam", str(HERE / "own.toml"), str(HERE / "own_relu.toml"))
VARIANTS = 2
SEED = 3


def make(network: str, out: Path, *options: str) -> Path:
    """The page of `network` (VARIANTS variants of SEED unless `options` say otherwise), in `out`."""
    argv = ["practice", network, "--variants", str(VARIANTS), "--seed", str(SEED), "--out", str(out), *options]
    with contextlib.redirect_stdout(io.StringIO()):
        assert main(argv) == 0
    return out / "practice.html"


def variants(network: str) -> exercise.Exercise:
    """The same variants, drawn in this process as `derive exercise` draws them."""
    return exercise.build(spec.load(network), network, VARIANTS, SEED)


def node(page: Path, *jobs: dict[str, Any]) -> list[Any]:
    """The harness's answers to `jobs` on `page`."""
    assert NODE is not None
    request = json.dumps({"page": str(page), "script": str(SCRIPT), "do": list(jobs)})
    result = subprocess.run([NODE, str(HARNESS)], input=request, capture_output=True, text=True, check=True)
    return json.loads(result.stdout)
