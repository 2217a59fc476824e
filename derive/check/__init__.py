"""Check: a person's hand derivation judged against the derivation. The whitelisted claims grammar,
the checker, and the catalogue of common mistakes (each a variant of the layered algorithm).

Imports `derive.model` and `derive.maths` (and may write files through `derive.writing`): nothing
from the notes or the code.

The mistakes of convolution, pooling and recurrent layers (`layer_mistakes`, built on `mistakes`) are
imported here, and put their catalogue into `mistakes`, so that every caller of the catalogue has them.
"""

from derive.check import layer_mistakes  # noqa: F401
