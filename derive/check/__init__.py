"""Check: a person's hand derivation judged against the derivation. The whitelisted claims grammar,
the checker, and the catalogue of common mistakes (each a variant of the layered algorithm).

Imports `derive.model` and `derive.maths` (and may write files through `derive.writing`): nothing
from the notes or the code.
"""
