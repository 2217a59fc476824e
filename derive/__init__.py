"""derive: symbolic backpropagation, derived step by step and written up."""

__version__ = "0.1.0"

# Convolution, pooling and recurrent layers plug into the entry points of the model and the maths
# (spec.from_mapping, network.build, derivation.build, numeric.trainer_for) from here, above both:
# their modules are built on the dense ones, which therefore cannot import them.
from derive.maths import wired as _wired  # noqa: F401  (with derive.model.wiring and structure)
