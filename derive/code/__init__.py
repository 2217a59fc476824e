"""Code: NumPy update code generated from the derivation, verified against it, and run to train.

Imports `derive.model`, `derive.maths` and the shared Jinja environment of `derive.templating`;
nothing from the notes or the checker. May write files through `derive.writing`.
"""

STYLES = ("scalar", "vector")
SCALAR_LIMIT = 60  # parameters up to which `scalar` is the default style
