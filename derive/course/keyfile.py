"""A key folder read back: key.json checked field by field as a spec is, and every file of the folder
against `checksums.sha256`, so that the key alone decides and a key changed after `derive exercise`
wrote it is refused.

key.json holds the spec the variants were drawn from (its TOML text, as it was), so grading reads no
other file and works from any directory. Each number is checked with the spec's bounds and must be one
its `[exercise]` table can draw; each question must be one the table asks; each mistake one the
checker's catalogue names. A field out of bounds is one line naming the file and the field.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path, PurePosixPath
from typing import Any

from derive.check.claims import ClaimError, parse_line
from derive.course import questions as q
from derive.course import variants
from derive.model import identifiers, network, reading, spec
from derive.model.spec import ExerciseSpec

KEY_FORMAT = 2  # key.json's layout; a key of another layout is made again with `derive exercise`
CHECKSUMS = "checksums.sha256"
MAX_KEY_BYTES = 50_000_000
MAX_FILE_BYTES = 200_000_000  # a file of the key folder (a PDF sheet) read to check its hash
MAX_NUMBER_CHARS = 80
MAX_TEXT_CHARS = 2000
MAX_INT_DIGITS = 12
_CHECKSUM_LINE = re.compile(r"([0-9a-f]{64})  (\S[^\n]*)\Z")
ID = re.compile(r"[A-Za-z0-9_.\-]{1,40}\Z")


class KeyFileError(ValueError):
    """A key folder that is unusable: one line naming the file and what was expected."""


@dataclass(frozen=True)
class Question:
    claim: str  # as the key writes it: dE_total/dw5
    name: str  # as the checker names it: d:E_total/w5
    answer: str
    digits: int
    mistakes: tuple[tuple[str, str], ...]  # (mistake, its value) for the mistakes this question tells apart


@dataclass(frozen=True)
class Variant:
    id: str
    values: tuple[tuple[str, str], ...]
    questions: tuple[Question, ...]


@dataclass(frozen=True)
class Key:
    network: str  # the network's name (a preset's, or its spec file's stem)
    base: spec.Spec  # the spec the variants were drawn from, as key.json keeps it
    variants: tuple[Variant, ...]
    feedback: tuple[tuple[str, str], ...] = ()  # (mistake, its explanation) as the key's language writes it

    def variant(self, id: str) -> Variant | None:
        """The variant a hand-in names (`variant: 07` is variant 7)."""
        return next((v for v in self.variants if same_id(v.id, id)), None)

    @property
    def claims(self) -> tuple[str, ...]:
        """Every question of the key, in the order the variants ask them (one column each)."""
        return tuple(dict.fromkeys(q.claim for v in self.variants for q in v.questions))


def same_id(a: str, b: str) -> bool:
    if a.isascii() and a.isdigit() and b.isascii() and b.isdigit():
        return int(a) == int(b)
    return a == b


def _int(text: str) -> int:
    """JSON's whole numbers, refused beyond a dozen digits (no 100,000-digit conversions)."""
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a whole number of more than {MAX_INT_DIGITS} digits")
    return int(text)


def _float(text: str) -> Decimal:
    if len(text) > MAX_NUMBER_CHARS:
        raise ValueError(f"a number of more than {MAX_NUMBER_CHARS} characters")
    return Decimal(text)


def read_key(key_dir: Path) -> Key:
    """The key of an exercise (`KEY_DIR/key.json`, as `derive exercise` writes it), its folder unchanged."""
    path = key_dir / "key.json"
    raw = _read(path, MAX_KEY_BYTES)
    verify(key_dir)
    try:
        data = json.loads(raw.decode("utf-8"), parse_float=_float, parse_int=_int)
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KeyFileError(f"{path}: not a JSON file ({first})") from None
    return _key(path, data)


def _read(path: Path, limit: int) -> bytes:
    try:
        return reading.read_bytes(path, limit)
    except reading.ReadError as exc:
        raise KeyFileError(f"{path}: {exc}") from None


def checksums(files: dict[str, str | bytes]) -> str:
    """checksums.sha256 (the format `sha256sum -c` reads) of every file of a key folder, by path."""
    from derive.writing import as_bytes

    return "".join(f"{hashlib.sha256(as_bytes(content)).hexdigest()}  {name}\n"
                   for name, content in sorted(files.items()))


def verify(key_dir: Path) -> None:
    """Every file checksums.sha256 lists is there and unchanged; KeyFileError (one line) if not."""
    listing = key_dir / CHECKSUMS
    if not listing.is_file():
        raise KeyFileError(f"{listing}: missing: this key was not written by this version of `derive exercise` "
                           "(or its checksums were removed); make it again with the same --seed")
    found = _listed(listing, _read(listing, MAX_KEY_BYTES))
    for name, digest in found:
        target = key_dir / name
        if target.is_symlink() or not target.is_file():
            raise KeyFileError(f"{target}: missing from the key folder (checksums.sha256 lists it); "
                               "the key was changed after `derive exercise` wrote it")
        if hashlib.sha256(_read(target, MAX_FILE_BYTES)).hexdigest() != digest:
            raise KeyFileError(f"{target}: changed after `derive exercise` wrote it (its SHA-256 is not the one "
                               "checksums.sha256 lists); grade only with the key as it was written")


def _listed(listing: Path, raw: bytes) -> list[tuple[str, str]]:
    """(relative path, SHA-256) of each line; paths inside the folder only, key.json among them."""
    try:
        lines = raw.decode("utf-8").splitlines()
    except UnicodeDecodeError:
        raise KeyFileError(f"{listing}: expected UTF-8 text") from None
    found = []
    for number, line in enumerate(lines, start=1):
        match = _CHECKSUM_LINE.match(line)
        name = PurePosixPath(match[2]) if match else None
        if name is None or name.is_absolute() or ".." in name.parts or "\\" in match[2]:  # type: ignore[index]
            raise KeyFileError(f"{listing}: line {number}: expected '<SHA-256>  <file inside the folder>'")
        found.append((name.as_posix(), match[1]))  # type: ignore[index]
    if "key.json" not in dict(found):
        raise KeyFileError(f"{listing}: key.json is not listed")
    return found


def _key(path: Path, data: Any) -> Key:
    if not isinstance(data, dict):
        raise KeyFileError(f"{path}: expected an object, as `derive exercise` writes it")
    if data.get("format") != KEY_FORMAT:
        raise KeyFileError(f"{path}: format: expected {KEY_FORMAT} (a key with the spec inside it); make the key "
                           "again with this version of `derive exercise` and the same --seed")
    name = data.get("network")
    if not isinstance(name, str) or not (identifiers.is_valid_name(name) or name == spec.UNNAMED):
        raise KeyFileError(f"{path}: network: expected the network's name (letters and digits), got "
                           f"{identifiers.escaped(repr(name)[:40])}")
    base = _spec(path, data.get("spec"), name)
    table = base.exercise
    assert table is not None
    net = network.build(variants.variant_spec(base, {}))
    asked = table.ask or q.default_ask(net)
    known = tuple(q.meanings(net))
    _fields(path, data, table, known)
    found = _variants(path, data.get("variants"), base, table, asked, known)
    feedback = tuple((k, v) for k, v in data["feedback"].items())
    return Key(name, base, found, feedback)


def _spec(path: Path, text: Any, name: str) -> spec.Spec:
    if not isinstance(text, str) or len(text.encode("utf-8")) > spec.MAX_SPEC_BYTES:
        raise KeyFileError(f"{path}: spec: expected the TOML text of the spec the variants were drawn from")
    try:
        found = spec.load_text(text, f"{path}: spec", name)
    except spec.SpecError as exc:
        raise KeyFileError(str(exc)) from None
    if found.exercise is None:
        raise KeyFileError(f"{path}: spec: expected an [exercise] table")
    return found


def _fields(path: Path, data: dict[str, Any], table: ExerciseSpec, known: tuple[str, ...]) -> None:
    """The key's top-level numbers and texts: each of its type and within its bounds."""
    _whole(path, "seed", data.get("seed"), 0, 2**32 - 1)
    _whole(path, "digits", data.get("digits"), table.digits, table.digits)
    _whole(path, "rejected", data.get("rejected"), 0, 10**9)
    why = data.get("rejected_why")
    if not isinstance(why, dict) or not all(_text(k) for k in why):
        raise KeyFileError(f"{path}: rejected_why: expected an object of reason: count")
    for reason, count in why.items():
        _whole(path, f"rejected_why.{identifiers.escaped(reason)}", count, 0, 10**9)
    feedback = data.get("feedback")
    if not isinstance(feedback, dict) or not all(isinstance(v, str) and _text(v) for v in feedback.values()):
        raise KeyFileError(f"{path}: feedback: expected an object of mistake: explanation")
    _mistake_names(f"{path}: feedback", feedback, known)


def _whole(path: Path, where: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise KeyFileError(f"{path}: {where}: expected a whole number from {low} to {high}")
    return value


def _text(value: Any) -> bool:
    return isinstance(value, str) and 0 < len(value) <= MAX_TEXT_CHARS and value.isprintable()


def _mistake_names(where: str, names: Any, known: tuple[str, ...]) -> None:
    for name in names:
        if name not in known:
            shown = identifiers.escaped(str(name)[:60])
            raise KeyFileError(f"{where}: {shown!r} is no mistake the checker's catalogue names "
                               f"(expected one of: {', '.join(known[:4])}, ...)")


def _variants(path: Path, data: Any, base: spec.Spec, table: ExerciseSpec, asked: tuple[str, ...],
              known: tuple[str, ...]) -> tuple[Variant, ...]:
    from derive.course.exercise import MAX_VARIANTS

    if not isinstance(data, list) or not 1 <= len(data) <= MAX_VARIANTS:
        raise KeyFileError(f"{path}: variants: expected from 1 to {MAX_VARIANTS} variants")
    slots = variants.slots(base, table)
    found = tuple(_variant(f"{path}: variants[{i}]", v, slots, table, asked, known) for i, v in enumerate(data))
    ids = [v.id for v in found]
    if len({str(int(i)) if i.isdigit() else i for i in ids}) != len(ids):
        raise KeyFileError(f"{path}: variants: two variants have the same id")
    return found


def _variant(where: str, data: Any, slots: tuple[variants.Slot, ...], table: ExerciseSpec,
             asked: tuple[str, ...], known: tuple[str, ...]) -> Variant:
    if not (isinstance(data, dict) and isinstance(data.get("values"), dict)
            and isinstance(data.get("questions"), list)):
        raise KeyFileError(f"{where}: expected an object with id, values and questions")
    ident = data.get("id")
    whole = isinstance(ident, int) and not isinstance(ident, bool) and ident >= 0
    if not (whole or (isinstance(ident, str) and ID.match(ident))):
        raise KeyFileError(f"{where}.id: expected a number or a name of letters, digits, ., _ or -")
    values = data["values"]
    if list(values) != [s.name for s in slots]:
        raise KeyFileError(f"{where}.values: expected the numbers the spec's [exercise] table draws "
                           f"({', '.join(s.name for s in slots[:6])}{', ...' if len(slots) > 6 else ''})")
    for s in slots:
        _drawable(f"{where}.values.{s.name}", values[s.name], table, s.kind)
    if [_claim_of(x) for x in data["questions"]] != list(asked):
        raise KeyFileError(f"{where}.questions: expected the questions the spec's [exercise] table asks "
                           f"({', '.join(asked)})")
    questions = tuple(_question(f"{where}.questions[{i}]", x, table, known) for i, x in enumerate(data["questions"]))
    return Variant(str(ident), tuple((k, str(v)) for k, v in values.items()), questions)


def _claim_of(data: Any) -> Any:
    return data.get("claim") if isinstance(data, dict) else None


def _drawable(where: str, value: Any, table: ExerciseSpec, kind: str) -> None:
    """A number the table could have drawn: within its kind's range, a whole count of its units."""
    r = table.range_of(kind)
    assert r is not None
    number = _number(where, value)
    if not r.low <= number <= r.high or number.scaleb(r.decimals) != number.scaleb(r.decimals).to_integral_value():
        raise KeyFileError(f"{where}: expected a number from {r.low} to {r.high} with at most {r.decimals} decimals, "
                           f"as the spec's [exercise] table draws it")


def _number(where: str, value: Any) -> Decimal:
    """A decimal number within the spec's bounds (at most 60 digits, between 1e-300 and 1e300 in size)."""
    number_like = isinstance(value, (int, Decimal)) and not isinstance(value, bool)
    text = value if isinstance(value, str) else str(value) if number_like else None
    try:
        number = Decimal(text) if text is not None and len(text) <= MAX_NUMBER_CHARS else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite() or len(number.as_tuple().digits) > spec.MAX_NUMBER_DIGITS \
            or (number and abs(number.adjusted()) > spec.MAX_MAGNITUDE):
        raise KeyFileError(f"{where}: expected a decimal number of at most {spec.MAX_NUMBER_DIGITS} digits, between "
                           f"1e-{spec.MAX_MAGNITUDE} and 1e{spec.MAX_MAGNITUDE} in size")
    return number


def _question(where: str, data: dict[str, Any], table: ExerciseSpec, known: tuple[str, ...]) -> Question:
    digits = _whole_at(where, "digits", data.get("digits"), table.digits, q.MAX_DIGITS)
    answer = str(_number(f"{where}.answer", data.get("answer")))
    for field in ("shown", "tolerance"):
        _number(f"{where}.{field}", data.get(field))
    mistakes = data.get("mistakes")
    if not isinstance(mistakes, dict):
        raise KeyFileError(f"{where}.mistakes: expected an object of mistake: value")
    _mistake_names(f"{where}.mistakes", mistakes, known)
    values = tuple((k, str(_number(f"{where}.mistakes.{k}", v))) for k, v in mistakes.items())
    groups = data.get("tells_apart")
    if not isinstance(groups, list) or not all(isinstance(g, list) and g and all(m in mistakes for m in g)
                                               for g in groups):
        raise KeyFileError(f"{where}.tells_apart: expected groups of the question's mistakes")
    try:
        claim = parse_line(f"{data['claim']} = 0", 1)
    except ClaimError as exc:
        raise KeyFileError(f"{where}.claim: {exc}") from None
    assert claim is not None
    return Question(data["claim"], claim.target.name, answer, digits, values)


def _whole_at(where: str, field: str, value: Any, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise KeyFileError(f"{where}.{field}: expected a whole number from {low} to {high}")
    return value
