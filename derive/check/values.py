"""The values of a claim's expressions: from the truth (or a random point) and the person's own names,
every value bounded before the next operation, and the spread a link of rounded numbers may have."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from derive.check import operators
from derive.check.carried import Document, Recomputer
from derive.check.claims import Call, Name, Node, Num, Unary, names_in, numbers_in
from derive.check.digits import half_unit, significant
from derive.check.truth import PointTruth, Truth, Unknown
from derive.model.precision import CTX, Real, real
from derive.model.rules import numeric_sigmoid

# An activation as a function of the grammar, and its slope.
ACTIVATIONS = {"sigmoid": ("sigmoid", "dsigmoid"), "tanh": ("tanh", "dtanh"), "relu": ("relu", "step"),
               "identity": ("identity", "one")}

_FUNCTIONS: dict[str, Callable[[Real], Real]] = {
    "exp": CTX.exp, "log": CTX.log, "ln": CTX.log, "sqrt": CTX.sqrt, "tanh": CTX.tanh, "abs": abs,
    "sigmoid": numeric_sigmoid, "sigma": numeric_sigmoid,
    "relu": lambda x: x if x > 0 else CTX.zero,
    "step": lambda x: CTX.one if x > 0 else CTX.zero,  # H(0) = 0, relu's convention
    "dsigmoid": lambda x: numeric_sigmoid(x) * (1 - numeric_sigmoid(x)),
    "dtanh": lambda x: 1 - CTX.tanh(x) ** 2,
    "identity": lambda x: x, "one": lambda x: CTX.one,  # a linear layer's f and f'
}


class OwnNames:
    """A person's own names, in the order they were defined, each with what it depends on."""

    def __init__(self) -> None:
        self.nodes: dict[str, Node] = {}
        self.values: dict[str, Real] = {}  # at the spec's values
        self.lines: dict[str, int] = {}
        self.uses: dict[str, tuple[str, ...]] = {}  # the own names its definition refers to
        self.symbolic: dict[str, bool] = {}
        self.slipped: dict[str, int] = {}  # names whose value carries a slip: the line it was made on
        self.before: dict[str, list[tuple[Node, Real, int]]] = {}  # earlier statements of a name restated

    def define(self, name: str, node: Node, value: Real, line: int) -> None:
        if name in self.nodes and self.values[name] != value:  # stated again with another value (m = 1, m = 4)
            self.before.setdefault(name, []).append((self.nodes[name], self.values[name], self.lines[name]))
        self.nodes[name], self.values[name], self.lines[name] = node, value, line
        self.uses[name] = tuple(n for n in names_in(node) if n in self.nodes and n != name)
        self.symbolic[name] = symbolic(node, self)

    def copy(self) -> OwnNames:
        """These names apart: a reading tried and dropped defines nothing in the original."""
        other = OwnNames()
        other.nodes, other.values, other.lines = dict(self.nodes), dict(self.values), dict(self.lines)
        other.uses, other.symbolic, other.slipped = dict(self.uses), dict(self.symbolic), dict(self.slipped)
        other.before = {name: list(earlier) for name, earlier in self.before.items()}
        return other

    def closure(self, node: Node) -> list[str]:
        """Every own name `node` needs, directly or not, in the order of definition (no recursion)."""
        needed: set[str] = set()
        stack = [n for n in names_in(node) if n in self.nodes]
        while stack:
            name = stack.pop()
            if name not in needed:
                needed.add(name)
                stack.extend(self.uses[name])
        return [n for n in self.nodes if n in needed]


class Evaluator:
    """Numbers of a claim's expression, from the truth (or a random point) and the person's own names."""

    def __init__(self, truth: Truth | PointTruth, own: OwnNames, at_truth: bool = True) -> None:
        self.truth, self.own, self.at_truth = truth, own, at_truth
        self.memo: dict[str, Real] = {}
        self.sample: str | None = None  # the sample unqualified names are read at; None: the default
        self.document = Document()  # the values the person wrote so far: later steps are judged on them too
        self.recomputer: Recomputer | None = None  # built on the first wrong number
        # what the document has settled about its notation, and on which line (a weight's index order)
        self.conventions: dict[str, tuple[str, int]] = {}

    def state(self) -> tuple[Document, OwnNames, dict[str, Real], dict[str, tuple[str, int]]]:
        """What judging changes: the values written, the person's names, the values worked out, the document's
        conventions read."""
        return self.document, self.own, self.memo, self.conventions

    def restore(self, state: tuple[Document, OwnNames, dict[str, Real], dict[str, tuple[str, int]]]) -> None:
        self.document, self.own, self.memo, self.conventions = state

    @contextmanager
    def apart(self) -> Iterator[None]:
        """Within: a reading judged on copies of the state, which is put back after it (a reading tried and
        dropped leaves nothing behind; one taken is `restore`d from the `state()` it ended in)."""
        kept = self.state()
        self.restore((self.document.copy(), self.own.copy(), dict(self.memo), dict(self.conventions)))
        try:
            yield
        finally:
            self.restore(kept)

    def evaluate(self, node: Node) -> Real:
        if not self.at_truth:  # own names at this point, in definition order: no deep recursion
            for name in self.own.closure(node):
                if name not in self.memo:
                    self.memo[name] = self._eval(self.own.nodes[name])
        return self._eval(node)

    def _eval(self, node: Node) -> Real:
        return _bounded(self._compute(node))

    def _compute(self, node: Node) -> Real:
        if isinstance(node, Num):
            return real(node.text)
        if isinstance(node, Name):
            return _bounded(self._name(node.name))
        if isinstance(node, Unary):
            value = self._eval(node.arg)
            return -value if node.op == "-" else value
        if isinstance(node, Call) and node.function == "sum_s":
            return self._sample_sum(node.arg)
        if isinstance(node, Call) and operators.is_operator(node.function):
            return operators.derivative_value(node, self.own.nodes, self._name)
        if isinstance(node, Call):
            function = self._activation(node) if node.function in ("act", "dact") else node.function
            return _FUNCTIONS[function](_argument(function, self._eval(node.arg)))
        left, right = self._eval(node.left), self._eval(node.right)
        if node.op == "^":
            return _power(left, right)
        return {"+": lambda: left + right, "-": lambda: left - right, "*": lambda: left * right,
                "/": lambda: left / right}[node.op]()

    def _activation(self, node: Call) -> str:
        """f (act) and f' (dact): the activation of the neuron whose net is f's argument, or the one
        activation every neuron of the network has."""
        network = self.truth.network
        names = {n.net.name: n.activation.name for n in network.neurons}
        argument = node.arg.name if isinstance(node.arg, Name) else None
        used = sorted({n.activation.name for n in network.neurons})
        name = names.get(argument) if argument in names else (used[0] if len(used) == 1 else None)
        if name not in ACTIVATIONS:
            raise Unknown(f"f names no one activation here (the network has {', '.join(used)})")
        return ACTIVATIONS[name][node.function == "dact"]

    def _sample_sum(self, node: Node) -> Real:
        """sum_s(x): x at every sample of the network, added (the walkthrough's \\sum_s of a batch)."""
        if not isinstance(self.truth, Truth):
            raise Unknown("a sum over the samples has no value at a random point")
        outer, values = self.sample, []
        try:
            for sample in self.truth.samples:
                self.sample = sample
                values.append(self._eval(node))
        finally:
            self.sample = outer
        return CTX.fsum(values)

    def _name(self, name: str) -> Real:
        if name in self.own.nodes:
            return self.own.values[name] if self.at_truth else self.memo[name]
        return self.truth.value(name, self.sample)


def _finite(x: object) -> Real:
    """Only finite real numbers: sqrt(-1), log(-1) or an overflow make a claim uncheckable."""
    if not isinstance(x, CTX.mpf) or not CTX.isfinite(x):
        raise ValueError("not a finite real number")
    return x


# Every value a claim computes stays within 2^+-MAX_BITS (about 10^+-3000), checked before the next
# operation: exp(exp(50000)) or a power of a huge name would otherwise take minutes and gigabytes, in
# the operation itself (exp needs as many bits as its argument's integer part) or when it is printed.
MAX_BITS = 10_000
# exp, sigmoid and tanh take arguments within +-MAX_ARGUMENT: e^5000 is about 2^7213, within MAX_BITS.
MAX_ARGUMENT = 5_000


class OutOfRange(ValueError):
    """A value of a claim beyond the range the checker computes with."""


def _magnitude(x: Real) -> int:
    """The binary exponent of a finite nonzero x (2^(m-1) <= |x| < 2^m), 0 for zero."""
    _, man, exp, bits = x._mpf_
    return exp + bits if man else 0


def _bounded(x: object) -> Real:
    """A finite value within 2^+-MAX_BITS, or OutOfRange."""
    value = _finite(x)
    if abs(_magnitude(value)) > MAX_BITS:
        raise OutOfRange(f"a value beyond 10^+-{MAX_BITS * 3 // 10} (2^+-{MAX_BITS}), "
                         "the range the checker computes with")
    return value


def _argument(function: str, x: Real) -> Real:
    """The argument of exp, sigmoid and tanh within +-MAX_ARGUMENT, checked before the call."""
    if function in ("exp", "sigmoid", "sigma", "tanh", "dsigmoid", "dtanh") and abs(x) > MAX_ARGUMENT:
        raise OutOfRange(f"{function} of a number beyond +-{MAX_ARGUMENT}: its value is beyond the range "
                         "the checker computes with")
    return x


def _power(base: Real, exponent: Real) -> Real:
    """base^exponent, its size estimated from the exponents before it is computed."""
    if base and abs(_magnitude(base) * exponent) > MAX_BITS:
        raise OutOfRange(f"a power beyond 10^+-{MAX_BITS * 3 // 10} (2^+-{MAX_BITS}), "
                         "the range the checker computes with")
    return base ** exponent


# A sum's rounding at the working precision, in units of its last digits: a formula whose terms cancel
# (the deltas of a softmax layer sum to 0) is judged within it, not against digits it cannot have.
ROUNDING_DIGITS = 5


class Spread:
    """How far a link's value may be from the same link on the unrounded numbers: half a unit of the
    last digit of each written number, carried through every operation (first order, with the worst
    slope over the interval), so that cancellation (0.13 - 0.1299) and powers are judged fairly."""

    def __init__(self, evaluator: Evaluator, given: Callable[[Num], str | None] = lambda n: None,
                 rounded_from: int = 0) -> None:
        self.evaluator, self.given = evaluator, given
        self.rounded_from = rounded_from  # numbers with fewer significant digits are taken as exact
        self.own: dict[str, Real] = {}

    def of(self, node: Node) -> Real:
        if isinstance(node, Num):  # a value the spec gives (0.4 for w5) is exact, not 0.4 +- 0.05
            exact = self.given(node) is not None or significant(node.text) < self.rounded_from
            if exact or (self.rounded_from == 0 and self._slipped(node.text)):  # a slip: no rounding of the truth
                return CTX.zero
            # a number the person found earlier, right to its digits or from rounded values, used again (where
            # the link is compared with the truth: the person's own arithmetic is judged on the number itself)
            found = self.evaluator.document.rounded.get(node.text, CTX.zero) if self.rounded_from == 0 else CTX.zero
            return max(half_unit(node.text), found)
        if isinstance(node, Name):
            return self._name(node.name)
        if isinstance(node, Unary):
            return self.of(node.arg)
        if isinstance(node, Call):
            return self._call(node)
        a, b = self.evaluator._eval(node.left), self.evaluator._eval(node.right)
        ea, eb = self.of(node.left), self.of(node.right)
        if node.op in "+-":  # and the working precision's rounding, which a cancellation lays bare
            return ea + eb + (abs(a) + abs(b)) * CTX.mpf(10) ** (ROUNDING_DIGITS - CTX.dps)
        if node.op == "*":
            return abs(a) * eb + abs(b) * ea + ea * eb
        if node.op == "/":
            return (ea + abs(a / b) * eb) / (abs(b) - eb) if abs(b) > eb else CTX.inf
        n = abs(b)
        return n * (abs(a) + ea) ** (n - 1) * ea if n >= 1 else CTX.inf if ea else CTX.zero

    def _slipped(self, text: str) -> bool:
        """A number written earlier as a wrong value of a quantity (out_o1 = 0.76, where it is 0.7514) and used
        again: that slip, not a rounding of the truth, so a link using it is not within the truth's reach by its
        rounding (it is carried); against the person's own working (`rounded_from`) it is as rounded as any."""
        value = real(text)
        return any(w.wrong and w.value == value for w in self.evaluator.document.written.values())

    def _name(self, name: str) -> Real:
        """A person's own name carries the spread of its definition; the network's quantities are exact."""
        own = self.evaluator.own
        if name not in own.nodes:
            return CTX.zero
        if name not in self.own:
            self.own[name] = self.of(own.nodes[name])
        return self.own[name]

    def _call(self, node: Call) -> Real:
        e = self.of(node.arg)
        if not e:
            return CTX.zero
        if node.function == "sum_s":
            return e * len(getattr(self.evaluator.truth, "samples", (1,)))
        if operators.is_operator(node.function):
            # a derivative moves with the rounded numbers written inside it by about their relative half units
            # (d/dw5 (w5 0.5933) by 0.00005/0.5933 of itself); an exact bracket's is exact, however its sums are
            # rounded at the working precision
            relative = CTX.fsum(self.of(n) / abs(real(n.text)) for n in numbers_in(node.arg) if real(n.text))
            return abs(self.evaluator._eval(node)) * relative
        x = self.evaluator._eval(node.arg)
        function = self.evaluator._activation(node) if node.function in ("act", "dact") else node.function
        slopes = {"sigmoid": lambda: CTX.mpf(0.25), "sigma": lambda: CTX.mpf(0.25), "tanh": lambda: CTX.one,
                  "relu": lambda: CTX.one, "abs": lambda: CTX.one, "step": lambda: CTX.inf if abs(x) <= e else CTX.zero,
                  "dsigmoid": lambda: CTX.mpf(0.1), "dtanh": lambda: CTX.mpf(0.77),  # their slopes' largest sizes
                  "identity": lambda: CTX.one, "one": lambda: CTX.zero,
                  "exp": lambda: CTX.exp(_argument("exp", x + e)),  # steepest at the top of [x - e, x + e]
                  "log": lambda: 1 / (abs(x) - e) if abs(x) > e else CTX.inf,
                  "ln": lambda: 1 / (abs(x) - e) if abs(x) > e else CTX.inf,
                  "sqrt": lambda: 1 / (2 * CTX.sqrt(x - e)) if x > e else CTX.inf}
        return slopes[function]() * e


def symbolic(node: Node, own: OwnNames) -> bool:
    """True when the link is written in the network's quantities (so it claims a formula)."""
    if isinstance(node, Num):
        return False
    if isinstance(node, Name):
        return own.symbolic[node.name] if node.name in own.nodes else True
    if isinstance(node, (Unary, Call)):
        return symbolic(node.arg, own)
    return symbolic(node.left, own) or symbolic(node.right, own)

