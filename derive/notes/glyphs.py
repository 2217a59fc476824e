"""Which characters the Chinese PDF can print: its font (Noto Serif CJK SC, Debian's fonts-noto-cjk) has a
glyph for nearly every CJK character and punctuation mark, but not for all (a few recent CJK additions,
U+9FEB to U+9FEF), and XeLaTeX drops such a character with nothing but a line in its log. A title holding
one is refused instead.

COVERED is a bitmap of the code points U+3000 to U+FFEF that the font's SC face maps to a glyph,
zlib-compressed and base64-encoded; a test compares it with the installed font's character map.
"""

from __future__ import annotations

import base64
import functools
import zlib

FONT = "Noto Serif CJK SC"
FIRST, LAST = 0x3000, 0xFFEF
COVERED = (
    "eNrt2EEKgCAQQFGhRcsuEHSUjjZX7QYtayFOpklREQXa6r/FMIwowyxEVI2cJrKn3nBaVQmxCcEcKk9GBZBNbxJmAQAAgNdqgw/8"
    "xLoCZwIAfrL+W8q8pQCQ433WX/d35TusYpeTys1t5u47FWttK7IA7AqsPg=="
)


@functools.cache
def _bitmap() -> bytes:
    return zlib.decompress(base64.b64decode(COVERED))


def printable(char: str) -> bool:
    """True when the Chinese PDF's font has a glyph for `char` (ASCII is set in Latin Modern)."""
    code = ord(char)
    if code < 0x80:
        return True
    if not FIRST <= code <= LAST:
        return False
    offset = code - FIRST
    return bool(_bitmap()[offset // 8] >> (offset % 8) & 1)


def unprintable(text: str) -> list[str]:
    """The characters of `text` without a glyph, each once, in order."""
    return list(dict.fromkeys(c for c in text if not printable(c)))
