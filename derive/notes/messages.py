"""Message catalogues: the prose of the notes in each language, kept out of Python.

`templates/messages/<lang>.toml` maps a key to a sentence; `@name` placeholders are filled with strings
the printers already made. `@` marks a placeholder because braces, backslashes and dollars belong to the
maths the sentences carry.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from types import MappingProxyType

CATALOGUE_DIR = "messages"


class _Message(string.Template):
    delimiter = "@"


@dataclass(frozen=True)
class Catalogue:
    lang: str
    messages: Mapping[str, str]

    def __call__(self, key: str, **values: object) -> str:
        """The message `key` with its placeholders filled; a missing key or value is a KeyError."""
        return _Message(self.messages[key]).substitute({k: str(v) for k, v in values.items()})


@cache
def catalogue(lang: str) -> Catalogue:
    """The catalogue of `lang` (one of LANGUAGES), read from the package's templates."""
    path = resources.files("derive.templates").joinpath(CATALOGUE_DIR, f"{lang}.toml")
    return Catalogue(lang, MappingProxyType(tomllib.loads(path.read_text(encoding="utf-8"))))
