"""The Python API: everything the command line does, as calls that return values and raise exceptions.

    import derive
    net = derive.load("mazur")                  # a preset, a spec file's path, or TOML text
    notes = net.render(format="md", lang="zh")  # the walkthrough, with its figures; notes.write("out")
    code = net.code()                           # verified NumPy update code; code.module().gradients(...)
    report = net.check("out_h1 = 0.593269992")  # the verdicts, claim by claim
    run = net.train(steps=1000)                 # the errors along the way, and the loss curve
    sheets = derive.exercise("mazur", variants=30, seed=1)
    grades = derive.grade("ex", "handins")
    page = derive.practice_page("mazur")        # the offline practice page; page.write("practice")

Nothing here prints or exits; the command line (`derive.cli`) is a thin layer over it. Unusable input
raises one of `derive.api.errors`, whose text is the command line's one-line message.

Imports `derive.model`, `derive.maths`, `derive.notes`, `derive.code`, `derive.check`, `derive.reader`,
`derive.course`, `derive.practice` and `derive.writing`, each output only when it is asked for: loading a
network costs the spec and the network, no more.
"""

from typing import TYPE_CHECKING, Any

from derive.api.errors import (CodeDisagrees, DerivationError, DeriveError, DocumentError, ExerciseError, Finding,
                               GradingError, InconsistentDerivation, OptionError, SpecError, ToolMissing,
                               TypesetError, WriteError)
from derive.api.network import TRAIN_STEPS, Network, list_presets, load
from derive.api.results import CheckReport, Code, Notes, NotUnderstood, Training, Verdict

if TYPE_CHECKING:
    from derive.api.course import Exercise, Grades, Practice, exercise, grade, practice_page

# the courses' names: loaded on first use (a render, a check or a training never needs them)
_COURSE = frozenset({"Exercise", "Grades", "Practice", "exercise", "grade", "practice_page"})


def __getattr__(name: str) -> Any:
    if name in _COURSE:
        from derive.api import course

        return getattr(course, name)
    raise AttributeError(f"module 'derive.api' has no attribute {name!r}")

__all__ = [
    "TRAIN_STEPS",
    "CheckReport",
    "Code",
    "CodeDisagrees",
    "DerivationError",
    "DeriveError",
    "DocumentError",
    "Exercise",
    "ExerciseError",
    "Finding",
    "Grades",
    "GradingError",
    "InconsistentDerivation",
    "Network",
    "NotUnderstood",
    "Notes",
    "OptionError",
    "Practice",
    "SpecError",
    "ToolMissing",
    "Training",
    "TypesetError",
    "Verdict",
    "WriteError",
    "exercise",
    "grade",
    "list_presets",
    "load",
    "practice_page",
]
