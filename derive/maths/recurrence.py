"""Backpropagation through time seen as products of Jacobians: how the error at the last step reaches
an earlier one, and why it can vanish or explode.

Between two steps the states are linked by J^(s) = dh^(s)/dh^(s-1) = diag(f'(net^(s))) W_h, so the error
that step t receives from step T (through every step between) is (J^(T) ... J^(t+1))^T dE/dh^(T). Each
step back multiplies by one more J: where the largest singular value of the J's stays below 1 the
product shrinks geometrically (the early steps' share of a shared weight's gradient vanishes), above 1
it may grow (explode). The products here are computed at the working precision and checked against the
errors the derivation's per-path sums gave the states.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.maths.derivation import InconsistentDerivation, Pass, agree
from derive.model.precision import CTX, Real
from derive.model.wiring import RecurrentPlan

Matrix = list[list[Real]]


@dataclass(frozen=True)
class Jacobians:
    """One sample's recurrent Jacobians and their products back from the last step."""

    steps: int
    jacobians: tuple[Matrix, ...]  # [s - 2] = J^(s) for s = 2 ... T
    products: tuple[Matrix, ...]  # [t - 1] = dh^(T)/dh^(t) for t = 1 ... T (t = T: the identity)
    norms: tuple[Real, ...]  # [s - 2]: the largest singular value of J^(s)
    product_norms: tuple[Real, ...]  # [t - 1]: that of the product back to step t
    recurrent_norm: Real  # the largest singular value of W_h


def _multiply(a: Matrix, b: Matrix) -> Matrix:
    return [[CTX.fsum(a[i][m] * b[m][j] for m in range(len(b))) for j in range(len(b[0]))] for i in range(len(a))]


def spectral_norm(m: Matrix) -> Real:
    """The largest singular value: the most a matrix stretches a vector."""
    if not m or not m[0]:
        return CTX.zero
    values = CTX.svd_r(CTX.matrix(m), compute_uv=False)
    return max(abs(values[i]) for i in range(len(values)))


def jacobians(plan: RecurrentPlan, p: Pass) -> Jacobians:
    """J^(s) = diag(f'(net^(s))) W_h for every step after the first, and the products back from the last."""
    values = p.values
    by_neuron = {b.neuron.name: b for b in p.backward}
    wh = [[values[w.symbol] for w in row] for row in plan.recurrent_weights]
    found = []
    for stage in plan.neurons[1:]:
        slopes = [by_neuron[n.name].slope.value for n in stage]  # type: ignore[union-attr]
        found.append([[slopes[j] * wh[j][m] for m in range(len(stage))] for j in range(len(stage))])
    units = len(plan.neurons[0])
    product = [[CTX.one if i == j else CTX.zero for j in range(units)] for i in range(units)]
    products = [product]
    for jacobian in reversed(found):
        product = _multiply(product, jacobian)
        products.insert(0, product)
    return Jacobians(len(plan.neurons), tuple(found), tuple(products), tuple(spectral_norm(j) for j in found),
                     tuple(spectral_norm(m) for m in products), spectral_norm(wh))


def check_products(plan: RecurrentPlan, p: Pass, found: Jacobians) -> None:
    """With the output at the last step only, dE/dh^(t) = (dh^(T)/dh^(t))^T dE/dh^(T) for every step."""
    by_neuron = {b.neuron.name: b for b in p.backward}
    last = [by_neuron[n.name].error.value for n in plan.neurons[-1]]
    for t, stage in enumerate(plan.neurons):
        product = found.products[t]
        for m, n in enumerate(stage):
            via = CTX.fsum(product[j][m] * last[j] for j in range(len(last)))
            if not agree(via, by_neuron[n.name].error.value):
                raise InconsistentDerivation(f"dE/d{n.out.name} through the Jacobians: {via} != "
                                             f"{by_neuron[n.name].error.value}")
