"""The options of one render, in one frozen object passed down instead of five parallel arguments.

The command line builds a `NotesRequest` from its flags; every function that writes part of the notes
reads the option it needs from it. Each option is checked once, here.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.notes import ALL, DEFAULT_DIGITS, FORMATS, LANGUAGES, MAX_DIGITS, PROFILES


class RequestError(ValueError):
    """An option outside its choices (the command line's parser rejects these first)."""


@dataclass(frozen=True)
class NotesRequest:
    """What to write and how: `formats`, `lang`, notation profile, significant `digits`, `brief`, `full`.

    `brief` leaves out how each local derivative is obtained; `full` derives every neuron and parameter in
    full (by default one of each per layer, the others as a table of their numbers).
    """

    formats: tuple[str, ...] = ("md",)
    lang: str = "en"
    notation: str = "classic"
    digits: int = DEFAULT_DIGITS
    brief: bool = False
    full: bool = False

    def __post_init__(self) -> None:
        _choice("format", self.formats, FORMATS)
        _choice("language", (self.lang,), LANGUAGES)
        _choice("notation", (self.notation,), PROFILES)
        if isinstance(self.digits, bool) or not isinstance(self.digits, int) or not 1 <= self.digits <= MAX_DIGITS:
            raise RequestError(f"digits: expected a whole number from 1 to {MAX_DIGITS}, got {self.digits!r}")

    @property
    def narrate(self) -> bool:
        """Whether each local derivative is explained rule by rule."""
        return not self.brief


def _choice(what: str, given: tuple[str, ...], choices: tuple[str, ...]) -> None:
    for value in given:
        if value not in choices:
            raise RequestError(f"{what}: expected one of {', '.join(choices)}, got {value!r}")


def formats_of(choice: str) -> tuple[str, ...]:
    """The formats `--format` names: one, or every one for `all`."""
    return FORMATS if choice == ALL else (choice,)
