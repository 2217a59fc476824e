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
}
RESERVED = frozenset(
    {"total", "eta", "nan", "inf", "oo", "pi", "E", "I", "S", "N", "O", "Q"}
    | GENERATED_CODE_NAMES
    | set(dir(builtins))
    | set(keyword.kwlist)
    | set(keyword.softkwlist)
)

GREEK = frozenset(
    {"alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "iota", "kappa", "lambda",
     "mu", "nu", "xi", "rho", "sigma", "tau", "phi", "chi", "psi", "omega"}
)

TOTAL = "total"


def is_valid_name(name: object) -> bool:
    """True when `name` may become a symbol, a code identifier and a LaTeX subscript."""
    return isinstance(name, str) and bool(IDENTIFIER.match(name)) and name not in RESERVED


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
ETA = "eta"

# Prefix of a derived name -> the LaTeX of its head; the neuron's name becomes the subscript.
_DERIVED_LATEX = {
    "net": r"\mathrm{net}",
    "out": r"\mathrm{out}",
    "target": r"\mathrm{target}",
    "E": "E",
    "delta": r"\delta",
}


def latex_of_name(name: str) -> str:
    """LaTeX for a plain (user) name: `w5` -> `w_{5}`, `gamma1` -> `\\gamma_{1}`, `Alice` as upright text."""
    match = re.fullmatch(r"([A-Za-z]+?)(\d*)", name)
    head, digits = (match.group(1), match.group(2)) if match else (name, "")
    if head in GREEK:
        head_tex = "\\" + head
    elif len(head) == 1:
        head_tex = head
    else:
        head_tex = r"\mathit{%s}" % head
    return f"{head_tex}_{{{digits}}}" if digits else head_tex


def latex_of_symbol(name: str) -> str:
    """LaTeX for any symbol name the engine makes (derived `out_h1`, `E_total`, or a plain `w5`)."""
    if name == ETA:
        return r"\eta"
    prefix, sep, rest = name.partition("_")
    if sep and prefix in _DERIVED_LATEX:
        sub = r"\mathrm{total}" if rest == TOTAL else rest
        return f"{_DERIVED_LATEX[prefix]}_{{{sub}}}"
    return latex_of_name(name)
