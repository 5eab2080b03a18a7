"""Peer figures from a CSV file or a workbook, all or nothing (issue 15).

The file's first row names its columns, in any order (case, spacing and punctuation do
not count):

* **Indicator**: the indicator's name, short name or one of its other names;
* **Period**: the period the figure describes, as the app reads periods ("2015/16",
  "2015/16 Q4", "Apr-Dec 2015", "12 months to 31 October 2017");
* **Peer**: who the figure is for ("England average", "Most similar group"; also read
  under the heading Label or Comparator);
* **Figure** (or Value): the peer's figure, a number ("3.2", "1,234", "38.9%");
* **Position** (optional): where only the position among peers was published, not the
  peers' figures — Top, Average or Bottom — given instead of a figure.

Every row is checked before anything is stored; every bad row is reported with its row
number and a sentence, and then nothing is stored. A row for an indicator, period and
peer already held replaces it (as typing it on the peers page does). Blank rows are
skipped. How figures and positions are compared: ``app.indicators.compare``.
"""
from __future__ import annotations

import csv
import io
import math
import re
from dataclasses import dataclass

from sqlalchemy import select

from app.definition import normalise_label
from app.extensions import db
from app.models import Indicator, PeerPosition, PeerValue
from app.periods import PeriodError, PeriodSpec
from app.indicators.periods import period_of
from app.services import ServiceError, transaction
from app.services.audit import record
from app.services.returns import safety_limits
from app.services.vocabulary import partnership_names
from app.store.reference import period_row
from app.vocabulary import MAX_FIGURE, PEER_POSITIONS

MAX_ROWS = 5000
LABEL_LENGTH = 120
COLUMNS = {"indicator": "indicator", "period": "period", "peer": "label", "label": "label", "comparator": "label",
           "figure": "value", "value": "value", "position": "position"}
REQUIRED = {"indicator": "Indicator", "period": "Period", "label": "Peer"}
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
NUMBER = re.compile(r"^[-+]?(\d{1,3}(,\d{3})+|\d+)?(\.\d+)?([eE][-+]?\d{1,5})?%?$")


@dataclass(frozen=True)
class PeerRow:
    """One checked row: ``value`` or ``position`` (the other None)."""

    row: int
    indicator_id: int
    period: PeriodSpec
    label: str
    value: float | None = None
    position: str | None = None


@dataclass(frozen=True)
class PeerUpload:
    figures: int
    positions: int


def read_table(data: bytes, filename: str) -> list[list]:
    """The file's rows of cells: a CSV (UTF-8, or Windows' encoding) or the first sheet of
    a workbook, read with the upload's safety checks."""
    from app.ingest.problems import IngestError
    from app.ingest.read import read_workbook

    if not data.startswith(b"PK"):
        if filename.lower().endswith((".xlsx", ".xlsm")):
            raise ServiceError("This is not an Excel workbook (.xlsx). Save it again as Excel Workbook or CSV.")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = data.decode("cp1252", errors="replace")
        try:
            return [row for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as error:
            raise ServiceError(f"This CSV file cannot be read ({error}). Save it again as CSV and re-upload it.") \
                from None
    try:
        workbook, _problems = read_workbook(data, safety_limits(), need_formats=False)
    except IngestError as error:
        raise ServiceError(" ".join(p.message for p in error.problems) or "This workbook cannot be read.") from None
    visible = [grid for grid in workbook.sheets if grid.name not in workbook.hidden_sheets]
    if not visible:
        raise ServiceError("This workbook has no sheet to read.")
    grid = visible[0]
    return [[grid.value(r, c) for c in range(grid.n_cols)] for r in range(grid.n_rows)]


def _indicators() -> dict[str, int]:
    """Every name an indicator goes by (compared as labels are) → its id."""
    ids = dict(db.session.execute(select(Indicator.slug, Indicator.id)).all())
    found: dict[str, int] = {}
    for slug, names in partnership_names().indicator_names().items():
        for name in (slug, *names):
            found.setdefault(normalise_label(name), ids[slug])
    return found


def _number(value) -> float | None:
    """A number from a cell (a float, or text such as "1,234.5" or "38.9%"), else None."""
    from app.ingest.normalise import cell_text

    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value)
    text = cell_text(value).replace(" ", "")
    if not text or not NUMBER.match(text) or not any(ch.isdigit() for ch in text):
        return None
    return float(text.rstrip("%").replace(",", ""))


def check_rows(table: list[list]) -> tuple[list[PeerRow], list[str]]:
    """The rows of ``table`` (header first) checked: (rows, problems), each problem a
    sentence starting with its row number as a spreadsheet numbers it."""
    from app.ingest.normalise import cell_text

    if not table or not any(cell_text(cell) for cell in table[0]):
        return [], ["Row 1: the first row must name the columns: Indicator, Period, Peer and Figure (or Position)."]
    columns: dict[str, int] = {}
    for index, heading in enumerate(table[0]):
        key = COLUMNS.get(normalise_label(cell_text(heading)).replace(" ", ""))
        if key and key not in columns:
            columns[key] = index
    missing = [name for key, name in REQUIRED.items() if key not in columns]
    if "value" not in columns and "position" not in columns:
        missing.append("Figure (or Position)")
    if missing:
        return [], [f"Row 1: there is no column headed {' or '.join(missing)}. The first row must name the "
                    "columns: Indicator, Period, Peer and Figure (or Position)."]
    body = [(number, row) for number, row in enumerate(table[1:], start=2) if any(cell_text(cell) for cell in row)]
    if len(body) > MAX_ROWS:
        return [], [f"The file has {len(body):,} rows of figures; upload at most {MAX_ROWS:,} at a time."]
    indicators = _indicators()
    rows, problems, seen = [], [], {}

    def cell(row, key):
        index = columns.get(key)
        return row[index] if index is not None and index < len(row) else None

    for number, row in body:
        said = []
        if any(CONTROL.search(cell_text(c)) for c in row):
            problems.append(f"Row {number}: a cell contains a control character (such as NUL); "
                            "remove it and upload the file again.")
            continue
        name = cell_text(cell(row, "indicator"))
        indicator_id = indicators.get(normalise_label(name)) if name else None
        if not name:
            said.append("the indicator is blank")
        elif indicator_id is None:
            said.append(f"there is no indicator called '{name[:80]}'")
        period_text, period = cell_text(cell(row, "period")), None
        if not period_text:
            said.append("the period is blank")
        else:
            try:
                period = period_of(period_text)
            except (PeriodError, ValueError) as error:
                said.append(f"the period '{period_text[:40]}' cannot be read: {str(error).rstrip('.')}")
        label = cell_text(cell(row, "label"))
        if not label:
            said.append("the peer is blank (say who the figure is for, for example 'England average')")
        elif len(label) > LABEL_LENGTH:
            said.append(f"the peer's name is longer than {LABEL_LENGTH} characters")
        raw, position = cell(row, "value"), cell_text(cell(row, "position")) or None
        value = None
        if cell_text(raw):
            value = _number(raw)
            if value is None:
                said.append(f"the figure '{cell_text(raw)[:40]}' is not a number")
            elif not math.isfinite(value) or abs(value) > MAX_FIGURE["decimal"]:
                said.append(f"the figure {cell_text(raw)[:40]} is beyond any sane size (at most "
                            f"{MAX_FIGURE['decimal']:,.0f})")
                value = None
        given = position
        if position:
            match = next((p for p in PEER_POSITIONS if p.lower() == position.lower()), None)
            if match is None:
                said.append(f"the position '{position[:40]}' is not Top, Average or Bottom")
            position = match
        if cell_text(raw) and given:
            said.append("give a figure or a position, not both")
        elif not cell_text(raw) and not given:
            said.append("the figure is blank" + (" (or give a position: Top, Average or Bottom)"
                                                 if "position" in columns else ""))
        if not said and indicator_id is not None and period is not None:
            key = (indicator_id, period.key, label.lower(), position is None)
            if key in seen:
                said.append(f"it repeats row {seen[key]} (the same indicator, period and peer)")
            seen.setdefault(key, number)
        if said:
            problems.append(f"Row {number}: " + "; ".join(said) + ".")
        else:
            rows.append(PeerRow(number, indicator_id, period, label, value if position is None else None, position))
    return rows, problems


def store_peer_rows(rows: list[PeerRow]) -> PeerUpload:
    """Store checked rows, each replacing the figure (or position) held for its
    indicator, period and peer. Flushes; the caller commits."""
    figures = positions = 0
    for item in rows:
        period = period_row(item.period)
        model, attribute = (PeerValue, "value") if item.position is None else (PeerPosition, "position")
        held = db.session.scalar(select(model).where(
            model.indicator_id == item.indicator_id, model.period_id == period.id, model.label == item.label))
        held = held or model(indicator_id=item.indicator_id, period_id=period.id, label=item.label)
        setattr(held, attribute, item.value if item.position is None else item.position)
        db.session.add(held)
        figures += item.position is None
        positions += item.position is not None
    db.session.flush()
    return PeerUpload(figures, positions)


def upload_peer_figures(data: bytes, filename: str, user) -> PeerUpload:
    """The admin's upload: every row checked, then all stored in one transaction, or a
    ServiceError listing every bad row and nothing stored."""
    if not data:
        raise ServiceError(field_errors={"file": ["The file is empty: choose a CSV file or a workbook of figures."]})
    try:
        table = read_table(data, filename)
    except ServiceError as error:
        raise ServiceError(field_errors={"file": [error.message]}) from None
    rows, problems = check_rows(table)
    if problems:
        count = f"{len(problems)} row{'s need' if len(problems) != 1 else ' needs'}"
        raise ServiceError(field_errors={"file": [f"Nothing was stored: {count} correcting.", *problems]})
    if not rows:
        raise ServiceError(field_errors={"file": ["The file has no rows of peer figures under its headings."]})
    with transaction():
        stored = store_peer_rows(rows)
        record("peer_figures_uploaded", user, None, filename=filename[:200], figures=stored.figures,
               positions=stored.positions)
    return stored
