"""Quiz exports: Moodle XML and GIFT of the same questions.

One category per question of the sheet (`$course$/top/derive/<network>/question-<k>`) holding one
numerical question per variant, each stating its variant's numbers: a quiz slot that takes "a random
question" from the category gives each student a variant of that question drawn at random. The
answer is the truth at the digits asked with half a unit of the last digit as tolerance (100%); each
catalogued mistake that the question tells apart is a 0% answer at its own value, with its feedback.
The XML also has a category `.../sheets` with one embedded-answers (Cloze) question per variant holding
all its questions as numerical parts with the same answers, so that one random question from it gives a
student a whole sheet, every question on the same numbers (GIFT has no such questions), with the
network's figure as a file of its text. Every question names what each weight connects.
"""

from __future__ import annotations

import base64
import re
from xml.etree import ElementTree as ET

from derive.course import questions as q
from derive.course.exercise import Exercise, Variant
from derive.course.sheets import catalogue, figure_svg, layers_line, question_latex, rules
from derive.notes import messages
from derive.notes.notation import notation_for
from derive.notes.printers import NotationPrinter

ROOT = "$course$/top/derive"
GIFT_SPECIAL = "~=#{}:"
# A Cloze part's feedback runs to the next unescaped } or ~, and Moodle's importer leaves the backslash of
# other escapes (\/ would show as it is): those characters are written as HTML character references.
CLOZE_REFERENCES = {"}": "&#125;", "~": "&#126;", "\\": "&#92;"}
_PATH = re.compile(r"path through (?P<neuron>\S+) left out\Z")


def category(ex: Exercise, index: int) -> str:
    """The Moodle category of the sheet's question `index` (0-based)."""
    return f"{ROOT}/{ex.spec.name}/question-{index + 1}"


def _prompt(ex: Exercise, v: Variant, question: q.Question, lang: str) -> str:
    """The question's text (HTML, maths in \\( \\) for Moodle's MathJax filter): the variant's numbers, then
    the question."""
    t = catalogue(lang)
    pr = NotationPrinter(notation_for(v.derivation.network, "classic"))
    return (_intro(ex, v, lang) +
            f"<p>\\({question_latex(question, pr)}\\) ({question.claim}), {t('col_digits')} {question.digits}: ?</p>")


def _intro(ex: Exercise, v: Variant, lang: str, figure: bool = False) -> str:
    """The variant's id, the task, the figure (in a whole sheet's question only: a figure in each of
    the numerical questions would make the file too large for a usual upload limit), the layers and
    every number with what it connects (`w1 (i1 → h1) = 0.88`), as HTML paragraphs."""
    t = catalogue(lang)
    wiring = _wiring(v, t)
    numbers = [f"{name}{wiring.get(name, '')} = {value}" for name, value in _numbers(v)]
    shown = f'<p><img src="@@PLUGINFILE@@/{_figure_name(v)}" alt="{t("figure")}"></p>' if figure else ""
    return (f"<p>{t('variant', id=v.id)}. {t('intro', digits=ex.digits)}{rules(v, t)}</p>{shown}"
            f"<p>{layers_line(v, t)}</p><p>{', '.join(numbers)}</p>")


def _wiring(v: Variant, t: messages.Catalogue) -> dict[str, str]:
    """What each weight connects and whose bias each bias is: without the figure, `w1` alone says neither."""
    found: dict[str, list[str]] = {}
    signs: dict[str, int] = {}
    for neuron in v.derivation.network.neurons:
        for link in neuron.links:  # a shared weight (a kernel's, an rnn's) by its first use and their count
            found.setdefault(link.weight.name, []).append(f"{link.source_name} → {neuron.name}")
        if neuron.bias is not None:
            found.setdefault(neuron.bias.name, []).append(neuron.name)
            signs[neuron.bias.name] = neuron.bias_sign
    return {name: (f" ({parts[0]})" if len(parts) == 1 else f" ({t('uses', first=parts[0], count=len(parts))})")
            if name not in signs else
            f" ({t('bias_of' if signs[name] > 0 else 'threshold_of', neurons=', '.join(parts))})"
            for name, parts in found.items()}


def _figure_name(v: Variant) -> str:
    return f"variant-{v.id}.svg"


def _figure_data(v: Variant) -> str:
    """The variant's network figure (SVG, weights labelled with their values), base64-encoded."""
    return base64.b64encode(figure_svg(v, "classic").encode("utf-8")).decode("ascii")


def _with_figure(element: ET.Element, v: Variant, data: str) -> None:
    """The figure as a file of the question text, as Moodle's own XML export embeds images."""
    ET.SubElement(element, "file", {"name": _figure_name(v), "path": "/", "encoding": "base64"}).text = data


def _numbers(v: Variant) -> list[tuple[str, str]]:
    net = v.derivation.network
    found = []
    for sample in net.spec.samples:
        suffix = f"[{sample.name}]" if len(net.spec.samples) > 1 else ""
        found += [(n + suffix, str(x)) for n, x in zip(net.spec.inputs, sample.inputs)]
        found += [(o.target.name + suffix, str(x)) for o, x in zip(net.outputs, sample.targets)]
    found += [(p.name, str(p.initial)) for p in net.params]
    return [*found, ("eta", str(net.spec.training.learning_rate))]


def mistake_text(name: str, meaning: str, t: messages.Catalogue) -> str:
    """A mistake and its explanation as a quiz's feedback gives them, in the quiz's language."""
    if t.lang == "en":
        return f"{name}: {meaning}"
    path = _PATH.match(name)
    return t(f"mistake: {'path through @neuron left out' if path else name}", neuron=path["neuron"] if path else "")


def answers(ex: Exercise, question: q.Question, lang: str = "en") -> list[tuple[int, str, str, str]]:
    """(fraction, value, tolerance, feedback) of the question's answers: the truth, then one per mistake group."""
    meanings = q.meanings(ex.variants[0].derivation.network)
    t = catalogue(lang)
    values = dict(question.mistakes)
    digits = question.digits
    found = [(100, q.shown_at(question.truth, digits), format(q.tolerance(question.truth, digits), "f"), "")]
    for group in q.groups(question):
        value = values[group[0]]
        feedback = " / ".join(mistake_text(name, meanings[name], t) for name in group)
        found.append((0, q.shown_at(value, digits), format(q.tolerance(value, digits), "f"), feedback))
    return found


def _text(parent: ET.Element, tag: str, text: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, attrs)
    ET.SubElement(element, "text").text = text
    return element


def moodle_xml(ex: Exercise, lang: str) -> str:
    """moodle.xml: a category per question of the sheet, a numerical question per variant in it."""
    quiz = ET.Element("quiz")
    for index in range(len(ex.variants[0].questions)):
        head = ET.SubElement(quiz, "question", {"type": "category"})
        _text(head, "category", category(ex, index))
        for v in ex.variants:
            _numerical(quiz, ex, v, v.questions[index], lang)
    head = ET.SubElement(quiz, "question", {"type": "category"})
    _text(head, "category", f"{ROOT}/{ex.spec.name}/sheets")
    for v in ex.variants:
        _cloze(quiz, ex, v, lang, _figure_data(v))
    ET.indent(quiz)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(quiz, encoding="unicode") + "\n"


def _numerical(quiz: ET.Element, ex: Exercise, v: Variant, question: q.Question, lang: str) -> None:
    element = ET.SubElement(quiz, "question", {"type": "numerical"})
    _text(element, "name", f"variant-{v.id} {question.claim}")
    _text(element, "questiontext", _prompt(ex, v, question, lang), format="html")
    _text(element, "generalfeedback", "", format="html")
    for tag, value in (("defaultgrade", "1"), ("penalty", "0"), ("hidden", "0"),
                       ("idnumber", f"{v.id}:{question.claim}")):
        ET.SubElement(element, tag).text = value
    for fraction, value, tol, feedback in answers(ex, question, lang):
        answer = _text(element, "answer", value, fraction=str(fraction), format="moodle_auto_format")
        _text(answer, "feedback", feedback, format="html")
        ET.SubElement(answer, "tolerance").text = tol
    ET.SubElement(element, "unitgradingtype").text = "0"
    ET.SubElement(element, "unitpenalty").text = "0"
    ET.SubElement(element, "showunits").text = "3"
    ET.SubElement(element, "unitsleft").text = "0"


def _cloze(quiz: ET.Element, ex: Exercise, v: Variant, lang: str, picture: str) -> None:
    """One variant's whole sheet as an embedded-answers question: a numerical part per question."""
    t = catalogue(lang)
    pr = NotationPrinter(notation_for(v.derivation.network, "classic"))
    parts = "".join(f"<p>{k + 1}. \\({question_latex(question, pr)}\\) ({question.claim}), {t('col_digits')} "
                    f"{question.digits}: {cloze_part(ex, question, lang)}</p>"
                    for k, question in enumerate(v.questions))
    element = ET.SubElement(quiz, "question", {"type": "cloze"})
    _text(element, "name", f"variant-{v.id}")
    text = _text(element, "questiontext", _intro(ex, v, lang, figure=True) + parts, format="html")
    _with_figure(text, v, picture)
    _text(element, "generalfeedback", "", format="html")
    for tag, value in (("penalty", "0"), ("hidden", "0"), ("idnumber", f"{v.id}")):
        ET.SubElement(element, tag).text = value


def cloze_part(ex: Exercise, question: q.Question, lang: str = "en") -> str:
    """`{1:NUMERICAL:=value:tolerance~%0%value:tolerance#feedback}`, the answers of `answers`."""
    options = "~".join(f"{'=' if fraction == 100 else '%0%'}{value}:{tol}" + (f"#{cloze_escape(fb)}" if fb else "")
                       for fraction, value, tol, fb in answers(ex, question, lang))
    return f"{{1:NUMERICAL:{options}}}"


def cloze_escape(text: str) -> str:
    """A Cloze feedback's text: } ~ and the backslash as HTML character references (the feedback is HTML),
    the other characters as they are (a feedback may hold / # and ", which Moodle keeps)."""
    return "".join(CLOZE_REFERENCES.get(c, c) for c in text)


def gift_escape(text: str) -> str:
    """GIFT's special characters (~ = # { } :) and the backslash, escaped with a backslash."""
    return "".join("\\" + c if c in GIFT_SPECIAL or c == "\\" else c for c in text)


def gift(ex: Exercise, lang: str) -> str:
    """quiz.gift: the same categories and numerical questions as moodle.xml."""
    blocks = []
    for index in range(len(ex.variants[0].questions)):
        blocks.append(f"$CATEGORY: {category(ex, index)}")
        for v in ex.variants:
            question = v.questions[index]
            options = " ".join(f"={'' if fraction == 100 else '%0%'}{value}:{tol}"
                               + (f"#{gift_escape(fb)}" if fb else "")
                               for fraction, value, tol, fb in answers(ex, question, lang))
            blocks.append(f"::{gift_escape(f'variant-{v.id} {question.claim}')}::[html]"
                          f"{gift_escape(_prompt(ex, v, question, lang))}{{#{options}}}")
    return "\n\n".join(blocks) + "\n"
