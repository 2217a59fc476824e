"""Notes: the derivation written up for people. The request's options, notation profiles and their
printers, message catalogues (en, zh), the walkthrough and its sections, figures with their SVG and
TikZ printers, and the formats (Markdown, LaTeX, PDF, HTML, notebook).

Imports `derive.model`, `derive.maths` and `derive.templating`, and `derive.code` for one thing only:
the notebook carries the verified update code. Never the checker. May write files through
`derive.writing`.
"""

# The choices of a render, here so that the command line can offer them without loading the notes.
FORMATS = ("md", "tex", "pdf", "html", "ipynb")
ALL = "all"
LANGUAGES = ("en", "zh")  # one message catalogue each: templates/messages/<lang>.toml
PROFILES = ("classic", "textbook", "matrix")  # notation profiles, built in derive.notes.notation
DEFAULT_DIGITS = 9
MAX_DIGITS = 30
