"""derive: symbolic backpropagation, derived step by step and written up."""

__version__ = "0.1.0"
