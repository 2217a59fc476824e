"""The files of one `derive exercise`, by path relative to its folder (a contract scripts rely on):
`sheets/variant-<id>.<format>`, `keys/variant-<id>.md` (the variant's walkthrough), `key.json`,
`key.csv`, `moodle.xml`, `quiz.gift` and `checksums.sha256` (the SHA-256 of every other file, which
`derive grade` checks). Nothing is written here: the command line writes all or none.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from derive.course import exports, keyfile, keys, sheets
from derive.course.exercise import Exercise, Variant
from derive.notes import files as note_files
from derive.notes import layer_files, walkthrough
from derive.notes.request import NotesRequest

KEY_DIR = "keys"
TOP_FILES = frozenset({"key.json", "key.csv", "moodle.xml", "quiz.gift", keyfile.CHECKSUMS})


# The sheets in any format, their figures, the keys and their figures: an exercise's set as a whole
# (sheets of another seed beside a new key would not match it); nothing else in those folders.
_OWN = re.compile("|".join((rf"{sheets.SHEET_DIR}/variant-[^/]+\.(?:md|pdf|html)",
                            rf"{sheets.SHEET_DIR}/{sheets.FIGURE_DIR}/variant-[^/]+\.svg",
                            rf"{KEY_DIR}/variant-[^/]+\.md",
                            rf"{KEY_DIR}/{sheets.FIGURE_DIR}/variant-[^/]+/[^/]+\.svg")))


def is_exercise_file(path: PurePosixPath) -> bool:
    """True for a path an exercise writes (an earlier exercise's files are replaced as a whole)."""
    return path.as_posix() in TOP_FILES or _OWN.fullmatch(path.as_posix()) is not None


def key_walkthrough(v: Variant, lang: str, notation: str) -> dict[str, str | bytes]:
    """keys/variant-<id>.md, the walkthrough of the variant, and its figures in keys/figures/variant-<id>/."""
    request = NotesRequest(("md",), lang, notation)
    folder = f"{sheets.FIGURE_DIR}/variant-{v.id}"
    if v.derivation.network.graph is not None:  # convolution, pooling or recurrent layers: their own notes
        text, pictures = layer_files.keyed_markdown(v.derivation, request, folder)
        return {f"{KEY_DIR}/variant-{v.id}.md": text, **{f"{KEY_DIR}/{path}": svg for path, svg in pictures.items()}}
    fs = note_files.figure_set(v.derivation, request)
    views = walkthrough.figure_views(fs, "md", request)
    moved: dict[str, Any] = {key: _moved(view, folder) for key, view in views.items() if key != "paths"}
    moved["paths"] = {name: _moved(view, folder) for name, view in views["paths"].items()}
    found: dict[str, str | bytes] = {
        f"{KEY_DIR}/variant-{v.id}.md": walkthrough.render(v.derivation, "md", request, moved)}
    found.update({f"{KEY_DIR}/{folder}/{key}.svg": text for key, text in
                  fs.printed(note_files.svg.figure, note_files.svg.curve).items()})
    return found


def _moved(view: dict[str, str], folder: str) -> dict[str, str]:
    """A figure's view with its SVG in the variant's own folder (figure names repeat between variants)."""
    return {**view, "path": f"{folder}/{view['path'].rpartition('/')[2]}"}


def files(ex: Exercise, fmt: str, lang: str, notation: str) -> dict[str, str | bytes]:
    """Every file of the exercise."""
    found = sheets.files(ex, fmt, lang, notation)
    for v in ex.variants:
        found.update(key_walkthrough(v, lang, notation))
    found["key.json"] = keys.key_json(ex)
    found["key.csv"] = keys.key_csv(ex)
    found["moodle.xml"] = exports.moodle_xml(ex, lang)
    found["quiz.gift"] = exports.gift(ex, lang)
    found[keyfile.CHECKSUMS] = keyfile.checksums(found)
    return dict(sorted(found.items()))
