"""The optimizer's state and update in generated code, printed from the rules of `derive.maths.optimizers`.

Both styles keep parameters in a dict by name (a scalar per parameter, or a layer's array), so one
update loop serves both: each rule's formulas are printed by the NumPy printer with the generic
symbols of the registry named as the generated module names them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sympy import Expr, Symbol
from sympy.printing.numpy import NumPyPrinter

from derive.maths.optimizers import OPTIMIZERS
from derive.model.network import Network

# The registry's generic symbols as the generated `step` names them.
CODE_NAMES = {
    "g": "g", "p": "value", "eta": "LEARNING_RATE", "mu": "MOMENTUM", "beta1": "BETA1", "beta2": "BETA2",
    "epsilon": "EPSILON", "lam": "WEIGHT_DECAY", "t": "t", "m_prev": 'state["m"][name]',
    "v_prev": 'state["v"][name]', "m": "m[name]", "v": "v[name]", "mhat": "mhat", "vhat": "vhat",
}


TITLES = {"sgd": "gradient descent", "momentum": "gradient descent with momentum",
          "nesterov": "gradient descent with Nesterov momentum", "adam": "Adam"}


class RulePrinter(NumPyPrinter):
    """Prints a rule's formula with the generated module's names for the generic symbols."""

    def _module_format(self, fqn: str, register: bool = True) -> str:
        # The generated module imports numpy as np.
        return super()._module_format("np." + fqn[len("numpy."):] if fqn.startswith("numpy.") else fqn, register)

    def _print_Symbol(self, expr: Symbol) -> str:
        return CODE_NAMES[expr.name]


def literal(value: Decimal) -> str:
    """A spec decimal as a float literal, exactly as written."""
    text = str(value)
    return text if ("." in text or "E" in text.upper()) else f"{text}.0"


def _print(expr: Expr) -> str:
    return RulePrinter({"fully_qualified_modules": True}).doprint(expr)


def decayed_names(network: Network, style: str) -> list[str]:
    """The names (scalar) or arrays (vector) weight decay shrinks."""
    opt = network.spec.training.optimizer
    if not opt.weight_decay:
        return []
    if style == "scalar":
        return [p.name for p in network.params if p.trainable and (p.kind == "weight" or opt.decay_biases)]
    names = [f"W{number}" for number in range(1, len(network.layers) + 1)]
    if opt.decay_biases:
        names += [f"b{number}" for number, layer in enumerate(network.spec.layers, start=1)
                  if layer.bias.mode != "none" and layer.bias.trainable]
    return names


def optimizer_view(network: Network, style: str) -> dict[str, Any]:
    """The strings the training template places for the spec's optimizer (None for plain descent)."""
    opt = network.spec.training.optimizer
    if opt.plain:
        return {"optimizer": None}
    rule = OPTIMIZERS[opt.name]
    constants = [("OPTIMIZER", f'"{opt.name}"')]
    if opt.name in ("momentum", "nesterov"):
        constants.append(("MOMENTUM", literal(opt.momentum)))
    if opt.name == "adam":
        constants += [("BETA1", literal(opt.beta1)), ("BETA2", literal(opt.beta2)), ("EPSILON", literal(opt.epsilon))]
    if opt.weight_decay:
        constants.append(("WEIGHT_DECAY", literal(opt.weight_decay)))
    lines = [(CODE_NAMES[name] if name != "step" else "move", _print(formula)) for name, formula in rule.formulas]
    return {"optimizer": {
        "name": opt.name, "title": TITLES[opt.name], "constants": constants, "state": list(rule.state),
        "decay": opt.decay if opt.weight_decay else None,
        "decayed": decayed_names(network, style), "lines": lines,
        "decayed_what": "weights and biases" if opt.decay_biases else "weights",
    }}
