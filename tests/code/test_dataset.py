"""derive train on a data file: the rows of a CSV or .npy file (a label column one-hot encoded, inputs
scaled), in batches of --batch-size in file order, against hand-written training; every problem of a
file is one line; a network far beyond the notes' iteration limit trains."""

from __future__ import annotations

import numpy as np
import pytest

from derive.code import dataset
from tests.helpers import run, write_spec
from tests.networks import layer, network, toml

GENDER_ROWS = [(-2, -1, 1), (25, 6, 0), (17, 4, 0), (-15, -6, 1)]


def _errors(out: str) -> dict[int, float]:
    return {int(line.split()[1].rstrip(":")): float(line.split()[-1]) for line in out.splitlines()}


def _csv(path, rows, header="x1,x2,y") -> str:
    path.write_text((header + "\n" if header else "") + "".join(",".join(map(str, r)) + "\n" for r in rows),
                    encoding="ascii")
    return str(path)


def test_a_csv_of_the_spec_samples_trains_as_the_spec_does(tmp_path, capsys) -> None:
    code, want, _ = run(["train", "gender", "--steps", "400"], capsys)
    assert code == 0
    for data in (_csv(tmp_path / "g.csv", GENDER_ROWS), str(tmp_path / "g.npy")):
        np.save(tmp_path / "g.npy", np.array(GENDER_ROWS, dtype=np.int8))
        code, got, err = run(["train", "gender", "--data", data, "--steps", "400"], capsys)
        assert code == 0 and err == "" and got == want


def _one_weight(tmp_path, data_table: str = "", update: str = "sgd", reduction: str = "sum") -> str:
    doc = network(["1"], ["0.5"], [layer(1, "identity", [["0.3"]], bias="none")], learning_rate="0.05",
                  update=update, reduction=reduction)
    return str(write_spec(tmp_path, toml(doc) + data_table))


def _by_hand(rows: list[tuple[float, float]], steps: int, batch: int, mean: bool, eta: float = 0.05) -> dict[int, float]:
    """out = w x, E = 1/2 (t - out)^2 per row: each update takes the next `batch` rows in file order."""
    w, found = 0.3, {}

    def error() -> float:
        total = sum(0.5 * (t - w * x) ** 2 for x, t in rows)
        return total / len(rows) if mean else total

    found[0] = error()
    for n in range(1, steps + 1):
        taken = [rows[((n - 1) * batch + k) % len(rows)] for k in range(batch)]
        g = sum((w * x - t) * x for x, t in taken)
        w -= eta * (g / batch if mean else g)
        found[n] = error()
    return found


@pytest.mark.parametrize("batch, mean", [(1, False), (3, False), (3, True), (7, True)])
def test_batches_take_the_rows_in_file_order_wrapping_around(batch, mean, tmp_path, capsys) -> None:
    rows = [(0.5 + 0.1 * k, 0.2 * k - 0.3) for k in range(7)]
    spec = _one_weight(tmp_path, reduction="mean" if mean else "sum")
    data = _csv(tmp_path / "rows.csv", rows, header="x,t")
    code, out, err = run(["train", spec, "--data", data, "--batch-size", str(batch), "--steps", "20"], capsys)
    assert code == 0, err
    want = _by_hand(rows, 20, batch, mean)
    for step, value in _errors(out).items():
        assert value == pytest.approx(want[step], rel=1e-8), step  # printed to 9 digits


def test_a_label_column_is_one_hot_and_inputs_are_scaled(tmp_path, capsys) -> None:
    """Pixels as bytes with scale 1/255 and a class column train as the scaled inputs and one-hot
    targets written out in full."""
    doc = network(["0.2", "0.4"], ["1", "0", "0"], [layer(2, "sigmoid", [["0.1", "0.2"], ["0.3", "0.4"]]),
                                             layer(3, "softmax", [["0.5", "0.6"], ["0.7", "0.8"], ["0.1", "0.9"]])],
                  loss="cross_entropy", steps=[1], update="batch", reduction="mean")
    spec = write_spec(tmp_path, toml(doc) + '\n[data]\nfile = "bytes.csv"\nlabel = "last"\nscale = 0.00392156862745098\n')
    pixels = [(10, 200, 2), (255, 0, 0), (30, 40, 1), (128, 64, 1)]
    _csv(tmp_path / "bytes.csv", pixels, header="p1,p2,class")
    expanded = [(x1 / 255, x2 / 255, *[1 if k == c else 0 for k in range(3)]) for x1, x2, c in pixels]
    _csv(tmp_path / "full.csv", [tuple(repr(v) for v in row) for row in expanded], header="")
    spec_full = write_spec(tmp_path, toml(doc), "full.toml")
    code, got, err = run(["train", str(spec), "--steps", "50"], capsys)
    assert code == 0, err
    code, want, _ = run(["train", str(spec_full), "--data", str(tmp_path / "full.csv"), "--steps", "50"], capsys)
    assert code == 0
    for (step, g), (_, w) in zip(_errors(got).items(), _errors(want).items()):
        assert g == pytest.approx(w, rel=1e-9), step


def test_a_file_is_read_in_chunks_into_the_smallest_exact_type(tmp_path, monkeypatch) -> None:
    from derive.model import network as net_module, spec

    monkeypatch.setattr(dataset, "CHUNK", 3)
    rows = [(k, 2 * k, k % 2) for k in range(7)] + [(0.5, 1.25, 1)]  # whole numbers, then a decimal
    path = _csv(tmp_path / "d.csv", rows)
    net = net_module.build(spec.load_preset("gender"))
    found = dataset.read(net, spec.data_table.DataSpec(path), tmp_path / "d.csv")
    assert found.count == 8 and found.inputs.dtype == np.float32  # uint8 chunks and one of float32
    x, y = found.take(6, 4)  # wraps past the last row
    assert x.tolist() == [[6, 12], [0.5, 1.25], [0, 0], [1, 2]] and y.tolist() == [[0], [1], [0], [1]]


BAD_FILES = [
    ("short.csv", "x1,x2,y\n1,2,3\n4,5\n", "short.csv: line 3: expected 3 numbers separated by commas, found 2"),
    ("word.csv", "1,2,3\n4,five,6\n", "word.csv: line 2, column 2: 'five' is not a number"),
    ("nan.csv", "1,2,3\n4,nan,6\n", "nan.csv: line 2, column 2: nan is not a finite number"),
    ("empty.csv", "x1,x2,y\n", "empty.csv: no rows of numbers"),
]


@pytest.mark.parametrize("name, text, message", BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_a_bad_csv_is_one_line_naming_the_line(name, text, message, tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / name).write_text(text, encoding="ascii")
    code, out, err = run(["train", "gender", "--data", name], capsys)
    assert code == 2 and out == "" and err == f"derive: error: {message}\n"


def test_other_bad_input_is_one_line(tmp_path, capsys, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    np.save("wide.npy", np.zeros((3, 4)))
    np.save("words.npy", np.array([["a", "b", "c"]]))
    _csv(tmp_path / "ok.csv", GENDER_ROWS)
    _one_weight(tmp_path, "\n[data]\nfile = \"labels.csv\"\nlabel = \"first\"\n")
    (tmp_path / "labels.csv").write_text("0,1\n1,2\n", encoding="ascii")
    cases = [
        (["gender", "--data", "wide.npy"], "wide.npy: expected a 2-D array of numbers with 3 columns (rows of samples), "
                                           "got shape (3, 4) of float64"),
        (["gender", "--data", "words.npy"], "words.npy: expected a 2-D array of numbers with 3 columns"),
        (["gender", "--data", "missing.csv"], "missing.csv: no such file"),
        (["gender", "--data", "ok.txt"], "ok.txt: expected a .csv or .npy file of samples for --data"),
        (["gender", "--data", "ok.csv", "--batch-size", "5"], "--batch-size 5: more than the 4 rows to train on"),
        (["net.toml"], "labels.csv: line 2, column 1: the label 1 is not a class 0 to 0 of the 1 outputs"),
    ]
    for argv, message in cases:
        code, out, err = run(["train", *argv], capsys)
        assert code == 2 and err.startswith(f"derive: error: {message}") and err.count("\n") == 1, argv


def test_a_network_beyond_the_notes_iteration_limit_trains(tmp_path, capsys) -> None:
    weights = [[f"0.{(3 * i + j) % 9 + 1}" for j in range(20)] for i in range(20)]
    doc = network([f"0.{k % 9 + 1}" for k in range(20)], ["0.5"] * 5,
                  [layer(20, "sigmoid", weights), layer(5, "sigmoid", [row for row in weights[:5]])], steps=[20000])
    path = write_spec(tmp_path, toml(doc))
    code, _, err = run(["render", str(path), "--out", str(tmp_path / "notes")], capsys)
    assert code == 2 and "units of work" in err
    code, out, err = run(["train", str(path)], capsys)
    assert code == 0 and max(_errors(out)) == 20000 and "error" not in err.replace("an error printed as 0", "")
