"""Local rules: each activation and loss states its forward rule and, beside it, its local derivative.

Activations and losses live in registries keyed by the name a spec uses; asking for one that is not
registered raises `UnknownRule`, which the spec loader turns into a one-line error.
The symbolic rules give the engine its teacher-style factors; the numeric rules (mpmath, in the
working precision of `derive.model.precision`) drive the training iterations.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import sympy
from sympy import Expr, Function, Heaviside, Integer, exp, log, tanh

from derive.model.precision import CTX, Real


class UnknownRule(KeyError):
    """Raised for an activation or loss name that has no registered rule."""


class sigmoid(Function):  # lower case: SymPy dispatches printers on the class name
    """The logistic function 1 / (1 + e^-x); its derivative is stated as sigma(1 - sigma)."""

    def fdiff(self, argindex: int = 1) -> Expr:
        s = sigmoid(self.args[0])
        return s * (1 - s)

    def _eval_rewrite_as_exp(self, x: Expr, **kwargs: object) -> Expr:
        return 1 / (1 + exp(-x))

    def _eval_evalf(self, prec: int) -> Expr:
        return (1 / (1 + exp(-self.args[0])))._eval_evalf(prec)


class relu(Function):  # lower case, as sigmoid
    """max(0, x); its derivative is the step H(x) with H(0) = 0, the convention of the frameworks."""

    def fdiff(self, argindex: int = 1) -> Expr:
        return Heaviside(self.args[0], 0)

    def _eval_rewrite_as_Piecewise(self, x: Expr, **kwargs: object) -> Expr:
        return sympy.Piecewise((x, x > 0), (0, True))

    def _eval_evalf(self, prec: int) -> Expr | None:
        x = self.args[0]._eval_evalf(prec)
        if x is None or not x.is_number or not x.is_extended_real:
            return None
        return x if x > 0 else sympy.Float(0, precision=prec)


@dataclass(frozen=True)
class Activation:
    """out = forward(nets, j); dout_j/dnet_j = local(out, net) (elementwise activations only)."""

    name: str
    forward: Callable[[tuple[Expr, ...], int], Expr]
    local: Callable[[Expr, Expr], Expr] | None
    numeric: Callable[[list[Real]], list[Real]]
    numeric_local: Callable[[Real, Real], Real] | None
    explicit: Callable[[Expr], Expr] | None = None  # the defining formula, where forward names a function

    @property
    def elementwise(self) -> bool:
        return self.local is not None

    def slope(self, out: Expr, net: Expr) -> Expr:
        """dout/dnet of an elementwise activation (softmax has a Jacobian instead, and no slope)."""
        if self.local is None:
            raise UnknownRule(f"{self.name} is not applied entry by entry: it has no slope dout/dnet")
        return self.local(out, net)

    def numeric_slope(self, net: Real, out: Real) -> Real:
        """dout/dnet at the working precision, as `slope`."""
        if self.numeric_local is None:
            raise UnknownRule(f"{self.name} is not applied entry by entry: it has no slope dout/dnet")
        return self.numeric_local(net, out)


@dataclass(frozen=True)
class Loss:
    """E_o = per_output(target, out, n_outputs); numeric_grad is dE_o/dout_o."""

    name: str
    per_output: Callable[[Expr, Expr, int], Expr]
    numeric_grad: Callable[[Real, Real, int], Real]


ACTIVATIONS: dict[str, Activation] = {}
LOSSES: dict[str, Loss] = {}


def _register_activation(a: Activation) -> None:
    ACTIVATIONS[a.name] = a


def _register_loss(loss: Loss) -> None:
    LOSSES[loss.name] = loss


def get_activation(name: str) -> Activation:
    if name not in ACTIVATIONS:
        raise UnknownRule(name)
    return ACTIVATIONS[name]


def get_loss(name: str) -> Loss:
    if name not in LOSSES:
        raise UnknownRule(name)
    return LOSSES[name]


def numeric_sigmoid(x: Real) -> Real:
    """1 / (1 + e^-x) at the working precision."""
    # Written per sign so that neither branch exponentiates a large positive number.
    if x >= 0:
        return 1 / (1 + CTX.exp(-x))
    e = CTX.exp(x)
    return e / (1 + e)


def _numeric_softmax(nets: list[Real]) -> list[Real]:
    top = max(nets)
    exps = [CTX.exp(n - top) for n in nets]
    total = CTX.fsum(exps)
    return [e / total for e in exps]


def _elementwise(f: Callable[[Real], Real]) -> Callable[[list[Real]], list[Real]]:
    return lambda nets: [f(n) for n in nets]


# sigmoid: out = 1/(1+e^-net);  dout/dnet = out (1 - out)
_register_activation(Activation(
    "sigmoid",
    forward=lambda nets, j: sigmoid(nets[j]),
    local=lambda out, net: out * (1 - out),
    numeric=_elementwise(numeric_sigmoid),
    numeric_local=lambda net, out: out * (1 - out),
    explicit=lambda net: 1 / (1 + exp(-net)),
))

# tanh: out = tanh(net);  dout/dnet = 1 - out^2
_register_activation(Activation(
    "tanh",
    forward=lambda nets, j: tanh(nets[j]),
    local=lambda out, net: 1 - out**2,
    numeric=_elementwise(CTX.tanh),
    numeric_local=lambda net, out: 1 - out * out,
))

# relu: out = max(0, net);  dout/dnet = H(net), H(0) = 0
_register_activation(Activation(
    "relu",
    forward=lambda nets, j: relu(nets[j]),
    local=lambda out, net: Heaviside(net, 0),
    numeric=_elementwise(lambda n: n if n > 0 else CTX.zero),
    numeric_local=lambda net, out: CTX.one if net > 0 else CTX.zero,
    explicit=lambda net: sympy.Max(0, net),
))

# identity: out = net;  dout/dnet = 1
_register_activation(Activation(
    "identity",
    forward=lambda nets, j: nets[j],
    local=lambda out, net: Integer(1),
    numeric=lambda nets: list(nets),
    numeric_local=lambda net, out: CTX.one,
))

# softmax: out_j = e^net_j / sum_k e^net_k;  dout_k/dnet_j = out_k ([k = j] - out_j), see softmax_jacobian
_register_activation(Activation(
    "softmax",
    forward=lambda nets, j: exp(nets[j]) / sympy.Add(*[exp(n) for n in nets]),
    local=None,
    numeric=_numeric_softmax,
    numeric_local=None,
))


def softmax_jacobian(out_k: Expr, out_j: Expr, same: bool) -> Expr:
    """dout_k/dnet_j of a softmax layer, stated in the outputs."""
    return out_k * ((1 if same else 0) - out_j)


def numeric_softmax_jacobian(out_k: Real, out_j: Real, same: bool) -> Real:
    return out_k * ((1 if same else 0) - out_j)


# half sum of squares: E_o = 1/2 (target - out)^2;  dE_o/dout = out - target
_register_loss(Loss(
    "half_sse",
    per_output=lambda t, o, n: sympy.Rational(1, 2) * (t - o) ** 2,
    numeric_grad=lambda t, o, n: o - t,
))

# mean squared error over the outputs: E_o = (target - out)^2 / n;  dE_o/dout = 2 (out - target) / n
_register_loss(Loss(
    "mse",
    per_output=lambda t, o, n: (t - o) ** 2 / n,
    numeric_grad=lambda t, o, n: 2 * (o - t) / n,
))

# cross-entropy, one term per output: E_o = -target log(out) (softmax outputs, see binary_cross_entropy)
_register_loss(Loss(
    "cross_entropy",
    per_output=lambda t, o, n: -t * log(o),
    numeric_grad=lambda t, o, n: -t / o,
))

# binary cross-entropy for sigmoid outputs: E_o = -(t log out + (1-t) log(1-out))
_register_loss(Loss(
    "binary_cross_entropy",
    per_output=lambda t, o, n: -(t * log(o) + (1 - t) * log(1 - o)),
    numeric_grad=lambda t, o, n: -t / o + (1 - t) / (1 - o),
))


def loss_for(name: str, output_activation: str) -> Loss:
    """The loss rule a spec's `loss` means with its output activation (cross-entropy has two forms)."""
    if name == "cross_entropy" and output_activation != "softmax":
        return get_loss("binary_cross_entropy")
    return get_loss(name)
