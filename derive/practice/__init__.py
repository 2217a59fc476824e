"""Practice: one variant of a network worked through in the browser, step by step, with feedback and
hints offline; and PrairieLearn questions graded as `derive grade` grades.

Every step's value is a formula of the steps before it (`steps`), printed from SymPy into JavaScript
for the page (`jscode`) and into Python for PrairieLearn's `server.py` (`pycode`); the catalogued
mistakes are formulas too (`slips`). Built on the courses: imports `derive.model`, `derive.maths`,
`derive.check` (the truth and the catalogue of mistakes), `derive.course` (the variants drawn as `derive
exercise` draws them, their questions and the rules of `derive grade`), `derive.notes` (the printers,
the narration's messages, KaTeX and the figures), `derive.templating` and `derive.writing`. Nothing
else imports it but the command line.
"""
