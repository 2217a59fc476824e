"""Courses: exercise sheets with their own numbers, their answer keys and quiz exports, and the grading
of a class's hand-ins.

Built on the checker and the notes: imports `derive.model`, `derive.maths`, `derive.check` (the truth
and the catalogued mistakes of each question), `derive.reader` (hand-ins written as documents),
`derive.notes` (the network figure and the walkthrough of each variant), `derive.templating` and
`derive.writing`. Nothing else imports it but the command line.
"""
