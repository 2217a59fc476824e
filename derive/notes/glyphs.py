"""Which characters the Chinese PDF can print: its font (FandolSong, ctex's `fontset=fandol`) has no glyph
for about 13,000 of the CJK characters and 33 of the CJK punctuation marks a Chinese title may hold, and
XeLaTeX drops such a character with nothing but a line in its log. A title is refused instead.

COVERED is a bitmap of the code points U+3000 to U+FFEF that FandolSong-Regular.otf maps to a glyph,
zlib-compressed and base64-encoded; a test compares it with the installed font's character map.
"""

from __future__ import annotations

import base64
import functools
import zlib

FONT = "FandolSong-Regular.otf"
FIRST, LAST = 0x3000, 0xFFEF
COVERED = (
    "eNrtmX1QE9cWwM8um7CEAJsPMKKVTQgQ0GJAUAQrSwgaPrSxBIuiFZBatH2Uqn1Wsc0SA0bAGqNV2j5KoH5ES2tRrIq1IDKK2hYQ"
    "q7S1EvxA26pY0UYNsF1wOu28efPevJn35r0/+O0fe3bPnbt7zz33nHPn7mOcMOgC1CDzO17wh6zH7UM3F/in/Cv9CCOM8N+hVF+g"
    "r3smrdfmXNgXj7pTauf0rxwFE8qYvMdXo5+6bUN71rU+KEuL1Ng/Yo5Y5nWmf3RO8eNFko5qXvcg+QYvgar32Z6tB52pgxSTxN0W"
    "qRRcbJNqUkg6W23PV/Da3TEaxTC6YPxfxfICZ0zQpGu+keW9Ue31qEJke7mh9cWTEwUvn963KSI1vfqk3Pp2kPtNr1jPxhLeiz+L"
    "QXoqq6o7MLkZvv7o1OD5rjNHi1ZGkzv/slht8ow9V/om0xsz39F786xzckaix8AYHXJnalrn66GdDb57LvY1/HrlJX5dk0GEV5wv"
    "bZtfvFR7b6V9XuUm4QFa98my/OUv1K2pqMmM7zCfLt8/twTyzSKx33Oj7Y04iheaCQyz3BqlmNSTPjFlM+5wm110f11/6r4WyVoJ"
    "H+9aJkb4LRG7BVZz0HWFTCUyTgIiwhInl5Cq8Vz+BYjH06sh5DjxXWLgVmv+tro7lue3nb3HCdCl+18O+DI7qhVLoviVkQoBlDwW"
    "8TYHo3OJeC6JNWN3jQAYH7AJWVyhTpDMQwGEjewsvYMgcLRh7bjxO4++b9Pr+auv3ic87L9mZFWe610eWUcImaBWf5W+DS3mhnX4"
    "eUbvrRLiGLo8IE7xJdWmacsmMumxEAzvESAGkAHQYlKB5fac/SAzb/OKWHvumamRhLLFE1/AtJc5L3QrbsYDd7bJw7uz2W/j3g3d"
    "u2Q+yJzb0rmTS30P+e1ORV+yhr+x/5T/lldkP+qvrYy+uoks91QEBP6tIbFBEq6rSTwyd3QmX3bwhDODG3+VLPsWBxoWygLKErsB"
    "SxHJzWOaKaOXD1BwrT1u4MbGyboKe2nBOLeWwcRzAu6djVNGy+rvr/qh8lbfd3eL41W3YjdiS155LG18e3ETv+JiAvLxqnfT5lxJ"
    "ULsv0VUFHX43PT5Cu+MeR3ycrsa96pA8VdSanT8ceuWdhDTzqJQ4g9h/2qX8s+SWK8tSJAeRMknpe/vrC8PXdDbD9b4T2KzzUdVV"
    "Vcu1nuX9O5473q7eKmgijYmEClCIjhNWdLhNrLVRx8LlszqS2/x372uz8Kper/n4R8SX9lsVYBljreo6Q6LcshX652OAcW+DZbSJ"
    "bK4KBk7IjqINlL+PLJdDC0hBNYaV5yTmVou+8VeOppdacHStwISQfCsXM53gFckWm3GkNBBQoYDaAhxfcMOfLE+cwAAqwbikRYig"
    "g5hxzOXQFA8U+7xsia2fh5YpZPaqgk2XWyOlp7i1D0Wuadl5W0aXPM7zdCp9HmkmfvXzm5Z042xrSuian26Pm5t40iyQp0bf/L5V"
    "XviLRLU4dcHeceTKDnlBvThBkpm+AVqgMdcQV7vDeGHCZ+X1zau2bDXMMERhT30x+3ijQjhHl+nt3b6CJiyQhHqhgcdFLS5qQGUT"
    "cCBVYJbFSQ5ntUtnrAyHhyUxXkVQ2nbULAPuUlcVHQ/kXNC2xfMDCKN4HSIIUeFxEYbuTEJIkYgCvG/00mHqvSeb5D2iGow2ftru"
    "4pdVpHLpq4zlqW++EfjCuRNKsgiQ2oBZ5iSVCTuzkc/Z7aKqkmFUbjHCz0lbTaBgvYwHHqdKNYiWdkEwwDDtwsY2mrDytiuO7psl"
    "/ZaYnsPXrWsxXdgV0xm74vOglcmXPESW8dOqSh2hU9s9lNq2CeUuq88nJnEJyseYc/3i6fpGn1TLeChO+NDuXQou/LzRcCUsn9u4"
    "0yfYBiQ9tuaxpts1/MLBm+GbF1Vpr5PQTxP08pKKvajfXJlnGBcEWzEZhau0EmJBvEtL/84qmjNpB2A0xctLDgks7NyLBM/KNavd"
    "qJJ6KtMAGNq+PkPaU5u1CjcqPaimpTuoXekbw5NeW8hLs7/3/NMcaleSVFGrPBkrRDqEvMDsGQYtfZiimzDodlcCIFpJFKC7folQ"
    "ey6vjrSfKyyExLDQzZ7rTW6oDhBqRtxJFDXghDp33B7AuFluW4hhHzNpDLkGUFIQiAsxs6acaei9wTANTG8vM8A4BxvYOo4TAQeK"
    "uDO3q2Q64prFwDkg00UULla5+xZEPRBdd/1pT8o0XQIUt9of+WqOTbmz7f6i/Ma39jcsiszpWZQA5hnx1MIYbvcyEcMpQp9JdMVr"
    "np0MhaZIyQLHFO9Oz2POZHMJrKeOV/aIbxcfWM68v9gy8MW3BSYLb7Bj/1j6yJpRpw2jLjkZemrmjJR5HK+uKR9u1db6F7v6z+9H"
    "w+4K0DAKNYxLiv6JY8yghSgtPiQMTbYu1SJmIEqMvCg6FnelVESQePanRkKiPVWIotXBSiVKlNhxFdAy2Az2SeeN6eig6zSFsnz7"
    "Cqz9a9FZItsvfmNQTVqoytJCp9rQ1dSc1ROCTY3YEYV8Dt8Tl+qwJDaMmrgww/c1ZXnI9IyiK5OD1YRYYSCWNEUcmIaMScUwD08Z"
    "Pw2EQDVSRsyUZNKwIR7kjq6ZulwTjmxK0OzB5UI1IFJNSognag1UxGUIOBYzriZoMCQcVNMhKgJUYABvyryZRLAJwPQOOPQMW2U7"
    "2dp6gJ0ohoEmkRTj8nFXuQ+Rtb6y890KDl+7MIKIIHdSD5/U46v1XYpHEM4PN+BI9DfpnU23JBW2ieQ2gZ1/ITxwuxcXpfanmat3"
    "CLRkOYYhazGa9Q0ER5UKshhOK7OBbmS/N9jr7NL8PDP7s7gY58pXN/jrP7l451l7zrxtNxvmPb247iCbL0Jmny94dn9zadTJPcos"
    "MapWlVldUc1gUc70C46r1uiZY/n9SmzdIBqGo6wlspUUDgSFgIGPAeEmpVABSdG8anYJE3IQsL+AJGzgU6gC3EBMYpiRAkzLRkcO"
    "RaPDIZJNjZSCItiuAC/61M4cGx6uXn/DyRrGwYq9bzGOLsevXawnt9JuJTwkxAXjgZgi0F62GeP4jKt+6/CDmDDbB6MGpJm3a8fQ"
    "nIwVffdyfD3Wf5nUcVWjpeWceEBSkoLQdIK0+SBuNjaLSnBonJ5L5wk2IQSJBFNKIpE23WOYQ98POBBgRxTaShdi+YoIjzg0DigS"
    "n0zZGEdd38eMC/maL5teAhQoidIoxYpQSJFgNWJ3nYyjonWgofCEd5DEt1BlA56mEKdtNFfyxYdCDIZmZKg59eQGyPDyfZIp0GGl"
    "uWfplEvMy8wzD/sf9clBwr4ncda4piEBhpLJMAR7/d4Z0K823Lkx2FW9sDPW/a7RrcyaCcRS4orw0c71MB9yN6AcM72M4LuyjTH6"
    "UazgA+TPe7f/N/xGavoRRhhhhBFGGOE/yNB2ya4fFmm2CKIZrxGbjPDvgP75gf7dp/6nDJ2+PB4um6l/oP3jLIfR/71uPPwGqD6W"
    "lA=="
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
