"""Turn a cell's raw value, as an officer typed it, into a value with a flag, or a sentence
saying what to type instead.

Called once per cell on returns of 100,000 cells, so a plain number takes a short path with
no regular expressions; the forms people type ('1,400 (estimate)', '£25,500', '(1,589)',
'N/A - survey not yet carried out') take the longer one.
"""
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from app.ingest.read import excel_serial_to_datetime
from app.vocabulary import EMPTY_CELL

FIELD_TYPES = ("whole", "decimal", "percent", "money", "date", "text")


def cell_text(value) -> str:
    """A cell's value as the text it shows: a whole number without ".0", nothing for an
    empty cell, surrounding spaces dropped (identity sheets, target and peer uploads)."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


@dataclass(frozen=True)
class NormalisedValue:
    value: float | str | date | None
    flag: str  # one of app.vocabulary.CELL_STATES: a flag, or EMPTY_CELL
    reason: str | None = None  # why a value is not available or not released
    note: str | None = None  # what else the officer wrote beside a figure (an estimate's basis, a footnote)


MISSING = NormalisedValue(None, EMPTY_CELL)

EXPECTED = {
    "whole": "a whole number such as 12",
    "decimal": "a number such as 12.5",
    "percent": "a percentage such as 75%",
    "money": "an amount such as £25,500",
    "date": "a date such as 31/03/2016",
    "text": "some text",
}
KIND_OF_VALUE = {
    "whole": "a number",
    "decimal": "a number",
    "percent": "a percentage",
    "money": "an amount of money",
    "date": "a date",
}
# Types whose plain figure needs no conversion: the short path in normalise_value.
PLAIN_NUMBER_TYPES = frozenset({"whole", "decimal", "money"})
ACTUAL_NUMBERS_KEPT = 50_000
_ACTUAL_NUMBERS: dict[float, tuple[NormalisedValue, None]] = {}

# Plausible dates as Excel serials: 1 January 1950 to 31 December 2099. A bare 2016 in a
# date cell is a year typed in the wrong place, not 8 July 1905.
FIRST_DATE_SERIAL, LAST_DATE_SERIAL = 18264, 73050

DASHES = frozenset({"-", "–", "—", "−", "--"})
# Odd spaces become spaces; control characters (NUL from an "_x0000_" escape, say) are
# dropped: no database stores a NUL in text, and no one means one. Tabs and line breaks stay.
SPACES = str.maketrans({
    "\u00a0": " ", "\u2009": " ", "\u202f": " ", "\u2007": " ", "−": "-",
    **{chr(c): None for c in [*range(32), 127] if chr(c) not in "\t\n\r"},
})

FOOTNOTE_MARKER = r"\*{1,3}|†{1,2}|‡{1,2}|[¹²³⁴⁵⁶⁷⁸⁹⁰]+|\([a-z]\)|\[\d{1,2}\]"
FOOTNOTE_MARKER_ONLY = re.compile(rf"(?:{FOOTNOTE_MARKER})")
LETTER_MARKER = re.compile(r"\([a-z]\)")
FOOTNOTE_LINE = re.compile(rf"^\s*({FOOTNOTE_MARKER})\s*[-–—:=.]?\s*(\S.*?)\s*$", re.DOTALL)
SEPARATORS = "-–—:;,. "

NOT_AVAILABLE = re.compile(r"^(?:n\s*/\s*a|n\.\s*a\.?|na|not\s+available|not\s+applicable)(?![a-z0-9])")
NOT_RELEASED = re.compile(
    r"^(?:not\s+yet\s+(?:released|available|provided|published|received)|not\s+released|"
    r"tbc|tba|to\s+be\s+confirmed|awaited|awaiting(?:\s+data)?|pending)(?![a-z0-9])"
)
ESTIMATE = re.compile(r"^(?:est(?:imated?)?\.?|e|~|≈|approx(?:imately|\.)?|c\.?|circa|about|around)(?![a-z0-9])")
PROVISIONAL = re.compile(r"^(?:prov(?:isional)?\.?|p)(?![a-z0-9])")

NUMBER_IN_TEXT = re.compile(
    r"(?P<open>\()?\s*(?P<sign>[-+])?\s*(?P<currency>£)?\s*(?P<sign2>[-+])?\s*"
    r"(?P<digits>(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|\.\d+)"
    r"\s*(?P<percent>%)?\s*(?P<close>\))?"
)

MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"), ("dec", "december"),
        ],
        start=1,
    )
    for name in names
}
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
DAY_FIRST_DATE = re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4}|\d{2})$")
WORDS_DATE = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?\s+([a-z]+)\.?,?\s+(\d{4})$")


def normalise_value(
    raw: object,
    field_type: str,
    *,
    percent_formatted: bool = False,
    footnotes: dict[str, str] | None = None,
) -> tuple[NormalisedValue | None, str | None]:
    """(value, None) when ``raw`` makes sense for ``field_type``, else (None, a sentence for
    the officer). A blank, or a dash, is missing, never zero."""
    kind = raw.__class__
    if kind is float or kind is int:
        if field_type in PLAIN_NUMBER_TYPES and (
            kind is int or raw.is_integer() or (field_type != "whole" and raw - raw == 0.0)
        ):
            return _actual_number(raw)
        return _from_number(raw, field_type, percent_formatted)
    if raw is None:
        return MISSING, None
    if kind is str:
        return _from_text(raw, field_type, footnotes or {})
    if field_type not in FIELD_TYPES:
        raise ValueError(f"unknown field type {field_type!r}")
    if kind is bool:
        shown = "TRUE" if raw else "FALSE"
        if field_type == "text":
            return NormalisedValue(shown, "actual"), None
        return None, f"{shown} is a yes/no value, not {KIND_OF_VALUE[field_type]}. {_enter(field_type)}"
    if isinstance(raw, (datetime, date)):
        moment = raw.date() if isinstance(raw, datetime) else raw
        if field_type == "date":
            return NormalisedValue(moment, "actual"), None
        if field_type == "text":
            return NormalisedValue(moment.isoformat(), "actual"), None
        return None, f"{moment:%d/%m/%Y} is a date, not {KIND_OF_VALUE[field_type]}. {_enter(field_type)}"
    if field_type == "text":
        return NormalisedValue(str(raw), "actual"), None
    return None, f"'{raw}' is not {KIND_OF_VALUE[field_type]}. {_enter(field_type)}"


def collect_footnotes(texts: Iterable[str]) -> dict[str, str]:
    """Footnotes found among a sheet's texts: '* no training courses run yet' gives
    {'*': 'no training courses run yet'}. Markers: *, **, ***, †, ‡, ¹²³..., (a), [1]."""
    footnotes: dict[str, str] = {}
    for text in texts:
        if not isinstance(text, str):
            continue
        match = FOOTNOTE_LINE.match(text)
        if match:
            footnotes.setdefault(match.group(1).lower(), match.group(2))
    return footnotes


def _actual_number(number: float) -> tuple[NormalisedValue, None]:
    """The result for a plain figure, shared between cells holding the same figure: the
    values are immutable, and building one costs more than the rest of the short path."""
    result = _ACTUAL_NUMBERS.get(number)
    if result is None:
        result = (NormalisedValue(float(number), "actual"), None)
        if len(_ACTUAL_NUMBERS) < ACTUAL_NUMBERS_KEPT:
            _ACTUAL_NUMBERS[number] = result
    return result


def _from_number(number: float, field_type: str, percent_formatted: bool) -> tuple[NormalisedValue | None, str | None]:
    if number - number != 0.0:
        # Infinity or NaN: no one types these, but a formula can produce them.
        return None, f"{number} is not {KIND_OF_VALUE.get(field_type, 'a value')}. {_enter(field_type)}"
    if field_type == "whole":
        if not float(number).is_integer():
            return None, f"{_show_number(number)} must be a whole number. {_enter('whole')}"
        return _actual_number(number)
    if field_type == "decimal" or field_type == "money":
        return _actual_number(number)
    if field_type == "percent":
        # A percent-formatted cell holds 0.75 for 75%; rounding drops the float noise of *100.
        return NormalisedValue(round(number * 100, 9) if percent_formatted else float(number), "actual"), None
    if field_type == "date":
        if not FIRST_DATE_SERIAL <= number <= LAST_DATE_SERIAL:
            return None, f"{_show_number(number)} is not a date. {_enter('date')}"
        return NormalisedValue(excel_serial_to_datetime(number).date(), "actual"), None
    if field_type == "text":
        return NormalisedValue(_show_number(number), "actual"), None
    raise ValueError(f"unknown field type {field_type!r}")


def _from_text(raw: str, field_type: str, footnotes: dict[str, str]) -> tuple[NormalisedValue | None, str | None]:
    text = raw.translate(SPACES).strip()
    if not text or text in DASHES:
        return MISSING, None
    if field_type == "text":
        return NormalisedValue(text, "actual"), None
    if field_type not in FIELD_TYPES:
        raise ValueError(f"unknown field type {field_type!r}")
    if field_type != "date" and (text[0].isdigit() or text[0] in "-+.") and "_" not in text:
        try:
            number = float(text)
        except ValueError:
            pass
        else:
            return _from_number(number, field_type, False)
    lowered = " ".join(text.lower().split())
    unavailable = _not_available(lowered, text, footnotes)
    if unavailable is not None:
        return unavailable, None
    if field_type == "date":
        return _date_from_text(lowered, text)
    return _number_from_text(text, field_type, footnotes)


def _not_available(lowered: str, text: str, footnotes: dict[str, str]) -> NormalisedValue | None:
    for pattern, flag in ((NOT_AVAILABLE, "not_available"), (NOT_RELEASED, "not_released")):
        match = pattern.match(lowered)
        if match:
            # The reason keeps the officer's own capitals: take it from the original text.
            rest = _original_tail(text, lowered, match.end())
            marker = rest.lower()
            reason = footnotes.get(marker) if FOOTNOTE_MARKER_ONLY.fullmatch(marker) else _strip_decoration(rest)
            # "N/A - not yet released" (the blank return's own instruction): the reason says
            # the figure is not released yet, which is the flag it means.
            if flag == "not_available" and reason and NOT_RELEASED.match(" ".join(reason.lower().split())):
                flag = "not_released"
            return NormalisedValue(None, flag, reason=reason or None)
    return None


def _number_from_text(
    text: str, field_type: str, footnotes: dict[str, str]
) -> tuple[NormalisedValue | None, str | None]:
    """A figure with decorations ('£25,500', '(1,589)', '75%') and perhaps words beside it
    ('1,400 (estimate)', '~1,400', '1,400*'): the words decide the flag."""
    collapsed = " ".join(text.split())
    match = NUMBER_IN_TEXT.search(collapsed)
    if match is None or bool(match["open"]) != bool(match["close"]):
        return None, _not_a(text, field_type)
    number = float(match["digits"].replace(",", ""))
    if (match["sign"] == "-") ^ (match["sign2"] == "-") ^ bool(match["open"]):
        number = -number  # brackets are accountants' minus: (1,589) is -1,589
    if match["currency"] and field_type != "money":
        return None, f"'{_shorten(text)}' is an amount of money, but this cell needs {EXPECTED[field_type]}."
    if match["percent"] and field_type != "percent":
        return None, f"'{_shorten(text)}' is a percentage, but this cell needs {EXPECTED[field_type]}."
    before, after = collapsed[: match.start()].strip(), collapsed[match.end() :].strip()
    flag, note = "actual", None
    if before or after:
        classified = None if before and after else _classify_annotation(before or after, footnotes)
        if classified is None:
            return None, _not_a(text, field_type)
        flag, note = classified
    if field_type == "whole" and not number.is_integer():
        return None, f"'{_shorten(text)}' must be a whole number. {_enter('whole')}"
    if field_type == "date":
        return None, _not_a(text, field_type)
    return NormalisedValue(number, flag, note=note), None


def _classify_annotation(words: str, footnotes: dict[str, str]) -> tuple[str, str | None] | None:
    """('estimate' | 'provisional' | 'actual', note) for the words beside a figure, or None
    when they are not a qualifier we understand ('1,400 apples')."""
    marker = words.lower()
    # "(p)" and "(e)" are also the statisticians' provisional and estimate markers: a
    # lettered marker is a footnote only when the sheet has that footnote.
    if FOOTNOTE_MARKER_ONLY.fullmatch(marker) and (marker in footnotes or not LETTER_MARKER.fullmatch(marker)):
        footnote = footnotes.get(marker)
        about = (footnote or "").lower()
        flag = "estimate" if "estimat" in about else "provisional" if "provisional" in about else "actual"
        return flag, footnote
    words = _strip_brackets(words)
    lowered = words.lower()
    for pattern, flag in ((ESTIMATE, "estimate"), (PROVISIONAL, "provisional")):
        match = pattern.match(lowered)
        if match:
            return flag, _strip_decoration(_original_tail(words, lowered, match.end())) or None
    return None


def _date_from_text(lowered: str, text: str) -> tuple[NormalisedValue | None, str | None]:
    if match := ISO_DATE.match(lowered):
        year, month, day = (int(group) for group in match.groups())
    elif match := DAY_FIRST_DATE.match(lowered):
        day, month, year = (int(group) for group in match.groups())
        if year < 100:
            year += 2000
    elif match := WORDS_DATE.match(lowered):
        day, month, year = int(match[1]), MONTHS.get(match[2]), int(match[3])
    else:
        try:
            serial = float(lowered)
        except ValueError:
            return None, _not_a(text, "date")
        return _from_number(serial, "date", False)
    try:
        return NormalisedValue(date(year, month, day), "actual"), None
    except (TypeError, ValueError):
        return None, f"'{_shorten(text)}' is not a real date. {_enter('date')}"


def _original_tail(text: str, lowered: str, end: int) -> str:
    """What follows the first ``end`` characters of ``lowered`` (``text`` lowered, spaces
    collapsed), with the officer's own capitals where lowering kept the length."""
    collapsed = " ".join(text.split())
    return collapsed[end:].strip() if len(collapsed) == len(lowered) else lowered[end:].strip()


def _strip_brackets(words: str) -> str:
    words = words.strip()
    while len(words) >= 2 and words[0] + words[-1] in ("()", "[]", "{}"):
        words = words[1:-1].strip()
    return words


def _strip_decoration(words: str) -> str:
    return _strip_brackets(_strip_brackets(words).strip(SEPARATORS))


def _enter(field_type: str) -> str:
    if field_type == "text":
        return "Enter some text."
    return f"Enter {EXPECTED[field_type]}, or N/A with a reason."


def _not_a(text: str, field_type: str) -> str:
    return f"'{_shorten(text)}' is not {KIND_OF_VALUE[field_type]}. {_enter(field_type)}"


def _shorten(text: str) -> str:
    return text if len(text) <= 60 else text[:57] + "..."


def _show_number(number: float) -> str:
    if float(number).is_integer():
        return f"{int(number)}"
    return format(number, ".15g")
