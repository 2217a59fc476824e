"""The [training] table's optimizer keys: defaults as in PyTorch, each key checked once, one-line errors."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from derive.model import spec
from tests.helpers import MAZUR, run, write_spec

RATE = "learning_rate = 0.5"


def with_keys(keys: str) -> str:
    return MAZUR.replace(RATE, RATE + "\n" + keys)


BAD_OPTIMIZER_KEYS = {
    "unknown optimizer": ('optimizer = "rmsprop"', ["training.optimizer", "rmsprop", "adam"]),
    "momentum with adam": ('optimizer = "adam"\nmomentum = 0.9', ["training.momentum", "'momentum' or 'nesterov'"]),
    "beta1 with sgd": ("beta1 = 0.9", ["training.beta1", "'adam'", "'sgd'"]),
    "momentum of 1": ('optimizer = "momentum"\nmomentum = 1', ["training.momentum", "below 1"]),
    "momentum of 0": ('optimizer = "nesterov"\nmomentum = 0', ["training.momentum", "above 0"]),
    "negative beta2": ('optimizer = "adam"\nbeta2 = -0.1', ["training.beta2", "from 0"]),
    "zero epsilon": ('optimizer = "adam"\nepsilon = 0', ["training.epsilon", "positive"]),
    "negative decay": ("weight_decay = -0.01", ["training.weight_decay", "from 0"]),
    "unknown decay": ('weight_decay = 0.1\ndecay = "l1"', ["training.decay", "l2, decoupled"]),
    "decay without weight_decay": ('decay = "decoupled"', ["training.decay", "weight_decay above 0"]),
    "decay_biases not a flag": ('weight_decay = 0.1\ndecay_biases = "yes"', ["training.decay_biases", "true or false"]),
    "epsilon a string": ('optimizer = "adam"\nepsilon = "1e-8"', ["training.epsilon", "number"]),
}


@pytest.mark.parametrize("case", sorted(BAD_OPTIMIZER_KEYS))
def test_bad_optimizer_key_is_one_line_exit_2(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    keys, expected = BAD_OPTIMIZER_KEYS[case]
    path = write_spec(tmp_path, with_keys(keys))
    code, _, err = run(["render", str(path), "--out", str(tmp_path / "out")], capsys)
    assert code == 2 and err.count("\n") == 1 and "Traceback" not in err and str(path) in err
    for fragment in expected:
        assert fragment in err, (fragment, err)
    assert not (tmp_path / "out").exists()


def test_defaults_are_pytorch_s(tmp_path: Path) -> None:
    opt = spec.load_path(write_spec(tmp_path, with_keys('optimizer = "adam"'))).training.optimizer
    assert (opt.beta1, opt.beta2, opt.epsilon, opt.weight_decay) == (Decimal("0.9"), Decimal("0.999"),
                                                                     Decimal("1e-8"), 0)
    assert opt.decay == "l2" and not opt.decay_biases and not opt.plain
    assert spec.load_preset("mazur").training.optimizer.plain


def test_every_key_read(tmp_path: Path) -> None:
    text = with_keys('optimizer = "nesterov"\nmomentum = 0.5\nweight_decay = 0.01\ndecay = "decoupled"\n'
                     "decay_biases = true")
    opt = spec.load_path(write_spec(tmp_path, text)).training.optimizer
    assert opt == spec.OptimizerSpec("nesterov", momentum=Decimal("0.5"), weight_decay=Decimal("0.01"),
                                     decay="decoupled", decay_biases=True)
