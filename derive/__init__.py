"""derive: symbolic backpropagation, derived step by step and written up.

    import derive
    net = derive.load("mazur")
    print(net.render().text)

The names of the Python API (`derive.api`) are loaded on first use, so `import derive` stays light: the
command line loads only the parts each command needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from derive.api import *  # noqa: F403

_API = frozenset({
    "CheckReport", "Code", "CodeDisagrees", "DerivationError", "DeriveError", "DocumentError", "Exercise",
    "ExerciseError", "Finding", "Grades", "GradingError", "InconsistentDerivation", "Network", "NotUnderstood",
    "Notes", "OptionError", "Practice", "SpecError", "ToolMissing", "Training", "TypesetError", "Verdict",
    "WriteError", "exercise", "grade", "list_presets", "load", "practice_page",
})


def __getattr__(name: str) -> Any:
    if name in _API:
        from derive import api

        return getattr(api, name)
    if name == "load_ipython_extension":  # `%load_ext derive`: the %%derive cell magic
        from derive.api import jupyter

        return jupyter.load_ipython_extension
    raise AttributeError(f"module 'derive' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted([*globals(), *_API, "load_ipython_extension"])
