"""Names: the one place that maps each quantity of a network to its symbol name and its LaTeX.

Every name that comes from a user passes `check_name` before it becomes a SymPy symbol, a file name
or a string in a template: SymPy's code printers and `lambdify` execute text hidden in a symbol's
name, and LaTeX special characters would break the document.
"""

from __future__ import annotations

import builtins
import keyword
import re

IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9]{0,31}\Z")

# Names the derived quantities or the generated code already use: a neuron called `total` would
# make its error `E_total`; `np`, `exp`, `params`, `X`, Python's builtins ... would shadow what the
# generated code's variables and calls mean.
GENERATED_CODE_NAMES = {
    "np", "numpy", "math", "exp", "log", "sqrt", "sigmoid", "tanh", "relu", "softmax", "logsumexp",
    "params", "values", "grads", "nets", "outs", "net", "out", "lse", "number", "row", "report", "name",
    "value", "X", "Y", "forward", "loss", "gradients", "step", "batch", "train", "main", "sample_errors",
    "initial_params", "STYLE", "LEARNING_RATE", "UPDATE", "INPUTS", "TARGETS", "FROZEN", "STEPS",
    # the optimizer's constants and state in generated code
    "OPTIMIZER", "MOMENTUM", "BETA1", "BETA2", "EPSILON", "WEIGHT_DECAY", "DECAYED", "initial_state", "state",
}
RESERVED = frozenset(
    {"total", "eta", "nan", "inf", "oo", "pi", "E", "I", "S", "N", "O", "Q"}
    | GENERATED_CODE_NAMES
    | set(dir(builtins))
    | set(keyword.kwlist)
    | set(keyword.softkwlist)
)

TOTAL = "total"


def is_valid_name(name: object) -> bool:
    """True when `name` may become a symbol, a code identifier and a LaTeX subscript."""
    return isinstance(name, str) and bool(IDENTIFIER.match(name)) and name not in RESERVED


def escaped(text: str) -> str:
    """User text (a key, a path) for a one-line message: as written when printable, else repr's escapes.

    An escape sequence or a line break in a file name or a TOML key must not reach the terminal.
    """
    return text if text.isprintable() else repr(text)[1:-1]


def net(neuron: str) -> str:
    return f"net_{neuron}"


def out(neuron: str) -> str:
    return f"out_{neuron}"


def target(neuron: str) -> str:
    return f"target_{neuron}"


def error(neuron: str) -> str:
    return f"E_{neuron}"


def delta(neuron: str) -> str:
    return f"delta_{neuron}"


E_TOTAL = error(TOTAL)
# The error a batch update descends: the samples' E_total added up or averaged ("batch" is reserved: no
# neuron's error can have this name).
BATCH = "batch"
E_BATCH = error(BATCH)
ETA = "eta"
