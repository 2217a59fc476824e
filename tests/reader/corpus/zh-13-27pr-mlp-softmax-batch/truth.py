"""Independent computation for zh-13 (a course lecture's 4-3-4-3 relu/relu/softmax network on a batch of
two samples): mpmath at 50 digits, no derive.

Run `python truth.py`: prints `name = value` for every quantity of the network (forward pass per
sample, loss, every chain-rule derivative confirmed by central finite differences, the batch gradient
summed over the two samples, the update and the error after it), then the lecture's own backward pass
worked from its one-decimal Y_hat, which every later matrix of the lecture follows.
"""
# ---- network engine (independent of derive; mpmath only) ----
import tomllib
from pathlib import Path

from mpmath import mp, mpf, exp, log

mp.dps = 50
HERE = Path(__file__).resolve().parent
SPEC = tomllib.loads((HERE / "spec.toml").read_text(encoding="utf-8"))
D = lambda s: mpf(str(s))  # the spec's decimals, exactly


def neuron_names(given, li, hidden):
    """A list of names as given, or derive's default names for a count (h1.. for one hidden layer,
    ha1.., hb1.. for several, o1.. for the output layer)."""
    if isinstance(given, list):
        return given
    if li == hidden:
        prefix = "o"
    elif hidden == 1:
        prefix = "h"
    else:
        prefix = "h" + "abcdefghijklmnopqrstuvwxyz"[li]
    return [f"{prefix}{k + 1}" for k in range(given)]


def layers_of(spec):
    """Each layer as a dict: neurons, activation, weights {(neuron, source): name}, biases."""
    layers, wn, bn = [], 0, 0
    sources = list(spec["inputs"])
    hidden = len(spec["layers"]) - 1
    for li, layer in enumerate(spec["layers"]):
        neurons = neuron_names(layer["neurons"], li, hidden)
        names = layer.get("weight_names")
        weights = {}
        for r, n in enumerate(neurons):
            for c, s in enumerate(sources):
                wn += 1
                weights[(n, s)] = (names[r][c] if names else f"w{wn}", D(layer["weights"][r][c]))
        bias = layer.get("bias", {"mode": "none"})
        mode = bias.get("mode", "per_neuron")
        count = {"none": 0, "shared": 1, "per_neuron": len(neurons)}[mode]
        values = [D(v) for v in bias.get("values", [0] * count)]
        bnames = bias.get("names")
        if not bnames:
            bnames = [f"b{bn + k + 1}" for k in range(count)]
            bn += count
        layers.append({"neurons": neurons, "act": layer["activation"], "weights": weights,
                       "mode": mode, "bnames": bnames, "bvalues": values,
                       "sign": -1 if bias.get("form", "bias") == "threshold" else 1,
                       "btrain": bias.get("trainable", True), "sources": list(sources)})
        sources = list(neurons)
    return layers


LAYERS = layers_of(SPEC)
SAMPLES = [([D(v) for v in s["inputs"]], [D(v) for v in s["targets"]]) for s in SPEC["samples"]]
TRAIN = SPEC["training"]
ETA = D(TRAIN["learning_rate"])
UPDATE = TRAIN.get("update", "sgd")
REDUCTION = TRAIN.get("reduction", "sum")
OUTS = LAYERS[-1]["neurons"]


def initial_params():
    p = {}
    for L in LAYERS:
        for (_, _), (name, value) in L["weights"].items():
            p[name] = value
        for name, value in zip(L["bnames"], L["bvalues"]):
            p[name] = value
    return p


def trainable(name):
    for L in LAYERS:
        if name in L["bnames"]:
            return L["btrain"]
    return True


def bias_of(L, k):
    if L["mode"] == "none":
        return None
    return L["bnames"][0] if L["mode"] == "shared" else L["bnames"][k]


def act(kind, nets):
    if kind == "softmax":
        m = max(nets)
        e = [exp(z - m) for z in nets]
        return [v / sum(e) for v in e]
    f = {"sigmoid": lambda z: 1 / (1 + exp(-z)), "tanh": mp.tanh, "identity": lambda z: z,
         "relu": lambda z: z if z > 0 else mpf(0)}[kind]
    return [f(z) for z in nets]


def slope(kind, net, out):
    return {"sigmoid": out * (1 - out), "tanh": 1 - out ** 2, "identity": mpf(1),
            "relu": mpf(1) if net > 0 else mpf(0)}[kind]


def forward(p, x):
    v = dict(zip(SPEC["inputs"], x))
    net = {}
    for L in LAYERS:
        nets = []
        for k, n in enumerate(L["neurons"]):
            z = sum(p[L["weights"][(n, s)][0]] * v[s] for s in L["sources"])
            b = bias_of(L, k)
            if b is not None:
                z += L["sign"] * p[b]
            nets.append(z)
        for n, z, a in zip(L["neurons"], nets, act(L["act"], nets)):
            net[n], v[n] = z, a
    return net, v


def errors(out, t):
    """Per-output error terms E_o and dE/dout_o."""
    loss, kind, n = SPEC["loss"], LAYERS[-1]["act"], len(OUTS)
    E, dE = {}, {}
    for o, tv in zip(OUTS, t):
        y = out[o]
        if loss == "half_sse":
            E[o], dE[o] = (tv - y) ** 2 / 2, y - tv
        elif loss == "mse":
            E[o], dE[o] = (tv - y) ** 2 / n, 2 * (y - tv) / n
        elif kind == "softmax":
            E[o], dE[o] = -tv * log(y), -tv / y
        else:
            E[o] = -(tv * log(y) + (1 - tv) * log(1 - y))
            dE[o] = -tv / y + (1 - tv) / (1 - y)
    return E, dE


def sample_loss(p, x, t):
    _, out = forward(p, x)
    return sum(errors(out, t)[0].values())


def backward(p, x, t):
    """Chain rule written out: returns the forward pass, E terms and every derivative by name."""
    net, out = forward(p, x)
    E, dEdout = errors(out, t)
    q = {}
    dout = dict(dEdout)  # dE_total/dout_n
    for li in range(len(LAYERS) - 1, -1, -1):
        L = LAYERS[li]
        ns = L["neurons"]
        if L["act"] == "softmax":
            dnet = {j: sum(dout[i] * out[i] * ((1 if i == j else 0) - out[j]) for i in ns) for j in ns}
        else:
            dnet = {n: dout[n] * slope(L["act"], net[n], out[n]) for n in ns}
            for n in ns:
                q[f"dout_{n}/dnet_{n}"] = slope(L["act"], net[n], out[n])
        for n in ns:
            q[f"dE_total/dout_{n}"] = dout[n]
            q[f"dE_total/dnet_{n}"] = q[f"delta_{n}"] = dnet[n]
        for k, n in enumerate(ns):
            for s in L["sources"]:
                w = L["weights"][(n, s)][0]
                q[f"dE_total/d{w}"] = dnet[n] * out[s] if s in out else dnet[n] * dict(zip(SPEC["inputs"], x))[s]
                q[f"dnet_{n}/d{w}"] = out[s] if s in out else dict(zip(SPEC["inputs"], x))[s]
            b = bias_of(L, k)
            if b is not None:
                q[f"dE_total/d{b}"] = q.get(f"dE_total/d{b}", 0) + L["sign"] * dnet[n]
        if li > 0:
            prev = LAYERS[li - 1]["neurons"]
            dout = {h: sum(dnet[n] * p[L["weights"][(n, h)][0]] for n in ns) for h in prev}
            for n in ns:
                for h in prev:
                    q[f"dnet_{n}/dout_{h}"] = p[L["weights"][(n, h)][0]]
                    if li == len(LAYERS) - 1 and L["act"] != "softmax":
                        q[f"dE_{n}/dout_{h}"] = dnet[n] * p[L["weights"][(n, h)][0]]
    for o in OUTS:
        q[f"dE_{o}/dout_{o}"] = dEdout[o]
        if LAYERS[-1]["act"] != "softmax":
            q[f"dE_{o}/dnet_{o}"] = q[f"delta_{o}"]
    return net, out, E, q


def check_fd(p, x, t, q):
    """Central finite differences confirm every parameter gradient of the chain rule."""
    h = mpf("1e-18")
    for name in p:
        up, dn = dict(p), dict(p)
        up[name] += h
        dn[name] -= h
        fd = (sample_loss(up, x, t) - sample_loss(dn, x, t)) / (2 * h)
        g = q[f"dE_total/d{name}"]
        assert abs(fd - g) <= mpf("1e-25") * max(1, abs(g)), (name, fd, g)


def batch_grad(p, samples):
    grads = {name: mpf(0) for name in p}
    for x, t in samples:
        q = backward(p, x, t)[3]
        check_fd(p, x, t, q)
        for name in p:
            grads[name] += q[f"dE_total/d{name}"]
    if REDUCTION == "mean":
        grads = {k: v / len(samples) for k, v in grads.items()}
    return grads


def update(p, grads):
    return {k: (v - ETA * grads[k] if trainable(k) else v) for k, v in p.items()}


def step_params(p, n):
    """Parameters after n updates: sgd takes the samples in turn, batch takes all of them."""
    for i in range(n):
        if UPDATE == "batch":
            p = update(p, batch_grad(p, SAMPLES))
        else:
            p = update(p, batch_grad(p, [SAMPLES[i % len(SAMPLES)]]))
    return p


def total_error(p):
    e = sum(sample_loss(p, x, t) for x, t in SAMPLES)
    return e / len(SAMPLES) if REDUCTION == "mean" and len(SAMPLES) > 1 else e


OUT = {}


def put(name, value):
    OUT[name] = value


def network_quantities():
    p0 = initial_params()
    multi = len(SAMPLES) > 1
    put("eta", ETA)
    for name, value in p0.items():
        put(name, value)
    for si, (x, t) in enumerate(SAMPLES):
        tag = f"[s{si + 1}]" if multi else ""
        net, out, E, q = backward(p0, x, t)
        check_fd(p0, x, t, q)
        rows = {**dict(zip(SPEC["inputs"], x)), **{f"target_{o}": v for o, v in zip(OUTS, t)}}
        rows.update({f"net_{n}": v for n, v in net.items()})
        rows.update({f"out_{n}": out[n] for n in net})
        rows.update({f"E_{o}": E[o] for o in OUTS})
        rows["E_total"] = sum(E.values())
        rows.update(q)
        for k, v in rows.items():
            put(k + tag, v)
            if multi and si == 0 and not (k == "E_total" or k.startswith("dE_total/d") and k[10:] in p0):
                put(k, v)  # a plain name is the first sample's (derive's reading)
    grads = batch_grad(p0, SAMPLES if UPDATE == "batch" else SAMPLES[:1])
    if multi:
        put("E_total", total_error(p0) if UPDATE == "batch" else OUT["E_total[s1]"])
        for k, v in grads.items():
            put(f"dE_total/d{k}", v)
    p1 = step_params(p0, 1)
    for k, v in p1.items():
        put(f"{k}@1", v)
    put("E_total@1", total_error(p1))
    net1, out1 = forward(p1, SAMPLES[0][0])
    for n in net1:
        put(f"net_{n}@1", net1[n])
        put(f"out_{n}@1", out1[n])


def show():
    for name, value in OUT.items():
        print(f"{name} = {mp.nstr(value, 30)}")

# ---- end of the engine ----


def extras():
    """The lecture rounds Y_hat to one decimal and works every gradient from it: the same backward
    pass from those numbers (exact arithmetic on the written values)."""
    yhat = [[D("0"), D("0.2")], [D("0.5"), D("0.7")], [D("0.5"), D("0.1")]]
    y = [[0, 0], [0, 1], [1, 0]]
    dz3 = [[yhat[k][i] - y[k][i] for i in range(2)] for k in range(3)]
    p = initial_params()
    x = [s[0] for s in SAMPLES]
    a1, a2, z1, z2 = [], [], [], []
    for xi in x:
        net, out = forward(p, xi)
        z1.append([net[n] for n in LAYERS[0]["neurons"]])
        a1.append([out[n] for n in LAYERS[0]["neurons"]])
        z2.append([net[n] for n in LAYERS[1]["neurons"]])
        a2.append([out[n] for n in LAYERS[1]["neurons"]])
    w3 = [[p[LAYERS[2]["weights"][(o, h)][0]] for h in LAYERS[1]["neurons"]] for o in OUTS]
    w2 = [[p[LAYERS[1]["weights"][(h, g)][0]] for g in LAYERS[0]["neurons"]] for h in LAYERS[1]["neurons"]]
    for k in range(3):
        for j in range(4):
            put(f"doc_dW3[{k + 1},{j + 1}]", sum(dz3[k][i] * a2[i][j] for i in range(2)))
    da2 = [[sum(w3[k][j] * dz3[k][i] for k in range(3)) for i in range(2)] for j in range(4)]
    dz2 = [[da2[j][i] * (1 if z2[i][j] > 0 else 0) for i in range(2)] for j in range(4)]
    for j in range(4):
        for g in range(3):
            put(f"doc_dW2[{j + 1},{g + 1}]", sum(dz2[j][i] * a1[i][g] for i in range(2)))
    da1 = [[sum(w2[j][g] * dz2[j][i] for j in range(4)) for i in range(2)] for g in range(3)]
    dz1 = [[da1[g][i] * (1 if z1[i][g] > 0 else 0) for i in range(2)] for g in range(3)]
    for g in range(3):
        put(f"doc_db1[{g + 1}]", dz1[g][0] + dz1[g][1])
        for c in range(4):
            put(f"doc_dW1[{g + 1},{c + 1}]", sum(dz1[g][i] * x[i][c] for i in range(2)))


if __name__ == "__main__":
    network_quantities()
    extras()
    show()
