"""Notation profiles of the notes: every symbol's glyph. The tables live in `derive.model.notation`, where
the checker reads them too (it reads back what the notes print); the notes use them from here."""

from derive.model.notation import (  # noqa: F401  (the notes' names for the shared tables)
    _BUILDERS,
    GREEK_LETTERS,
    Glyph,
    Notation,
    NotationError,
    classic_glyph,
    latex,
    name_glyph,
    notation_for,
    text,
)
