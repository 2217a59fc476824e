"""The walkthrough as a Jupyter notebook: its Markdown cut into cells at headings, then the generated
NumPy module and two cells that run it (the first update, then the training), ready to execute.

The notebook is built with nbformat (v4) and is deterministic: fixed cell ids, no outputs and no
execution counts, sorted keys, so that the same derivation gives the same bytes. Every word a reader
sees outside the walkthrough comes from `labels`, already translated by the caller; the code cells
print only names and numbers, one record a line:

    <parameter> <gradient> <new value>      (the first update, in network.params order)
    E_total <updates> <error>               (the error over all samples after that many updates)
"""

from __future__ import annotations

import re
from collections.abc import Mapping

import nbformat
from nbformat import v4

from derive.maths.derivation import Derivation
from derive.model.network import Network

# The strings of the code section, in the order they appear: two headings of level 3 under one of
# level 2, each followed by a paragraph of prose.
LABEL_KEYS = ("code_heading", "code_intro", "update_heading", "update_intro", "train_heading", "train_intro")

NUMBER = ":.9g"  # the format of every printed number
KERNELSPEC = {"display_name": "Python 3", "language": "python", "name": "python3"}

_HEADING = re.compile(r"#{1,3}(?:[ \t]|$)")  # where a Markdown cell starts: #, ## and ### headings
_FENCE = re.compile(r"(`{3,}|~{3,})")
_MAIN_GUARD = re.compile(r"""^if __name__ == (["'])__main__\1:[ \t]*$""", re.MULTILINE)
_STYLE = re.compile(r'^STYLE = "(scalar|vector)"[ \t]*$', re.MULTILINE)


def notebook(markdown_text: str, code: str, d: Derivation, lang: str, labels: Mapping[str, str],
             names: str = "", total: str = "E_total") -> str:
    """The notebook (nbformat v4 JSON text, ending in a newline) of the walkthrough `markdown_text`
    and the generated module `code` of `d`; `lang` is recorded in the notebook's metadata. `names`, a
    Markdown table of the code's names beside the walkthrough's symbols, goes before the code; `total`
    is the total error's name in the code and in the lines the cells print."""
    _check_labels(labels)
    if not isinstance(lang, str) or not lang:
        raise ValueError("notebook: lang must be a non-empty string")
    style = code_style(code)
    sources: list[tuple[str, str]] = [("markdown", cell) for cell in split_markdown(markdown_text)]
    sources += [
        ("markdown", f"## {labels['code_heading']}\n\n{labels['code_intro']}" + (f"\n\n{names}" if names else "")),
        ("code", strip_main(code)),
        ("markdown", f"### {labels['update_heading']}\n\n{labels['update_intro']}"),
        ("code", update_cell(d, style, total)),
        ("markdown", f"### {labels['train_heading']}\n\n{labels['train_intro']}"),
        ("code", train_cell(total)),
    ]
    cells = [v4.new_markdown_cell(text, id=f"cell-{i}") if kind == "markdown"
             else v4.new_code_cell(text, id=f"cell-{i}") for i, (kind, text) in enumerate(sources, start=1)]
    metadata = {"kernelspec": dict(KERNELSPEC), "language_info": {"name": "python"},
                "derive": {"lang": lang, "network": d.network.name, "style": style}}
    nb = v4.new_notebook(cells=cells, metadata=metadata)
    nbformat.validate(nb)
    text = nbformat.writes(nb, version=4)
    return text if text.endswith("\n") else text + "\n"


def _check_labels(labels: Mapping[str, str]) -> None:
    missing = [key for key in LABEL_KEYS if key not in labels]
    if missing:
        raise ValueError(f"notebook: labels missing: {', '.join(missing)}")
    wrong = [key for key in LABEL_KEYS if not isinstance(labels[key], str)]
    if wrong:
        raise ValueError(f"notebook: labels not strings: {', '.join(wrong)}")


def split_markdown(text: str) -> list[str]:
    """`text` cut before every #, ## and ### heading, each piece without its surrounding blank lines.

    A line inside a `$$ ... $$` block or a fenced code block never starts a cell; nor does a table
    row, which never begins with `#`. Text before the first heading, if any, is a cell of its own.
    """
    pieces: list[list[str]] = [[]]
    in_math = False
    fence = ""
    for line in text.splitlines():
        stripped = line.strip()
        if fence:
            if stripped.startswith(fence):
                fence = ""
        elif in_math:
            in_math = stripped.count("$$") % 2 == 0
        elif (m := _FENCE.match(stripped)) is not None:
            fence = m.group(1)
        else:
            if _HEADING.match(line):
                pieces.append([])
            in_math = stripped.count("$$") % 2 == 1
        pieces[-1].append(line)
    cells = ["\n".join(piece).strip("\n") for piece in pieces]
    return [cell for cell in cells if cell.strip()]


def strip_main(code: str) -> str:
    """The module without its `if __name__ == "__main__":` block: definitions and constants only."""
    match = _MAIN_GUARD.search(code)
    if match is None:
        return code.rstrip()
    rest = code[match.end():].split("\n")
    body = 1  # the guard's own (rest of the) line
    while body < len(rest) and (not rest[body].strip() or rest[body][:1] in (" ", "\t")):
        body += 1
    kept = code[:match.start()] + "\n".join(rest[body:])
    return kept.rstrip()


def code_style(code: str) -> str:
    """The style the module was generated in, from its `STYLE` constant."""
    match = _STYLE.search(code)
    if match is None:
        raise ValueError('notebook: the code has no STYLE = "scalar" or STYLE = "vector" line')
    return match.group(1)


def _printed(expr: str) -> str:
    """An f-string literal printing `expr` the way every number of the notebook is printed."""
    return f'f"{{{expr}{NUMBER}}}"'


def update_cell(d: Derivation, style: str, total: str = "E_total") -> str:
    """Code printing the first update (each parameter, its gradient, its new value) and the error
    before and after it, with the generated module's own functions."""
    first = "updated = step(params, X, Y)"
    if not d.network.spec.training.optimizer.plain:  # the optimizer's step also takes and gives its state
        first = "updated, state = step(params, X, Y, initial_state(params))"
    lines = ["params = initial_params()", "X, Y = batch(1)", "grads = gradients(params, X, Y)", first]
    if style == "scalar":
        lines += ["for name in params:",
                  f'    print(name, {_printed("grads[name]")}, {_printed("updated[name]")})']
    else:
        lines += ["PLACES = {"]
        lines += [f'    "{name}": ("{array}", {index!r}),' for name, (array, index) in vector_places(d.network).items()]
        lines += ["}", "for name, (array, index) in PLACES.items():",
                  f'    print(name, {_printed("grads[array][index]")}, {_printed("updated[array][index]")})']
    lines += [f'print("{total}", 0, {_printed("loss(params, INPUTS, TARGETS)")})',
              f'print("{total}", 1, {_printed("loss(updated, INPUTS, TARGETS)")})']
    return "\n".join(lines)


def vector_places(network: Network) -> dict[str, tuple[str, tuple[int, ...]]]:
    """Where each parameter (in network.params order) sits in the vector style's arrays: W<l>[j, i]
    is the weight of link i of neuron j in layer l, b<l> the layer's bias (one value, or one per neuron)."""
    places: dict[str, tuple[str, tuple[int, ...]]] = {}
    for number, (layer, spec_layer) in enumerate(zip(network.layers, network.spec.layers), start=1):
        for j, n in enumerate(layer):
            for i, k in enumerate(n.links):
                places[k.weight.name] = (f"W{number}", (j, i))
        for j, name in enumerate(spec_layer.bias.names):
            places[name] = (f"b{number}", () if spec_layer.bias.mode == "shared" else (j,))
    missing = [p.name for p in network.params if p.name not in places]
    if missing:
        raise ValueError(f"notebook: no array holds the parameters {', '.join(missing)}")
    return {p.name: places[p.name] for p in network.params}


def train_cell(total: str = "E_total") -> str:
    """Code training to the last of the spec's steps, printing the error at each of them."""
    return "\n".join([
        "def report(number, params):",
        "    if number in STEPS:",
        f'        print("{total}", number, {_printed("loss(params, INPUTS, TARGETS)")})',
        "",
        "",
        "trained = train(initial_params(), STEPS[-1], report)",
    ])


TRAIN_CELL = train_cell()
