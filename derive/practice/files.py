"""The files `derive practice` and `derive exercise --format prairielearn` write, by path relative to
their folder (a contract scripts can rely on). Nothing is written here: the command line writes all or
none."""

from __future__ import annotations

from pathlib import PurePosixPath

from derive.course.exercise import Exercise

PAGE = "practice.html"


def page_files(ex: Exercise, lang: str, notation: str) -> dict[str, str]:
    """The practice page of the exercise's variants."""
    from derive.practice import page

    return {PAGE: page.page(ex, lang, notation)}


def is_page_file(path: PurePosixPath) -> bool:
    """True for the file `derive practice` writes (an earlier page in the folder is replaced)."""
    return path.parts == (PAGE,)
