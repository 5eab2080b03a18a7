"""The board's performance report as a Word document (.docx), from the workbook's content.

Flask-free: ``report_bytes(data, dhr=None)`` writes a ``DashboardData`` (the same content
as the workbook, public or full) with python-docx, as committee systems take papers:
a cover, the RAG summary (counts per outcome, the reds first, then each red indicator
with its reason and commentary), Appendix 1 (a table per outcome, RAG cells shaded), the
district tables, a DHR summary (``dhr``: the restricted version only) and the notes and
definitions.

Accessible and plain: real Heading 1-3 styles (a screen reader lists them), every table's
first row marked as a header row (``w:tblHeader``: repeated on each page and announced as
headers), the RAG letter and its word in each shaded cell (never colour alone), Arial,
nothing under 10 pt. Text from returns (comments, notes) is only ever a run's text.
"""
from __future__ import annotations

import io

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor

from app.export.dashboard_data import (
    FLAGS, SUPPRESSED_LEGEND, WIDER_KEY, DashboardData, DashboardRow, DhrSummary, DistrictTable, Figure, Suppressed,
)
from app.export.formats import HEADER_FILL, RAG_COLOURS, TEXT_COLOUR
from app.indicators.rag import most_reds_first, rag_counts
from app.vocabulary import NO_SAME_PERIOD, RAG_NAMES, SAME_PERIOD_LAST_YEAR, direction_text

FONT = "Arial"
BODY_SIZE, TABLE_SIZE = Pt(11), Pt(10)
HEADING_SIZES = {1: Pt(20), 2: Pt(15), 3: Pt(12)}
APPENDIX_HEADERS = ["Supporting indicator", "Previous period", "Previous", "Latest period", "Latest",
                    "Direction of travel", "RAG", "Reason and commentary"]
APPENDIX_WIDTHS = [5.2, 2.4, 2.3, 2.4, 2.3, 2.8, 2.2, 6.1]  # cm: 25.7 across an A4 landscape page
NOT_RATED = "Not rated"


def report_bytes(data: DashboardData, dhr: DhrSummary | None = None, left_out: str | None = None) -> bytes:
    """The report for ``data``; ``dhr`` only in the full version; ``left_out``: why the
    DHR section is not in a full version (the reader may not see DHR data)."""
    document = _new_document(data)
    _cover(document, data, left_out)
    _summary(document, data)
    _landscape(document)
    _appendix(document, data)
    if data.district_tables:
        _district_tables(document, data.district_tables)
    if dhr is not None and not data.public:
        _dhr(document, dhr)
    _notes(document, data)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


# ---- document and styles ---------------------------------------------------------------------


def _new_document(data: DashboardData):
    document = Document()
    properties = document.core_properties
    properties.title = report_title(data)
    properties.subject = f"{data.partnership}: {data.period_label}"
    properties.author = data.partnership
    properties.comments = "Public version" if data.public else "Restricted: not for publication"
    properties.created = properties.modified = data.generated_at
    properties.last_modified_by = data.partnership
    properties.revision = 1
    styles = document.styles
    normal = styles["Normal"]
    normal.font.name, normal.font.size = FONT, BODY_SIZE
    normal.font.color.rgb = RGBColor.from_string(TEXT_COLOUR[1:])
    normal.element.rPr.rFonts.set(qn("w:eastAsia"), FONT)
    normal.paragraph_format.space_after = Pt(6)
    for level, size in HEADING_SIZES.items():
        style = styles[f"Heading {level}"]
        style.font.name, style.font.size, style.font.bold = FONT, size, True
        style.font.color.rgb = RGBColor.from_string(TEXT_COLOUR[1:])
        style.paragraph_format.space_before, style.paragraph_format.space_after = Pt(14), Pt(6)
    section = document.sections[0]
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Cm(2))
    _header_footer(section, data)
    return document


def _header_footer(section, data: DashboardData) -> None:
    version = "Public version" if data.public else "Restricted: not for publication"
    header = section.header.paragraphs[0]
    header.text = f"{report_title(data)} · {version}"
    footer = section.footer.paragraphs[0]
    footer.text = f"{data.partnership} · {data.period_label} · page "
    run = footer.add_run()
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        else:
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        run._r.append(element)


def _landscape(document) -> None:
    section = document.add_section()
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = Cm(29.7), Cm(21.0)
    for side in ("left_margin", "right_margin"):
        setattr(section, side, Cm(2))


def _table(document, headers: list[str], widths: list[float] | None = None):
    """A table with a marked header row (repeated on each page, read as headers)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = widths is None
    row = table.rows[0]
    properties = row._tr.get_or_add_trPr()
    marker = OxmlElement("w:tblHeader")
    marker.set(qn("w:val"), "true")
    properties.append(marker)
    no_split = OxmlElement("w:cantSplit")
    properties.append(no_split)
    for cell, text in zip(row.cells, headers):
        _cell_text(cell, text, bold=True)
        _shade(cell, HEADER_FILL)
    if widths:
        for index, width in enumerate(widths):
            table.columns[index].width = Cm(width)
            for cell in table.columns[index].cells:
                cell.width = Cm(width)
    return table


def _add_row(table, values: list[str | None], widths: list[float] | None = None):
    cells = table.add_row().cells
    for index, (cell, value) in enumerate(zip(cells, values)):
        _cell_text(cell, value)
        if widths:
            cell.width = Cm(widths[index])
    return cells


def _cell_text(cell, text: str | None, *, bold: bool = False, colour: str | None = None) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.paragraph_format.space_after = Pt(0)
    run = paragraph.add_run("" if text is None else str(text))
    run.font.size, run.font.bold = TABLE_SIZE, bold or None
    if colour:
        run.font.color.rgb = RGBColor.from_string(colour[1:])


def _shade(cell, fill: str) -> None:
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill[1:])
    cell._tc.get_or_add_tcPr().append(shading)


def _rag_cell(cell, letter: str | None) -> None:
    """The letter and its word, on the RAG's colour (text colours pass WCAG AA)."""
    if letter is None:
        _cell_text(cell, NOT_RATED)
        return
    fill, text = RAG_COLOURS[letter]
    _shade(cell, fill)
    _cell_text(cell, f"{letter} {RAG_NAMES[letter]}", bold=True, colour=text)


def _fact(document, label: str, value: str) -> None:
    paragraph = document.add_paragraph()
    paragraph.add_run(f"{label}: ").bold = True
    paragraph.add_run(value)


# ---- figures -------------------------------------------------------------------------------------


def figure_text(value: Figure, unit: str, decimals: int) -> str:
    """A figure as the report prints it: "47.21", "56.1%", "£1,200", "<5"; "" when missing."""
    if value is None:
        return ""
    if isinstance(value, Suppressed):
        return value.label
    number = f"{value:,.{decimals}f}"
    return {"percent": f"{number}%", "money": f"£{number}"}.get(unit, number)


def _period_text(label: str | None, *notes: str | None) -> str:
    parts = [part for part in notes if part]
    return f"{label} ({', '.join(parts)})" if label and parts else (label or ", ".join(parts))


def _previous(row: DashboardRow) -> tuple[str, str]:
    if row.comparison == NO_SAME_PERIOD and row.previous is None and not row.previous_flag:
        return NO_SAME_PERIOD[0].upper() + NO_SAME_PERIOD[1:], ""
    earlier = row.comparison not in (None, SAME_PERIOD_LAST_YEAR, NO_SAME_PERIOD)
    value = figure_text(row.previous, row.unit, row.decimals)
    if row.previous is None and row.previous_flag:
        value = FLAGS[row.previous_flag][0]
    return _period_text(row.previous_label, "the latest earlier figure" if earlier else None), value


def _latest(row: DashboardRow) -> tuple[str, str]:
    flag = FLAGS[row.latest_flag][0] if row.latest_flag else None
    if row.latest is None:
        return row.latest_label, flag or ""
    return _period_text(row.latest_label, flag), figure_text(row.latest, row.unit, row.decimals)


# ---- sections ------------------------------------------------------------------------------------


def report_title(data: DashboardData) -> str:
    return f"Performance report {data.period_label}"


def _cover(document, data: DashboardData, left_out: str | None) -> None:
    document.add_heading(report_title(data), level=1)
    document.add_paragraph(data.partnership)
    _fact(document, "Period", data.period_label)
    _fact(document, "Version", "Public version: small counts hidden, no internal commentary" if data.public
          else "Restricted: not for publication")
    _fact(document, "Data as at", f"{data.data_as_at.day} {data.data_as_at:%B %Y, %H:%M}")
    _fact(document, "Produced", f"{data.generated_at.day} {data.generated_at:%B %Y, %H:%M}")
    if left_out:
        document.add_paragraph(left_out)
    document.add_paragraph(
        "This report gives the RAG summary, the indicators rated red with their reasons, the performance table "
        "by outcome (Appendix 1), the district tables and the indicators' definitions. The same figures are "
        "in the dashboard workbook.")


def _summary(document, data: DashboardData) -> None:
    document.add_heading("Summary", level=1)
    counted = most_reds_first([(block, rag_counts(row.rag for row in block.rows)) for block in data.outcomes],
                              lambda pair: pair[1])
    totals = {key: sum(counts[key] for _block, counts in counted) for key in ("R", "A", "G", None)}
    document.add_paragraph(
        f"{sum(totals.values())} indicators: {totals['R']} red, {totals['A']} amber, {totals['G']} green, "
        f"{totals[None]} not rated. Outcomes with the most reds come first.")
    widths = [7.0, 2.6, 1.8, 1.9, 1.8, 1.9]
    table = _table(document, ["Outcome", "Overall RAG", "Red", "Amber", "Green", "Not rated"], widths)
    for block, counts in counted:
        cells = _add_row(table, [block.name, None, *(str(counts[k]) for k in ("R", "A", "G", None))], widths)
        _rag_cell(cells[1], block.overall_rag)
    reds = [(block, row) for block, _counts in counted for row in block.rows if row.rag == "R"]
    document.add_heading("Indicators rated red", level=2)
    if not reds:
        document.add_paragraph("No indicator is rated red.")
    for block, row in reds:
        document.add_heading(row.indicator, level=3)
        _fact(document, "Outcome", block.name)
        latest_period, latest = _latest(row)
        previous_period, previous = _previous(row)
        _fact(document, "Latest", f"{latest} ({latest_period})" if latest else latest_period)
        _fact(document, "Previous", f"{previous} ({previous_period})" if previous else previous_period)
        _fact(document, "Why red", row.rag_reason or "No reason recorded.")


def _appendix(document, data: DashboardData) -> None:
    document.add_heading("Appendix 1: performance by outcome", level=1)
    for block in data.outcomes:
        document.add_heading(block.name, level=2)
        paragraph = document.add_paragraph()
        paragraph.add_run("Overall RAG: ").bold = True
        paragraph.add_run(RAG_NAMES[block.overall_rag] if block.overall_rag else NOT_RATED)
        if block.overall_rag_overridden:
            paragraph.add_run(" (set by a manager)")
        comment = None if (block.comment_internal and data.public) else block.overall_comment
        if comment:
            paragraph = document.add_paragraph()
            paragraph.add_run("Internal comment: " if block.comment_internal else "Comment: ").bold = True
            paragraph.add_run(comment)
        table = _table(document, APPENDIX_HEADERS, APPENDIX_WIDTHS)
        for row in block.rows:
            previous_period, previous = _previous(row)
            latest_period, latest = _latest(row)
            cells = _add_row(table, [row.indicator, previous_period, previous, latest_period, latest,
                                     direction_text(row.direction, row.direction_basis), None, row.rag_reason],
                             APPENDIX_WIDTHS)
            _rag_cell(cells[6], row.rag)
        if not block.rows:
            _add_row(table, ["No supporting indicators"] + [""] * (len(APPENDIX_HEADERS) - 1), APPENDIX_WIDTHS)


def _district_tables(document, tables: list[DistrictTable]) -> None:
    document.add_heading("District tables", level=1)
    for district in tables:
        document.add_heading(f"{district.title} — {district.period_label}", level=2)
        names = [name for _code, name in district.area_columns]
        headers = ["Indicator", *names, district.total_column, district.wider_column, district.target_column, "Notes"]
        figures = len(headers) - 2
        widths = [5.0] + [max(1.6, 14.7 / figures)] * figures + [6.0]
        table = _table(document, headers, widths)
        notes = []
        for row in district.rows:
            values = [_flagged(row.values.get(code), row.unit, row.decimals, row.flags.get(code))
                      for code, _name in district.area_columns]
            total_flag = row.flags.get("total") or (row.total_status if row.total_status != "complete" else None)
            values += [_flagged(row.total, row.unit, row.decimals, total_flag if total_flag in FLAGS else None),
                       _flagged(row.wider, row.unit, row.decimals, row.flags.get(WIDER_KEY)),
                       figure_text(row.target, row.unit, row.decimals)]
            _add_row(table, [row.indicator, *values, row.note], widths)
            if row.note:
                notes.append(row.note)


def _flagged(value: Figure, unit: str, decimals: int, flag: str | None) -> str:
    words = FLAGS[flag][0] if flag in FLAGS else None
    text = figure_text(value, unit, decimals)
    return f"{text} ({words})" if text and words else (text or words or "")


def _dhr(document, dhr: DhrSummary) -> None:
    document.add_heading("Domestic Homicide Reviews (restricted)", level=1)
    document.add_paragraph(f"As at {dhr.as_at}. The case register, clocks, budget and action plan are in the "
                           "workbook's DHR sheets.")
    for title, lines in (("Reviews", dhr.cases), ("Action plan", dhr.actions)):
        document.add_heading(title, level=2)
        widths = [10.0, 4.0]
        table = _table(document, ["", "Number"] if title == "Reviews" else ["", "Actions"], widths)
        for label, value in lines:
            _add_row(table, [label, value], widths)


def _notes(document, data: DashboardData) -> None:
    document.add_heading("Notes and definitions", level=1)
    widths = [5.0, 8.5, 3.6, 2.6, 6.0]
    table = _table(document, ["Indicator", "Definition", "Source", "Unit and polarity", "RAG rule"], widths)
    for definition in data.definitions:
        _add_row(table, [definition.name, definition.definition, definition.source,
                         f"{definition.unit_label}; {definition.polarity_label.lower()}", definition.rag_rule], widths)
    document.add_heading("Flags and marks", level=2)
    widths = [4.0, 21.7]
    table = _table(document, ["Shown as", "Meaning"], widths)
    for label, meaning in [*FLAGS.values(), *SUPPRESSED_LEGEND,
                           ("R, A, G", "Red, amber, green: each indicator's RAG rule is in the table above.")]:
        _add_row(table, [label, meaning], widths)
