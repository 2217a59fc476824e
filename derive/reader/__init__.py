"""Reader: the derivations people write (Markdown, LaTeX, notebooks) read span by span, turned into the
checker's claims, judged, and written back marked up.

Built on `derive.check` (claims and verdicts) and, for the annotated HTML page only, on `derive.notes`
(its offline KaTeX page). Imports `derive.model` and `derive.maths` besides; nothing from the code.
"""

KINDS = ("md", "tex", "ipynb", "claims")
