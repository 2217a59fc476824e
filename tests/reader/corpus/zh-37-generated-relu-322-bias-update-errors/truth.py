"""An independent computation of every quantity of the network in spec.toml, with mpmath at 50 digits.

Forward pass, loss, every gradient by the chain rule written out (each confirmed by central finite
differences), one update and what follows it; prints `name = value` lines in the names of a claim
(net_h1, out_o1, E_total, delta_o1, dE_total/dw5, dout_o1/dnet_o1, w5@1, E_total@1, ...). The part of
this file after "This document" adds the values the document's own working needs. No derive import.
"""

import tomllib
from pathlib import Path

import mpmath as mp

mp.mp.dps = 50
SPEC = tomllib.loads(Path(__file__).with_name("spec.toml").read_text(encoding="utf-8"), parse_float=mp.mpf)
OUT: dict[str, mp.mpf] = {}


def num(x):
    return mp.mpf(x) if not isinstance(x, mp.mpf) else x


def letters(k):
    """Spreadsheet-column letters: 0 -> a, 25 -> z, 26 -> aa."""
    s = ""
    k += 1
    while k:
        k, r = divmod(k - 1, 26)
        s = chr(97 + r) + s
    return s


def build(spec):
    """The network as lists: inputs, layers of neurons with weights and biases, parameters in order."""
    raw = spec["inputs"]
    inputs = list(raw) if isinstance(raw, list) else [f"i{k + 1}" for k in range(raw)]
    hidden = len(spec["layers"]) - 1
    params, layers, nw, nb, fan_in = {}, [], 0, 0, len(inputs)
    for li, layer in enumerate(spec["layers"]):
        names = layer["neurons"]
        if not isinstance(names, list):
            prefix = "o" if li == hidden else ("h" if hidden == 1 else "h" + letters(li))
            names = [f"{prefix}{k + 1}" for k in range(names)]
        wn = layer.get("weight_names")
        rows = []
        for r, name in enumerate(names):
            row = []
            for c in range(fan_in):
                nw += 1
                wname = wn[r][c] if wn else f"w{nw}"
                params[wname] = {"value": num(layer["weights"][r][c]), "trainable": True, "kind": "weight"}
                row.append(wname)
            rows.append(row)
        bias = layer.get("bias", {"mode": "none"})
        mode = bias.get("mode", "per_neuron")
        count = {"none": 0, "shared": 1, "per_neuron": len(names)}[mode]
        values = bias.get("values", [0] * count)
        bnames = []
        for k in range(count):
            nb += 1
            bname = bias["names"][k] if "names" in bias else f"b{nb}"
            params[bname] = {"value": num(values[k]), "trainable": bias.get("trainable", True), "kind": "bias"}
            bnames.append(bname)
        sign = -1 if bias.get("form", "bias") == "threshold" else 1
        neurons = [{"name": n, "weights": rows[r], "bias": (bnames[0] if mode == "shared" else bnames[r]) if count else None,
                    "sign": sign} for r, n in enumerate(names)]
        layers.append({"neurons": neurons, "activation": layer["activation"]})
        fan_in = len(names)
    return inputs, layers, params


INPUTS, LAYERS, PARAMS = build(SPEC)
OUTPUTS = [n["name"] for n in LAYERS[-1]["neurons"]]
SAMPLES = [(s.get("name", f"s{k + 1}"), [num(x) for x in s["inputs"]], [num(t) for t in s["targets"]])
           for k, s in enumerate(SPEC["samples"])]
TRAINING = SPEC["training"]
ETA = num(TRAINING["learning_rate"])
LOSS = SPEC["loss"]


def act(name, z):
    return {"sigmoid": lambda: 1 / (1 + mp.exp(-z)), "tanh": lambda: mp.tanh(z),
            "relu": lambda: z if z > 0 else mp.mpf(0), "identity": lambda: z}[name]()


def slope(name, z, a):
    """d out / d net of an activation applied entry by entry, at net z with out a."""
    return {"sigmoid": lambda: a * (1 - a), "tanh": lambda: 1 - a * a,
            "relu": lambda: mp.mpf(1) if z > 0 else mp.mpf(0), "identity": lambda: mp.mpf(1)}[name]()


def forward(p, x):
    """net and out of every neuron."""
    v = dict(zip(INPUTS, x))
    src, nets, outs = list(INPUTS), {}, {}
    for layer in LAYERS:
        for n in layer["neurons"]:
            z = mp.fsum(p[w] * v[s] for w, s in zip(n["weights"], src))
            if n["bias"]:
                z += n["sign"] * p[n["bias"]]
            nets[n["name"]] = z
        names = [n["name"] for n in layer["neurons"]]
        if layer["activation"] == "softmax":
            m = max(nets[k] for k in names)
            e = {k: mp.exp(nets[k] - m) for k in names}
            s = mp.fsum(e.values())
            outs.update({k: e[k] / s for k in names})
        else:
            outs.update({k: act(layer["activation"], nets[k]) for k in names})
        v.update({k: outs[k] for k in names})
        src = names
    return nets, outs


def errors(outs, t):
    """E_o of every output for one sample."""
    n = len(OUTPUTS)
    e = {}
    for o, tk in zip(OUTPUTS, t):
        a = outs[o]
        if LOSS == "half_sse":
            e[o] = (tk - a) ** 2 / 2
        elif LOSS == "mse":
            e[o] = (tk - a) ** 2 / n
        elif LAYERS[-1]["activation"] == "softmax":
            e[o] = -tk * mp.log(a) if tk else mp.mpf(0)
        else:
            e[o] = -(tk * mp.log(a) + (1 - tk) * mp.log(1 - a))
    return e


def sample_error(p, x, t):
    return mp.fsum(errors(forward(p, x)[1], t).values())


def backward(p, x, t):
    """The chain rule written out: dE/dout, dout/dnet, delta = dE/dnet of every neuron, dE/dparam."""
    nets, outs = forward(p, x)
    n = len(OUTPUTS)
    d_out, d_net, local = {}, {}, {}
    last = LAYERS[-1]
    for o, tk in zip(OUTPUTS, t):
        a = outs[o]
        if LOSS == "half_sse":
            d_out[o] = a - tk
        elif LOSS == "mse":
            d_out[o] = 2 * (a - tk) / n
        elif last["activation"] == "softmax":
            d_out[o] = -tk / a
        else:
            d_out[o] = -(tk / a - (1 - tk) / (1 - a))
    if last["activation"] == "softmax":
        for j in OUTPUTS:
            d_net[j] = mp.fsum(d_out[k] * outs[k] * ((1 if k == j else 0) - outs[j]) for k in OUTPUTS)
    else:
        for o in OUTPUTS:
            local[o] = slope(last["activation"], nets[o], outs[o])
            d_net[o] = d_out[o] * local[o]
    for li in range(len(LAYERS) - 2, -1, -1):
        layer, above = LAYERS[li], LAYERS[li + 1]
        for r, nrn in enumerate(layer["neurons"]):
            h = nrn["name"]
            d_out[h] = mp.fsum(d_net[m["name"]] * p[m["weights"][r]] for m in above["neurons"])
            local[h] = slope(layer["activation"], nets[h], outs[h])
            d_net[h] = d_out[h] * local[h]
    grads = {k: mp.mpf(0) for k in p}
    src = list(INPUTS)
    values = dict(zip(INPUTS, x))
    values.update(outs)
    for layer in LAYERS:
        for nrn in layer["neurons"]:
            for w, s in zip(nrn["weights"], src):
                grads[w] += d_net[nrn["name"]] * values[s]
            if nrn["bias"]:
                grads[nrn["bias"]] += nrn["sign"] * d_net[nrn["name"]]
        src = [nrn["name"] for nrn in layer["neurons"]]
    return nets, outs, d_out, local, d_net, grads


def check_by_differences(p, x, t, grads):
    """Every gradient of the chain rule agrees with a central difference (step 1e-20, error ~1e-40)."""
    h = mp.mpf("1e-20")
    for k in p:
        up, down = dict(p), dict(p)
        up[k] += h
        down[k] -= h
        fd = (sample_error(up, x, t) - sample_error(down, x, t)) / (2 * h)
        assert abs(fd - grads[k]) <= mp.mpf("1e-25") * max(1, abs(fd)), (k, fd, grads[k])


def reduce(values):
    return mp.fsum(values) / (len(values) if TRAINING.get("reduction", "sum") == "mean" else 1)


def batch_error(p):
    return reduce([sample_error(p, x, t) for _, x, t in SAMPLES])


def gradient_for_update(p, k):
    """The gradient update k (1-based) learns from: one sample in turn (sgd) or all of them (batch)."""
    if TRAINING.get("update", "sgd") == "batch":
        per = [backward(p, x, t)[5] for _, x, t in SAMPLES]
        return {q: reduce([g[q] for g in per]) for q in p}
    _, x, t = SAMPLES[(k - 1) % len(SAMPLES)]
    return backward(p, x, t)[5]


def step(p, k):
    g = gradient_for_update(p, k)
    return {q: p[q] - ETA * g[q] if PARAMS[q]["trainable"] else p[q] for q in p}


def emit(name, value):
    OUT[name] = value
    print(f"{name} = {mp.nstr(value, 25)}")


def report_sample(p, x, t, suffix, at="", total=True):
    nets, outs, d_out, local, d_net, grads = backward(p, x, t)
    e = errors(outs, t)
    for layer in LAYERS:
        for nrn in layer["neurons"]:
            n = nrn["name"]
            emit(f"net_{n}{at}{suffix}", nets[n])
            emit(f"out_{n}{at}{suffix}", outs[n])
    for o in OUTPUTS:
        emit(f"E_{o}{at}{suffix}", e[o])
    if total:
        emit(f"E_total{at}{suffix}", mp.fsum(e.values()))
    if at:
        return
    for n in d_net:
        emit(f"dE_total/dout_{n}{suffix}", d_out[n])
        emit(f"delta_{n}{suffix}", d_net[n])
        emit(f"dE_total/dnet_{n}{suffix}", d_net[n])
        if n in local:
            emit(f"dout_{n}/dnet_{n}{suffix}", local[n])
    if LAYERS[-1]["activation"] == "softmax":
        for k in OUTPUTS:
            for j in OUTPUTS:
                emit(f"dout_{k}/dnet_{j}{suffix}", outs[k] * ((1 if k == j else 0) - outs[j]))
    for q in grads:
        emit(f"dE_total/d{q}{suffix}", grads[q])


def main():
    p0 = {k: v["value"] for k, v in PARAMS.items()}
    for k, v in p0.items():
        emit(k, v)
    emit("eta", ETA)
    many = len(SAMPLES) > 1
    for s, (name, x, t) in enumerate(SAMPLES):
        for i, xi in zip(INPUTS, x):
            emit(f"{i}[{name}]" if many else i, xi)
        for o, tk in zip(OUTPUTS, t):
            emit(f"target_{o}[{name}]" if many else f"target_{o}", tk)
        check_by_differences(p0, x, t, backward(p0, x, t)[5])
        if many:
            report_sample(p0, x, t, f"[{name}]")
        if s == 0:
            report_sample(p0, x, t, "", total=not many)
    if many:  # the batch's error and, for batch updates, its gradient (sgd: the first sample's, above)
        emit("E_total", batch_error(p0))
        if TRAINING.get("update", "sgd") == "batch":
            for q, g in gradient_for_update(p0, 1).items():
                emit(f"dE_total/d{q}", g)
    p = p0
    for k in range(1, max(UPDATES) + 1):
        p = step(p, k)
        if k in UPDATES:
            for q in p:
                emit(f"{q}@{k}", p[q])
            for s, (name, x, t) in enumerate(SAMPLES):
                if many:
                    report_sample(p, x, t, f"[{name}]", at=f"@{k}")
                if s == 0:
                    report_sample(p, x, t, "", at=f"@{k}", total=not many)
            if many:
                emit(f"E_total@{k}", batch_error(p))
    return p0


UPDATES = [1]
# ---- This document ----

P0 = main()

M = mp.mpf
# The article's working from its own numbers.
emit("doc:0.1*1 + 0.2*0 + 0.3*1", M("0.1") + M("0.3"))
emit("doc:0.4*1 + 0.5*0 + 0.6*1", M("0.4") + M("0.6"))
emit("doc:0.1*0.4 + 0.2*1.0 + 0.3*0", M("0.1") * M("0.4") + M("0.2") * M("1.0"))
emit("doc:0.3*0.4 + 0.4*1.0 + 0.6*0", M("0.3") * M("0.4") + M("0.4") * M("1.0"))
emit("doc:1/2 ((0.07 - 1)^2 + (0.17 - 0)^2)", ((M("0.07") - 1) ** 2 + M("0.17") ** 2) / 2)
emit("doc:1/2 (0.07 - 1)^2 + (0.17 - 0)^2", (M("0.07") - 1) ** 2 / 2 + M("0.17") ** 2)
emit("doc:0.93*0.4", M("0.93") * M("0.4"))
emit("doc:0.1 - 0.01*0.93*0.4", M("0.1") - M("0.01") * M("0.93") * M("0.4"))
emit("doc:0.2 - 0.01*0.93*1", M("0.2") - M("0.01") * M("0.93"))
emit("doc:0.1 - 0.01*0.93", M("0.1") - M("0.01") * M("0.93"))
emit("doc:0.1 - 0.01*0.372", M("0.1") - M("0.01") * M("0.372"))
