"""Propose a "tables" template from an agency's own spreadsheet (issue 14, part 3).

Flask-free. ``propose_template`` looks at each sheet of a workbook the way a person would:

1. the label column: the column whose texts most often have numbers to their right;
2. the tables: each header row (a row with texts, and no numbers, right of the label
   column) starts a table holding the labelled rows below it up to the next header row;
   a sheet with no header row is a label/value sheet (the value one column to the right
   of each label, and any further label/value pairs along a row as small tables of their
   own); a merged heading (or one written once over blank cells) above sub-headings that
   repeat makes the table's header two rows deep;
3. each header text and row label is matched against the partnership's vocabulary
   (indicator names and aliases, area names and aliases, compared with
   ``normalise_label``), the period parser (a heading it reads becomes a ``pattern:
   "period"`` header; "Q1"…"Q4" the relative quarters), measure words ("Target",
   "Budget" → target; "Actual", "Achieved", "Outturn" → value), totals ("Total", "All",
   "Overall", "LLR total", or an area row that is exactly the sum of the other area rows
   → ``check_only`` sum) and changes ("% change", "Variance" → ``check_only``
   percent_change between period columns, else ignored). A label matched by its words is
   a guess the admin is told about: every significant word of the label (stemmed; a bare
   year left out; an acronym such as "PCC" counted where the name spells it out) in one
   indicator's name; of several, the one whose name begins with the label, else the one
   the sheet's name and titles point to ("Women housed" under "LLR Refuge Service": the
   LLR refuges'); a "%" in the label keeps to percentage indicators; a long label with two
   thirds of its words in one name and no close second; a "Surplus/(shortfall)" row is the
   indicator named by either side, sign-flipped when the name is the shortfall;
4. what the rows name and what the columns name (the commonest kind among each) become the
   table's row and column dimensions; a heading above each of several alike tables (a
   year, or an indicator) makes them one table of stacked blocks; a cell such as
   "Period: December 2015 to March 2016" gives the period (a ``TitleSpec``); the rest is
   fixed: the agency's area, the return's period, the measure "value", and the indicator
   the heading over rows of measures ("Occupancy" over "Occupancy target", "Occupancy
   achieved") or a title above the table names; a heading of a stacked block that names no
   indicator among others that do makes that block ignored (not repeats of the one above);
5. a blank inside a table (its row and column hold figures) on a sheet with a note saying
   something is "not available" is proposed as not available under its column (or row).

Nothing is invented: a label matching no indicator (or area) is left out of the template
and listed, with the slug an admin could create it under, in ``SheetProposal.unrecognised``;
a hidden column matching nothing is ignored.
"""
from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from app.definition import (
    BlockSpec,
    FieldRule,
    HeaderSpec,
    SheetLayout,
    TableSpec,
    TemplateDefinition,
    TitleSpec,
    Transform,
    normalise_label,
    slugify,
)
from app.ingest.read import SheetGrid, WorkbookData, cell_ref, column_letters
from app.periods import PeriodError, PeriodSpec, parse_period

MEASURE_WORDS = {"target": "target", "targets": "target", "budget": "target", "plan": "target",
                 "planned": "target", "actual": "value", "actuals": "value", "achieved": "value",
                 "outturn": "value", "performance": "value"}
TOTAL_WORDS = {"total", "all", "overall", "grand total", "sub total", "subtotal", "all areas", "all districts"}
CHANGE_WORDS = ("change", "variance", "difference")
STOP_WORDS = {"the", "a", "an", "of", "by", "to", "at", "in", "for", "and", "on", "with", "from", "number", "no",
              "are", "is", "be", "been", "was", "were", "that", "this", "these", "their", "they", "it", "its"}
QUARTER_REF = re.compile(r"^q([1-4])$")
SIGN_LABEL = re.compile(r"^(.+?)\s*/\s*\((.+?)\)\s*$")
TITLE_PERIOD = re.compile(r"([A-Za-z][A-Za-z ]*?)\s*:\s*(.+)$")
NUMBER_TEXT = re.compile(r"^\(?[-+]?£?\s*\d[\d,]*(?:\.\d+)?\s*%?\)?\s*(?:[*†‡]+|\([^)]*\))?$")
PARENTHESES = re.compile(r"\([^)]*\)")
ACRONYM = re.compile(r"\b[A-Z]{2,5}\b")
PERCENT_LABEL = re.compile(r"%|\b(percent|percentage|proportion)\b", re.IGNORECASE)
NOT_AVAILABLE = re.compile(r"\b(not available|unavailable|n/a)\b", re.IGNORECASE)
FREQUENCY_OF_KIND = {"year": "annual", "quarter": "quarterly", "month": "monthly", "span": "span"}
RULE_OF_UNIT = {"count": "whole", "percent": "percent", "money": "money"}


# ---- the vocabulary and the proposal --------------------------------------------------------

@dataclass(frozen=True)
class IndicatorName:
    slug: str
    name: str
    aliases: tuple[str, ...] = ()
    unit: str = "count"  # count | percent | money | rate_per_1000 | ratio


@dataclass(frozen=True)
class AreaName:
    code: str
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "district"


@dataclass
class Vocabulary:
    """The partnership's names: its indicators and areas (each with its aliases), the area
    each agency reports for (the area of a table that names none), and for each agency the
    indicators that already have figures for an area of its area's family (what tells apart
    indicators a label fits equally when several places' indicators share one database)."""

    indicators: list[IndicatorName] = field(default_factory=list)
    areas: list[AreaName] = field(default_factory=list)
    agency_areas: dict[str, str] = field(default_factory=dict)
    agency_indicators: dict[str, frozenset[str]] = field(default_factory=dict)


@dataclass
class SheetProposal:
    """What the proposer saw on one sheet, in plain sentences."""

    sheet: str
    recognised: list[str] = field(default_factory=list)
    unrecognised: list[str] = field(default_factory=list)
    proposed: bool = False  # a "tables" sheet is in the template


@dataclass
class Proposal:
    definition: TemplateDefinition | None  # None when no sheet held anything to propose
    sheets: list[SheetProposal]

    @property
    def reason(self) -> str:
        """Why nothing could be proposed (for a proposal without a definition)."""
        said = [line for s in self.sheets for line in s.unrecognised]
        return ("We could not find a table of figures whose rows and columns we recognise on any sheet."
                + (" " + " ".join(said[:5]) if said else ""))


# ---- matching texts ---------------------------------------------------------------------

@dataclass(frozen=True)
class Match:
    """What a header text names: kind indicator | area | period | measure | total | change."""

    kind: str
    value: str | None = None  # indicator slug, area code, period ref, measure; None for patterns
    pattern: str | None = None
    loose: bool = False  # matched by its words only: a guess the admin is told about


def stem(word: str) -> str:
    """A word's rough stem, so that "reviews"/"review", "locally"/"local" and "dealing"/"deal"
    compare equal (both sides of a comparison are stemmed alike)."""
    for ending, keep in (("ies", "y"), ("ing", ""), ("ly", ""), ("ed", ""), ("s", "")):
        if word.endswith(ending) and len(word) - len(ending) >= 3 and not word.endswith("ss"):
            return word[: len(word) - len(ending)] + keep
    return word


def name_words(text: str, keep_parentheses: bool = False) -> tuple[str, ...]:
    """The significant words of a label or name, stemmed, in order: no stop words, no bare
    numbers (a "2016/17" in a label is the period, not part of the indicator's name)."""
    plain = text if keep_parentheses else PARENTHESES.sub(" ", text)
    return tuple(stem(w) for w in normalise_label(plain).split() if w not in STOP_WORDS and not w.isdigit())


def significant_words(text: str) -> frozenset[str]:
    return frozenset(name_words(text))


@dataclass(frozen=True)
class KnownName:
    """One name (or alias) of an indicator, in the forms the loose matching compares."""

    slug: str
    words: tuple[str, ...]  # significant, stemmed, in order, without what is in parentheses
    every: frozenset[str]  # the same with what is in parentheses ("(LLR)", "(per 1,000 population)")
    initials: tuple[tuple[str, str], ...]  # (first letter, stemmed word) of each significant word, in order

    @classmethod
    def of(cls, slug: str, text: str) -> KnownName:
        every = name_words(text, keep_parentheses=True)
        plain = [w for w in normalise_label(PARENTHESES.sub(" ", text)).split() if w not in STOP_WORDS]
        return cls(slug, name_words(text), frozenset(every), tuple((w[0], stem(w)) for w in plain))

    def expands(self, acronym: str) -> frozenset[str] | None:
        """The words of the name an acronym of the label stands for ("PCC": Police and Crime
        Commissioner; "DA": domestic abuse), or None."""
        n = len(acronym)
        for start in range(len(self.initials) - n + 1):
            run = self.initials[start:start + n]
            if "".join(letter for letter, _ in run) == acronym:
                return frozenset(word for _, word in run)
        return None

    def covers(self, words: tuple[str, ...], acronyms: frozenset[str]) -> int:
        """How many of a label's words this name has (an acronym counts if the name spells it out)."""
        return sum(1 for w in words if w in self.every or (w in acronyms and self.expands(w) is not None))


class Matcher:
    def __init__(self, vocabulary: Vocabulary):
        self.vocabulary = vocabulary
        self.indicators = {i.slug: i for i in vocabulary.indicators}
        self.area_name_of = {a.code: a.name for a in vocabulary.areas}  # code → name, for sentences
        self.indicator_names: dict[str, str] = {}
        self.area_names: dict[str, str] = {}
        for indicator in vocabulary.indicators:
            for text in (indicator.name, *indicator.aliases):
                self.indicator_names.setdefault(normalise_label(text), indicator.slug)
                self.indicator_names.setdefault(normalise_label(PARENTHESES.sub(" ", text)), indicator.slug)
        for area in vocabulary.areas:
            for text in (area.name, *area.aliases, area.code):
                self.area_names.setdefault(normalise_label(text), area.code)
        self.known = [KnownName.of(i.slug, t) for i in vocabulary.indicators for t in (i.name, *i.aliases)]
        self.indicator_words = [(k.slug, frozenset(k.words)) for k in self.known]
        # The words of the sheet being read above its figures (its name and titles): what
        # tells apart two indicators a short label fits equally ("Women housed": at the LLR
        # refuges, or at the Cambridgeshire ones?). Set by the sheet's reader.
        self.context: frozenset[str] = frozenset()
        # The indicators with figures for the agency's areas already (set for the proposal's agency).
        self.reported: frozenset[str] = frozenset()

    def period(self, text: str) -> str | None:
        try:
            return parse_period(text).key
        except PeriodError:
            return None

    def by_context(self, slugs: Iterable[str], exclude: Iterable[str] = ()) -> str | None:
        """Of several indicators a label fits, the one whose name shares most words with the
        sheet's titles and name (beyond the label's own words), if only one does."""
        exclude = frozenset(exclude)
        scores: dict[str, int] = {}
        for known in self.known:
            if known.slug in slugs:
                scores[known.slug] = max(scores.get(known.slug, 0), len(self.context & (known.every - exclude)))
        best = max(scores.values(), default=0)
        winners = [slug for slug, score in scores.items() if score == best]
        return winners[0] if best > 0 and len(winners) == 1 else None

    def loose_indicator(self, text: str, single: bool = False) -> str | None:
        """The indicator a label names in other words, or None when it is not clear which:
        1. the one indicator whose name (or an alias) has every significant word of the label
           (an acronym counts where the name spells it out: "PCC", "DA"; at least two words,
           or one with ``single``); of several, the one the agency's areas already have
           figures for, else the one whose name begins with the label's words, else the one
           the sheet's titles point to;
        2. failing that, for a long label (four words or more), the one indicator whose name
           has two thirds of its words, where no other has half as many."""
        words = name_words(text)
        acronyms = frozenset(a.lower() for a in ACRONYM.findall(PARENTHESES.sub(" ", text)))
        if len(words) < (1 if single else 2):
            return None
        known = self.known
        if PERCENT_LABEL.search(text):  # "Repeat cases (% of cases heard)": a percentage indicator
            known = [k for k in known if self.indicators[k.slug].unit == "percent"] or known
        full = {k.slug for k in known if k.covers(words, acronyms) == len(words)
                and (not single or set(words) <= set(k.words))}
        if len(full) == 1:
            return next(iter(full))
        if len(full & self.reported) == 1:
            return next(iter(full & self.reported))
        full = full & self.reported or full
        if full:
            prefix = {k.slug for k in known if k.slug in full and k.words[:len(words)] == words}
            if len(prefix) == 1:
                return next(iter(prefix))
            return self.by_context(full, name_words(text, keep_parentheses=True))
        if single or len(words) < 4:
            return None
        best: dict[str, int] = {}
        for name in known:
            best[name.slug] = max(best.get(name.slug, 0), name.covers(words, acronyms))
        ranked = sorted(best.items(), key=lambda item: -item[1])
        if not ranked or ranked[0][1] * 3 < len(words) * 2:
            return None
        if len(ranked) > 1 and ranked[1][1] * 2 > ranked[0][1]:
            return None
        return ranked[0][0]

    def sign_indicator(self, positive: str, negative: str) -> str | None:
        """The indicator a "Surplus/(shortfall)" row is of: the one whose name holds either
        side's words (of several, the one the sheet's titles point to)."""
        sides = [name_words(positive), name_words(negative)]
        found = {k.slug for k in self.known for side in sides if side and set(side) <= set(k.words)}
        if len(found) == 1:
            return next(iter(found))
        return self.by_context(found, [w for side in sides for w in side]) if found else None

    def total_of(self, labels: list[str]) -> str | None:
        """The indicator a bare "Total" beside other labels on its row is ("Reviews expected |
        Cost per review | Total": the total expected cost of reviews): the one indicator with
        "total" in its name that holds at least two of the other labels' words, and more of
        them than any other."""
        words = {w for label in labels for w in name_words(label)}
        scores: dict[str, int] = {}
        for known in self.known:
            if "total" in known.words:
                scores[known.slug] = max(scores.get(known.slug, 0), len(words & (known.every - {"total"})))
        ranked = sorted(scores.values(), reverse=True)
        if not ranked or ranked[0] < 2 or (len(ranked) > 1 and ranked[1] == ranked[0]):
            return None
        return next(slug for slug, score in scores.items() if score == ranked[0])

    def indicator_named(self, text: str) -> str | None:
        """The indicator a heading names: by its name or an alias, else by its words (one
        word will do)."""
        key = normalise_label(text)
        return self.indicator_names.get(key) or self.loose_indicator(text, single=True)

    def indicator_in_title(self, text: str) -> str | None:
        """The indicator whose name (or an alias) a title holds (the longest such, if only
        one indicator has it), else the one indicator every significant word of whose
        name appears in the title."""
        title = f" {normalise_label(text)} "
        held = sorted(((len(name), slug) for name, slug in self.indicator_names.items()
                       if len(name.split()) >= 2 and f" {name} " in title), reverse=True)
        if held and (len(held) == 1 or held[0][0] > held[1][0]):
            return held[0][1]
        words = significant_words(text)
        found = {slug for slug, name_words in self.indicator_words if len(name_words) >= 2 and name_words <= words}
        return found.pop() if len(found) == 1 else None

    def match(self, text: str) -> Match | None:
        key = normalise_label(text)
        if not key:
            return None
        if key in TOTAL_WORDS or key.endswith(" total"):
            return Match("total")
        if key in self.indicator_names:
            return Match("indicator", self.indicator_names[key])
        if key in self.area_names:
            return Match("area", self.area_names[key])
        if any(word in key.split() for word in CHANGE_WORDS):
            return Match("change")
        quarter = QUARTER_REF.match(key)
        if quarter:
            return Match("period", f"Q{quarter.group(1)}")
        if self.period(text) is not None:
            return Match("period", pattern="period")
        words = key.split()
        if words[0] in MEASURE_WORDS and (len(words) == 1 or self.period(" ".join(text.split()[1:]))):
            return Match("measure", MEASURE_WORDS[words[0]])
        if len(words) > 1 and words[-1] in MEASURE_WORDS:
            return Match("measure", MEASURE_WORDS[words[-1]])
        sign = SIGN_LABEL.match(text.strip())
        if sign:
            slug = self.sign_indicator(sign.group(1), sign.group(2))
            return Match("indicator", slug, loose=True) if slug else None
        loose = self.loose_indicator(text)
        if loose is not None:
            return Match("indicator", loose, loose=True)
        return None


def rule_of_units(*units: str) -> FieldRule:
    """The input rule of figures of indicators with these units: one unit's own rule (a
    whole count, a percentage up to 100, money that may be negative), else a decimal number
    any of them allows."""
    if len(set(units)) == 1:
        unit = units[0]
        return FieldRule(required=False, type=RULE_OF_UNIT.get(unit, "decimal"), min=None if unit == "money" else 0,
                         max=100 if unit == "percent" else None, allow_na=True, na_needs_reason=False)
    return FieldRule(required=False, type="decimal", min=None if "money" in units else 0, max=None, allow_na=True,
                     na_needs_reason=False)


# ---- reading the sheet's shape ----------------------------------------------------------------

def is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def is_text(value: object) -> bool:
    return isinstance(value, str) and bool(value.strip())


def is_figure(value: object) -> bool:
    """A number, or a text that is one ("29%*", "4,102 (provisional)", "7 (est)")."""
    return is_number(value) or isinstance(value, str) and NUMBER_TEXT.match(value.strip()) is not None


@dataclass
class Segment:
    """One table found on the sheet: its header row(s), labelled rows and heading."""

    label_col: int
    header_row: int | None
    rows: list[int]
    heading: tuple[int, str] | None = None  # a text-only row above the header row
    floor: int = -1  # the last row of the table above it (a title is looked for between the two)


class SheetReader:
    def __init__(self, grid: SheetGrid, matcher: Matcher, agency_area: str | None, period: PeriodSpec | None):
        self.grid, self.matcher, self.agency_area, self.period = grid, matcher, agency_area, period
        self.report = SheetProposal(grid.name)
        self.rows: dict[int, dict[int, object]] = {}
        for (r, c), value in grid.cells.items():
            if value is not None and not (isinstance(value, str) and not value.strip()):
                self.rows.setdefault(r, {})[c] = value
        self.merged_at = grid.merged_at
        # The sheet's name and titles (the texts above its first figure; not the notes under
        # its tables, which may define a term in another partnership's words).
        words = set(name_words(grid.name, keep_parentheses=True))
        first = min((r for r, cells in self.rows.items() if any(is_number(v) for v in cells.values())), default=0)
        for row in (r for r in self.rows if r < first):
            words.update(w for v in self.rows[row].values() if is_text(v) for w in name_words(v, keep_parentheses=True))
        matcher.context = frozenset(words)

    def say(self, sentence: str) -> None:
        self.report.recognised.append(sentence)

    def cannot(self, sentence: str) -> None:
        self.report.unrecognised.append(sentence)

    def text(self, row: int, col: int) -> str:
        value = self.rows.get(row, {}).get(col)
        return value.strip() if is_text(value) else ""

    # -- the shape
    def find_label_column(self) -> int | None:
        counts: Counter[int] = Counter()
        for cells in self.rows.values():
            texts = sorted(c for c, v in cells.items() if is_text(v))
            texts = [c for c in texts if not is_figure(cells[c])]
            if texts and any(is_figure(v) and c > texts[0] for c, v in cells.items()):
                counts[texts[0]] += 1
        if not counts:
            return None
        return min(counts, key=lambda col: (-counts[col], col))

    def is_data_row(self, row: int, label_col: int) -> bool:
        cells = self.rows.get(row, {})
        return bool(self.text(row, label_col)) and any(is_figure(v) for c, v in cells.items() if c > label_col)

    def is_header_row(self, row: int, label_col: int) -> bool:
        cells = self.rows.get(row, {})
        right = {c: v for c, v in cells.items() if c > label_col}
        return bool(right) and all(is_text(v) and not is_figure(v) for v in right.values())

    def segments(self, label_col: int) -> list[Segment]:
        segments: list[Segment] = []
        current: Segment | None = None
        last_data = -1
        for row in sorted(self.rows):
            if self.is_header_row(row, label_col):
                current = Segment(label_col, row, [], floor=last_data)
                segments.append(current)
                previous = [r for r in range(last_data + 1, row) if r in self.rows and r not in
                            (current.header_row,) and not self.is_header_row(r, label_col)]
                if previous:
                    heading_row = previous[-1]
                    cells = self.rows[heading_row]
                    first = min(cells)
                    if is_text(cells[first]) and len(cells) == 1 and row - heading_row <= 2:
                        current.heading = (heading_row, cells[first].strip())
            elif self.is_data_row(row, label_col):
                if current is None:
                    current = Segment(label_col, None, [], floor=last_data)
                    segments.append(current)
                current.rows.append(row)
                last_data = row
        # A header row directly above another (a merged top heading) is not a table of its own.
        return [s for s in segments if s.rows]

    def top_heading(self, row: int, col: int, label_col: int) -> str:
        """The heading above a sub-heading: merged across the column, or written once over
        blank cells to its right."""
        merged = self.merged_at.get((row, col))
        if merged is not None:
            return self.text(merged[0], merged[1])
        for c in range(col, label_col, -1):
            if self.text(row, c):
                return self.text(row, c)
            if (row, c) in self.merged_at:
                return ""
        return ""

    def data_columns(self, segment: Segment) -> list[int]:
        cols: set[int] = set()
        for row in segment.rows:
            cols.update(c for c in self.rows.get(row, {}) if c > segment.label_col)
        if segment.header_row is not None:
            cols.update(c for c in self.rows.get(segment.header_row, {}) if c > segment.label_col)
        return sorted(cols)

    # -- proposing
    def propose(self) -> list[TableSpec]:
        label_col = self.find_label_column()
        if label_col is None:
            self.cannot("It holds no labelled numbers, so we proposed nothing for it.")
            return []
        segments = self.segments(label_col)
        if not segments:
            self.cannot("It holds no labelled rows of figures, so we proposed nothing for it.")
            return []
        tables: list[TableSpec] = []
        drafts = [self.draft(segment) for segment in segments]
        drafts = self.merge_blocks(drafts)
        for draft in drafts:
            table = self.finish(draft)
            if table is not None:
                tables.append(table)
        tables.extend(self.label_value_pairs(segments))
        used = {t.name for t in tables}
        if len(used) < len(tables):
            for i, table in enumerate(tables, start=1):
                table.name = f"{table.name} ({i})" if table.name else f"Table {i}"
        return tables

    def draft(self, segment: Segment) -> Draft:
        draft = Draft(segment)
        label_col = segment.label_col
        if segment.header_row is None:
            draft.header_rows = 0
        else:
            header_row = segment.header_row
            cols = [c for c in self.data_columns(segment)]
            subs = [normalise_label(self.text(header_row, c)) for c in cols if self.text(header_row, c)]
            above = header_row - 1
            if len(subs) != len(set(subs)) and self.is_header_row(above, label_col):
                draft.header_rows = 2
        for col in self.data_columns(segment):
            draft.columns.append((col, self.column_text(segment, draft.header_rows, col)))
        for row in segment.rows:
            draft.rows.append((row, self.text(row, label_col)))
        return draft

    def column_text(self, segment: Segment, header_rows: int, col: int) -> str:
        if segment.header_row is None:
            return ""
        sub = self.text(segment.header_row, col)
        if header_rows == 2:
            top = self.top_heading(segment.header_row - 1, col, segment.label_col)
            return f"{top} {sub}".strip()
        return sub

    def merge_blocks(self, drafts: list[Draft]) -> list[Draft]:
        """Alike tables each under a heading that is a period (or one indicator) become one
        table of stacked blocks."""
        if len(drafts) < 2 or any(d.segment.heading is None for d in drafts):
            return drafts
        kinds = set()
        for draft in drafts:
            match = self.matcher.match(draft.segment.heading[1])
            kinds.add(None if match is None else match.kind)
        # A heading we cannot name among indicator headings: its block is known, and left out
        # (else the table above would read its rows as repeats of its own).
        if kinds == {"indicator", None}:
            kinds = {"indicator"}
        if len(kinds) != 1 or kinds & {None} or not kinds <= {"period", "indicator"}:
            return drafts
        column_texts = {tuple(normalise_label(t) for _, t in d.columns if t) for d in drafts}
        if len(column_texts) != 1:
            return drafts
        first = drafts[0]
        first.block_kind = kinds.pop()
        for draft in drafts[1:]:
            first.rows.extend(draft.rows)
            first.extra_segments.append(draft.segment)
            first.columns.extend(draft.columns)
        return [first]

    def finish(self, draft: Draft) -> TableSpec | None:
        segment = draft.segment
        where = self.where(draft)
        row_matches = [(row, text, self.matcher.match(text)) for row, text in draft.rows]
        col_matches = [(col, text, self.matcher.match(text) if text else None) for col, text in draft.columns]
        if draft.header_rows == 0:
            col_matches = [(col, text, m) for col, text, m in col_matches if col == segment.label_col + 1]
        row_dim = self.commonest(m for _, _, m in row_matches)
        col_dim = "measure" if draft.header_rows == 0 else self.commonest(m for _, _, m in col_matches)
        block_dim = draft.block_kind
        if row_dim is None:
            self.cannot(f"In {where}, we recognised none of the row labels ("
                        f"{self.quote([t for _, t in draft.rows])}), so we proposed nothing for it.")
            self.unknown_labels(row_matches, "row")
            return None
        if col_dim is None or col_dim in (row_dim, block_dim):
            self.cannot(f"In {where}, we could not tell what the columns name ("
                        f"{self.quote([t for _, t in draft.columns if t])}), so we proposed nothing for it.")
            return None
        table = TableSpec(name=self.table_name(draft), row_dimension=row_dim, column_dimension=col_dim,
                          header_rows=draft.header_rows)
        if draft.header_rows == 0:
            table.columns.append(HeaderSpec(label="", value="value", offset=1))
        else:
            table.columns = self.headers(col_matches, col_dim, "column", draft, row_matches)
        table.rows = self.headers(row_matches, row_dim, "row", draft, col_matches)
        if not any(h.treat == "figure" for h in table.rows) or not any(h.treat == "figure" for h in table.columns):
            self.cannot(f"In {where}, no row or no column names something we know, so we proposed nothing for it.")
            return None
        if block_dim is not None:
            self.add_block(table, draft, block_dim)
        given = {row_dim, col_dim, block_dim}
        if "period" not in given:
            title = self.title(draft)
            if title is not None:
                table.title = title
                given.add("period")
        self.fix_the_rest(table, draft, given)
        if "indicator" not in given and "indicator" not in table.fixed:
            self.cannot(f"In {where}, nothing names the indicator of its figures (no row, column or title we "
                        "recognise), so we proposed nothing for it: give the template a fixed indicator.")
            return None
        self.rules_and_transforms(table, draft)
        self.blanks_not_available(table, draft)
        figure_columns = sum(h.treat == "figure" for h in table.columns)
        columns = "period headings" if any(h.pattern for h in table.columns) else f"{figure_columns} recognised"
        extras = (f", one block per {block_dim} heading" if block_dim else "") + \
            (", two header rows" if draft.header_rows == 2 else "") + \
            (", a label and its value beside it" if draft.header_rows == 0 else "")
        self.say(f"{where[0].upper()}{where[1:]}: {self.plural(row_dim)} as rows ("
                 f"{sum(h.treat == 'figure' for h in table.rows)} recognised), {self.plural(col_dim)} as columns "
                 f"({columns}){extras}.")
        return table

    # -- parts of finishing a table
    def where(self, draft: Draft) -> str:
        segment = draft.segment
        first = segment.header_row if segment.header_row is not None else segment.rows[0]
        return f"the table at {cell_ref(first, segment.label_col)}"

    def table_name(self, draft: Draft) -> str:
        segment = draft.segment
        if draft.block_kind is None and segment.heading is not None:
            return segment.heading[1][:80]
        if segment.header_row is not None and self.text(segment.header_row, segment.label_col):
            return self.text(segment.header_row, segment.label_col)[:80]
        return self.grid.name

    @staticmethod
    def commonest(matches: Iterable[Match | None]) -> str | None:
        counts = Counter(m.kind for m in matches if m is not None and m.kind in ("indicator", "area", "period",
                                                                                  "measure"))
        if not counts:
            return None
        order = ("indicator", "area", "period", "measure")
        return min(counts, key=lambda kind: (-counts[kind], order.index(kind)))

    def headers(self, matches, dimension: str, what: str, draft: Draft, other) -> list[HeaderSpec]:
        """The headers of one direction: figures for the texts naming ``dimension``, checks
        for totals and changes, ignored hidden columns; the rest reported."""
        headers: list[HeaderSpec] = []
        seen: dict[str, HeaderSpec] = {}
        period_pattern = False
        period_lines = sum(1 for _, _, m in matches if m is not None and m.kind == "period")
        for where, text, match in matches:
            cell = cell_ref(where, draft.segment.label_col) if what == "row" else \
                cell_ref(draft.segment.header_row or draft.segment.rows[0], where)
            hidden = where in (self.grid.hidden_rows if what == "row" else self.grid.hidden_cols)
            if not text:
                if what == "column" and self.has_entries(draft, where):
                    self.cannot(f"Column {column_letters(where)} has figures but no heading, so the template "
                                "leaves it out.")
                continue
            key = normalise_label(text)
            if key in seen:
                continue
            if match is not None and match.kind == dimension and dimension == "area" and \
                    self.is_sum_of_others(draft, what, where, matches):
                match = Match("total")
            if match is not None and match.kind == dimension:
                if match.pattern:
                    if not period_pattern:
                        headers.append(HeaderSpec(label="", pattern="period"))
                        period_pattern = True
                        self.say(f"{cell} '{text}' and the like: period headings, read with the period parser.")
                    continue
                header = HeaderSpec(label=text, value=match.value)
                words = "" if not match.loose else \
                    " (a guess from its words: check it)"
                self.say(f"{cell} '{text}': {self.describe(dimension, match.value)}{words}.")
            elif match is not None and match.kind == "total":
                header = HeaderSpec(label=text, treat="check_only", check="sum", required=False)
                self.say(f"{cell} '{text}': a total, checked against the sum of the other {what}s, not stored.")
            elif match is not None and match.kind == "change":
                if dimension == "measure" or period_lines < 2 or what == "row":
                    header = HeaderSpec(label=text, treat="ignore", required=False)
                    self.say(f"{cell} '{text}': a change worked out from the other {what}s: ignored.")
                else:
                    header = HeaderSpec(label=text, treat="check_only", check="percent_change", required=False)
                    self.say(f"{cell} '{text}': a percentage change between the two latest periods, checked, "
                             "not stored.")
            elif hidden:
                header = HeaderSpec(label=text, treat="ignore", required=False)
                self.say(f"{cell} '{text}': a hidden {what} we do not recognise: ignored.")
            else:
                self.unknown(cell, text, what, dimension, match)
                continue
            seen[key] = header
            headers.append(header)
        return headers

    def unknown(self, cell: str, text: str, what: str, dimension: str, match: Match | None) -> None:
        if match is not None:
            self.cannot(f"{cell} '{text}' looks like {self.a(match.kind)}, but this table's {what}s name "
                        f"{self.plural(dimension)}: the template leaves it out.")
        elif dimension == "indicator":
            self.cannot(f"{cell} '{text}' is not an indicator of the partnership: the template leaves its figures "
                        f"out. Create the indicator (for example '{slugify(text)}') or add '{text}' as another name "
                        "of an existing one, then propose again.")
        elif dimension == "area":
            self.cannot(f"{cell} '{text}' is not an area of the partnership: the template leaves its figures out. "
                        f"Add '{text}' as another name of the area it is, then propose again.")
        else:
            self.cannot(f"{cell} '{text}' is not {self.a(dimension)} we recognise: the template leaves it out.")

    def unknown_labels(self, matches, what: str) -> None:
        for row, text, match in matches:
            if match is None:
                self.unknown(cell_ref(row, 0), text, what, "indicator", None)

    def has_entries(self, draft: Draft, col: int) -> bool:
        return any(col in self.rows.get(row, {}) for row, _ in draft.rows)

    def is_sum_of_others(self, draft: Draft, what: str, where: int, matches) -> bool:
        """An area line whose every number is the sum of the other area lines' (a county
        total under its districts): a total, not a figure of its own."""
        others = [w for w, _, m in matches if m is not None and m.kind == "area" and w != where]
        if len(others) < 2:
            return False
        lines = [c for c, _ in draft.columns] if what == "row" else [r for r, _ in draft.rows]
        checked = 0
        for line in lines:
            def at(w, line=line):
                r, c = (w, line) if what == "row" else (line, w)
                return self.rows.get(r, {}).get(c)
            given = at(where)
            parts = [at(w) for w in others]
            if not is_number(given) or not all(is_number(p) for p in parts):
                continue
            if abs(sum(parts) - given) > 0.5:
                return False
            checked += 1
        return checked > 0

    def add_block(self, table: TableSpec, draft: Draft, block_dim: str) -> None:
        headings = [s.heading for s in [draft.segment, *draft.extra_segments] if s.heading]
        if block_dim == "period":
            table.block = BlockSpec(dimension="period", match="period")
        else:
            values = []
            for row, text in headings:
                match = self.matcher.match(text)
                if match is not None and match.kind == "indicator":
                    values.append(HeaderSpec(label=text, value=match.value))
                else:
                    values.append(HeaderSpec(label=text, treat="ignore", required=False))
                    self.unknown(cell_ref(row, draft.segment.label_col), text, "block heading", "indicator", None)
            table.block = BlockSpec(dimension="indicator", match="headers", block_values=values)
        self.say(f"Stacked blocks, each headed by {self.a(block_dim)}: "
                 f"{self.quote([text for _, text in headings])}.")

    def title(self, draft: Draft) -> TitleSpec | None:
        """A cell above the table such as "Period: December 2015 to March 2016"."""
        first = draft.segment.header_row if draft.segment.header_row is not None else draft.segment.rows[0]
        for row in sorted(r for r in self.rows if draft.segment.floor < r < first):
            for col, value in sorted(self.rows[row].items()):
                if not is_text(value):
                    continue
                found = TITLE_PERIOD.search(value.strip())
                if found and self.matcher.period(found.group(2).strip()) is not None:
                    word = found.group(1).strip()
                    self.say(f"{cell_ref(row, col)} '{value.strip()}': the period of the return.")
                    return TitleSpec(dimension="period", source="cells", pattern=re.escape(word) + r":\s*(.+)")
        return None

    def fix_the_rest(self, table: TableSpec, draft: Draft, given: set[str]) -> None:
        if "measure" not in given:
            table.fixed["measure"] = "value"
        if "period" not in given:
            table.fixed["period"] = "period"
            self.say(f"The figures of {self.where(draft)} are for the period of the return.")
        if "area" not in given:
            if self.agency_area:
                table.fixed["area"] = self.agency_area
                area_name = self.matcher.area_name_of.get(self.agency_area, self.agency_area)
                self.say(f"The figures of {self.where(draft)} are for the agency's area ({area_name}).")
            else:
                self.cannot(f"Nothing says which area the figures of {self.where(draft)} are for: choose one.")
        if "indicator" not in given:
            segment = draft.segment
            first = segment.header_row if segment.header_row is not None else segment.rows[0]
            # What the table itself is headed: the text over its labels ("Occupancy"), its heading.
            # (Only over rows of measures: over rows of areas or months it names them: "District".)
            heads = [(segment.header_row, segment.label_col)] if segment.header_row is not None and \
                table.row_dimension == "measure" else []
            heads += [(segment.heading[0], segment.label_col)] if segment.heading is not None else []
            for row, col in heads:
                text = self.text(row, col)
                slug = self.matcher.indicator_named(text) if text else None
                if slug is not None:
                    table.fixed["indicator"] = slug
                    self.say(f"{cell_ref(row, col)} '{text}': every figure of {self.where(draft)} "
                             f"is of {self.describe('indicator', slug)} (a guess from its words: check it).")
                    return
            for row in sorted((r for r in self.rows if segment.floor < r < first), reverse=True):
                for col, value in sorted(self.rows[row].items()):
                    slug = self.matcher.indicator_in_title(value) if is_text(value) else None
                    if slug is not None:
                        table.fixed["indicator"] = slug
                        self.say(f"{cell_ref(row, col)} '{value.strip()}': every figure of {self.where(draft)} "
                                 f"is of {self.describe('indicator', slug)} (a guess from its words: check it).")
                        return

    def rules_and_transforms(self, table: TableSpec, draft: Draft) -> None:
        """Each indicator header gets the rule of its unit; a percentage held as a fraction
        (0.29) is scaled by 100; a "surplus/(shortfall)" label of a shortfall is sign-flipped."""
        fixed = table.fixed.get("indicator")
        # Rows of stacked blocks each headed by an indicator: a rule every block's indicator keeps.
        block_units = {self.matcher.indicators[h.value].unit for h in table.block.block_values
                       if h.treat == "figure" and h.value in self.matcher.indicators} \
            if table.block is not None and table.block.dimension == "indicator" else set()
        for what, headers in (("row", table.rows), ("column", table.columns)):
            dimension = table.row_dimension if what == "row" else table.column_dimension
            for header in headers:
                if header.treat != "figure":
                    continue
                slug = header.value if dimension == "indicator" else fixed if what == "row" else None
                indicator = self.matcher.indicators.get(slug or "")
                if indicator is None:
                    if what == "row" and block_units:
                        header.rule = rule_of_units(*block_units)
                    continue
                header.rule = rule_of_units(indicator.unit)
                sign, scale = 1, 1
                parts = SIGN_LABEL.match(header.label)
                if parts and dimension == "indicator":
                    name = significant_words(indicator.name)
                    positive, negative = significant_words(parts.group(1)), significant_words(parts.group(2))
                    if negative & name and not positive & name:
                        sign = -1
                        self.say(f"'{header.label}': stored as the {parts.group(2)} (the sign turned over).")
                if indicator.unit == "percent" and dimension == "indicator":
                    cells = self.cells_of(draft, what, header)
                    numbers = [v for key, v in cells if is_number(v) and key not in self.grid.percent_cells]
                    if numbers and all(0 <= v <= 1 for v in numbers) and any(v for v in numbers):
                        scale = 100
                        self.say(f"'{header.label}': percentages written as fractions (0.29 for 29%), "
                                 "multiplied by 100.")
                if sign != 1 or scale != 1:
                    header.transform = Transform(sign=sign, scale=scale)

    def blanks_not_available(self, table: TableSpec, draft: Draft) -> None:
        """A blank cell inside the table (its row and its column hold figures) on a sheet whose
        notes say something is "not available": a blank under that column (row) is proposed as
        not available, not as nothing returned."""
        notes = [(r, c, v.strip()) for r, cells in sorted(self.rows.items()) for c, v in sorted(cells.items())
                 if is_text(v) and NOT_AVAILABLE.search(v) and not any(is_figure(w) for w in cells.values())]
        if not notes:
            return
        note_row, note_col, note = notes[0]

        def header_of(headers: list[HeaderSpec], text: str) -> HeaderSpec | None:
            key = normalise_label(text)
            return next((h for h in headers if h.treat == "figure" and not h.pattern
                         and any(normalise_label(t) == key for t in h.texts)), None)

        def has_figures(line: list[tuple[int, int]]) -> bool:
            return any(is_figure(self.rows.get(r, {}).get(c)) for r, c in line)

        rows = [(r, t) for r, t in draft.rows if normalise_label(t) not in TOTAL_WORDS]
        for col, col_text in draft.columns:
            for row, row_text in rows:
                if self.rows.get(row, {}).get(col) is not None:
                    continue
                if not has_figures([(row, c) for c, _ in draft.columns]) or \
                        not has_figures([(r, col) for r, _ in rows]):
                    continue
                header = header_of(table.columns, col_text) if col_text else None
                header = header or header_of(table.rows, row_text)
                if header is None or header.transform.blank == "not_available":
                    continue
                header.transform = Transform(sign=header.transform.sign, scale=header.transform.scale,
                                             blank="not_available")
                self.say(f"{cell_ref(row, col)} is blank and {cell_ref(note_row, note_col)} says '{note[:80]}': "
                         f"a blank cell under '{header.label}' means not available.")

    def cells_of(self, draft: Draft, what: str, header: HeaderSpec) -> list[tuple[tuple[int, int], object]]:
        texts = {normalise_label(t) for t in header.texts}
        if what == "row":
            rows = [r for r, t in draft.rows if normalise_label(t) in texts]
            cols = [c for c, _ in draft.columns]
        else:
            cols = [c for c, t in draft.columns if normalise_label(t) in texts]
            rows = [r for r, _ in draft.rows]
        return [((r, c), self.rows.get(r, {}).get(c)) for r in rows for c in cols]

    def label_value_pairs(self, segments: list[Segment]) -> list[TableSpec]:
        """Further label/value pairs along the rows of a label/value sheet ("Reviews expected
        2 | Cost per review 7,500 | Total 15,000"): one small table each."""
        tables = []
        for segment in segments:
            if segment.header_row is not None:
                continue
            for row in segment.rows:
                cells = self.rows.get(row, {})
                for col in sorted(cells):
                    if col <= segment.label_col + 1 or not is_text(cells[col]) or is_figure(cells[col]) \
                            or not is_figure(cells.get(col + 1)):
                        continue
                    text = cells[col].strip()
                    slug = self.matcher.indicator_names.get(normalise_label(text))
                    match = Match("indicator", slug) if slug else self.matcher.match(text)
                    where = cell_ref(row, col)
                    if match is not None and match.kind == "total":
                        others = [v for c, v in cells.items() if c != col and is_text(v) and not is_figure(v)]
                        total_of = self.matcher.total_of(others)
                        match = Match("indicator", total_of, loose=True) if total_of else match
                    if match is None or match.kind != "indicator":
                        if match is not None and match.kind == "total":
                            self.cannot(f"{where} '{text}': a total beside other figures; the template leaves it "
                                        "out (map it to its own indicator if it is one).")
                        else:
                            self.unknown(where, text, "row", "indicator", match)
                        continue
                    header = HeaderSpec(label=text, value=match.value)
                    table = TableSpec(name=text[:80], row_dimension="indicator", column_dimension="measure",
                                      header_rows=0, rows=[header],
                                      columns=[HeaderSpec(label="", value="value", offset=1)])
                    self.fix_the_rest(table, Draft(Segment(col, None, [row])), {"indicator", "measure"})
                    self.rules_and_transforms(table, Draft(Segment(col, None, [row]), rows=[(row, text)],
                                                           columns=[(col + 1, "")]))
                    guess = " (a guess from its words: check it)" if match.loose else ""
                    self.say(f"{where} '{text}': {self.describe('indicator', match.value)}{guess}, its value beside "
                             "it.")
                    tables.append(table)
        return tables

    # -- words
    def describe(self, dimension: str, value: str | None) -> str:
        if dimension == "indicator":
            indicator = self.matcher.indicators.get(value or "")
            # Names, as the admin knows them; a slug only for what the partnership does not have.
            return f"the indicator '{indicator.name}'" if indicator else f"the indicator {value}"
        if dimension == "area":
            return f"the area '{self.matcher.area_name_of.get(value or '', value)}'"
        if dimension == "period":
            return f"the period {value}"
        return f"the measure {value}"

    @staticmethod
    def plural(dimension: str) -> str:
        return {"indicator": "indicators", "area": "areas", "period": "periods", "measure": "measures"}[dimension]

    @staticmethod
    def a(kind: str) -> str:
        return {"indicator": "an indicator", "area": "an area", "period": "a period", "measure": "a measure",
                "total": "a total", "change": "a change"}.get(kind, kind)

    @staticmethod
    def quote(texts: list[str], most: int = 4) -> str:
        shown = ", ".join(f"'{t}'" for t in texts[:most])
        return shown + (f" and {len(texts) - most} more" if len(texts) > most else "")


@dataclass
class Draft:
    """A table being proposed: its segment(s), (row, label) and (column, header text) pairs."""

    segment: Segment
    rows: list[tuple[int, str]] = field(default_factory=list)
    columns: list[tuple[int, str]] = field(default_factory=list)
    header_rows: int = 1
    block_kind: str | None = None
    extra_segments: list[Segment] = field(default_factory=list)


# ---- the template -----------------------------------------------------------------------------

def guess_frequency(period: PeriodSpec | None, tables: list[TableSpec]) -> str:
    if period is not None:
        return FREQUENCY_OF_KIND.get(period.kind, "quarterly")
    refs = [h.value for t in tables for h in [*t.rows, *t.columns] if h.value in ("Q1", "Q2", "Q3", "Q4")]
    if refs:
        return "quarterly"
    return "quarterly"


def propose_template(workbook: WorkbookData, *, agency: str, period: PeriodSpec | None, vocabulary: Vocabulary,
                     file_name: str = "") -> Proposal:
    """A tables-layout template for files like ``workbook``, and what was (not) recognised.

    ``file_name`` gives the template's slug and name ("Police quarterly crime.xlsx" →
    "police-quarterly-crime"); the agency (its slug) is the template's agency, and its area
    (``vocabulary.agency_areas``) the area of tables that name none."""
    matcher = Matcher(vocabulary)
    matcher.reported = vocabulary.agency_indicators.get(agency, frozenset())
    agency_area = vocabulary.agency_areas.get(agency)
    sheets: list[SheetLayout] = []
    reports: list[SheetProposal] = []
    for grid in workbook.sheets:
        if grid.name in workbook.hidden_sheets:
            report = SheetProposal(grid.name, unrecognised=["The sheet is hidden, so we proposed nothing for it."])
            reports.append(report)
            continue
        reader = SheetReader(grid, matcher, agency_area, period)
        tables = reader.propose()
        reader.report.proposed = bool(tables)
        reports.append(reader.report)
        if tables:
            sheets.append(SheetLayout(name=grid.name, layout="tables", note_column=False, tables=tables))
    if not sheets:
        return Proposal(None, reports)
    stem = re.sub(r"\.[A-Za-z0-9]+$", "", file_name.rsplit("/", 1)[-1]) or (sheets[0].name)
    slug = slugify(stem) or "proposed-template"
    name = " ".join(re.sub(r"[_]+", " ", stem).split()).strip() or slug
    name = name[0].upper() + name[1:]
    all_tables = [t for s in sheets for t in s.tables]
    definition = TemplateDefinition(slug=slug, name=name, frequency=guess_frequency(period, all_tables),
                                    agencies=[agency], sheets=sheets,
                                    instructions="Proposed from the agency's own spreadsheet "
                                                 f"'{file_name or stem}'. Check it before publishing.")
    return Proposal(definition, reports)
