"""Presentation: turning rows and results into the labels, table rows and summaries the
templates show. No database, no decisions about who may see what.

Each area of the product keeps its own section below.
"""
from dataclasses import dataclass

from app.indicators.periods import period_of
from app.indicators.rag import most_reds_first, rag_counts
from app.services.dashboard import CHART_POINTS
from app.policy import must_use_two_factor
from app.vocabulary import FLAG_LABELS, NO_SAME_PERIOD, SAME_PERIOD_LAST_YEAR, direction_text
from app.web.charts import Point, line_chart

# ---- shared ----

# RAG → (word, GOV.UK tag class): the word is always shown, so colour is never the only signal.
RAG_TAGS = {"R": ("Red", "govuk-tag--red"), "A": ("Amber", "govuk-tag--orange"), "G": ("Green", "govuk-tag--green")}


# ---- returns, templates and admin ----


def stored_return_message(submission, previous) -> str:
    """What the officer is told once a return is stored (and what it replaced)."""
    message = f"Your return is stored as submission {submission.id}."
    if previous is not None:
        message += f" It replaces submission {previous.id}, which is kept."
    return message


def population_text(area) -> str:
    """An area's population estimates, oldest first: "2014: 98,000, 2015: 99,100"."""
    return ", ".join(f"{p.year}: {p.population:,}" for p in area.populations)


def indicator_unit_text(indicator) -> str:
    """The unit, and for a rate worked out from population what it is a rate of:
    "Rate per 1,000 population of Safety plans completed"."""
    if indicator.rate_of_population and indicator.numerator is not None:
        return f"{indicator.unit_label} of {indicator.numerator.name}"
    return indicator.unit_label


def two_factor_text(user) -> str:
    """Whether a person signs in with a second factor, and whether their role needs one."""
    if user.two_factor_enabled:
        return "Set up"
    return "Not set up (their role needs it)" if must_use_two_factor(user) else "Not set up"


# The columns of each admin list: (heading, the cell's text for a row).
ADMIN_COLUMNS = {
    "users": [("Name", lambda u: u.name), ("Email", lambda u: u.email), ("Role", lambda u: u.role_label),
              ("Agency", lambda u: u.agency.name if u.agency else ""),
              ("Two-factor sign-in", two_factor_text), ("Active", lambda u: "Yes" if u.active else "No")],
    "areas": [("Name", lambda a: a.name), ("Code", lambda a: a.code), ("Kind", lambda a: a.kind.title()),
              ("Part of", lambda a: a.parent.name if a.parent else ""), ("Population", population_text),
              ("Other names", lambda a: ", ".join(a.aliases))],
    "agencies": [("Name", lambda a: a.name), ("Short name", lambda a: a.slug),
                 ("Area", lambda a: a.area.name if a.area else "")],
    "outcomes": [("Outcome", lambda o: o.name), ("Indicators", lambda o: str(len(o.indicators)))],
    "indicators": [("Name", lambda i: i.name), ("Short name", lambda i: i.slug), ("Unit", indicator_unit_text),
                   ("Better", lambda i: i.polarity_label), ("Outcome", lambda i: i.outcome.name if i.outcome else ""),
                   ("Other names", lambda i: ", ".join(i.aliases))],
}


def form_heading(noun: str, editing: bool) -> str:
    """ "Change user", "Add a user", "Add an area"."""
    return f"Change {noun}" if editing else f"Add {'an' if noun[0] in 'aeiou' else 'a'} {noun}"


# ---- DHR ----



def format_count(value) -> str:
    """A Decimal count without trailing zeros ("2.5", "3"); blank for None."""
    return f"{value.normalize():f}" if value is not None else ""


# ---- dashboard and performance ----


def figure_text(value, unit: str, decimals: int, flag: str | None = None) -> str:
    """A figure as the board papers write it ("3.53", "38.9%", "1,400 (estimate)"); a
    missing one is its flag's words, never 0."""
    if value is None:
        return FLAG_LABELS.get(flag or "not_available", "No figure") if flag else "No figure"
    text = f"{value:,.{decimals}f}"
    text = {"percent": f"{text}%", "money": f"£{text}"}.get(unit, text)
    return f"{text} ({FLAG_LABELS[flag].lower()})" if flag in ("estimate", "provisional") else text


def previous_texts(row, unit: str, decimals: int) -> tuple[str, str]:
    """(the compared figure, the words under it): "1.25", "2014/15, the latest earlier
    figure"; "45.79", "2014/15, same period last year"; or "No figure for the same period
    last year" with nothing under it (``IndicatorRow.comparison`` says which)."""
    label = period_of(row.previous_period).label if row.previous_period else ""
    if row.comparison == NO_SAME_PERIOD:
        return NO_SAME_PERIOD[0].upper() + NO_SAME_PERIOD[1:], ""
    if row.comparison == SAME_PERIOD_LAST_YEAR:
        label = f"{label}, {SAME_PERIOD_LAST_YEAR}"
    elif row.comparison:
        label = f"{label}, the latest earlier figure"
    return figure_text(row.previous, unit, decimals, row.previous_flag), label


def row_direction_text(row) -> str | None:
    """The row's direction of travel and how it was found (``vocabulary.direction_text``)."""
    return direction_text(row.direction, row.direction_basis)


@dataclass(slots=True)
class RowView:
    """What the template shows for one dashboard row: attributes, not a dict's keys, as
    a template reads ``r.name`` by trying the attribute first (a dict's key is found only
    after that fails, hundreds of times a page)."""

    row: object  # the IndicatorRow
    indicator: object  # the Indicator
    area: object  # its AreaSpec
    name: str
    latest: str
    latest_label: str
    previous: str
    previous_label: str
    target: str | None
    direction: str | None
    rag: tuple[str, str] | None
    strip: list
    chart: str
    points: list
    chart_id: str


def row_view(view, row, chart_id: str) -> RowView:
    """What the template shows for one dashboard row."""
    table = view.table
    indicator = table.indicators[row.indicator]
    areas = table.area_by_code
    unit, decimals = indicator.unit, indicator.decimals
    points = [Point(period_of(f["period"]).label, f["value"], figure_text(f["value"], unit, decimals, f["flag"]))
              for f in table.series(row.indicator, row.area, period_of(row.period).kind, CHART_POINTS)]
    area = areas[row.area]
    title = f"{indicator.name}, {area.name}"
    previous, previous_label = previous_texts(row, unit, decimals)
    return RowView(
        row=row, indicator=indicator, area=area,
        name=indicator.name + (f" — {area.name}" if row.several else ""),
        latest=figure_text(row.latest, unit, decimals, row.latest_flag),
        latest_label=period_of(row.period).label,
        previous=previous, previous_label=previous_label,
        target=figure_text(row.target, unit, decimals) if row.target is not None else None,
        direction=row_direction_text(row),
        rag=RAG_TAGS.get(row.rag),
        strip=[(code, areas[code].name, RAG_TAGS.get(rag)) for code, rag in row.strip],
        chart=line_chart(chart_id, f"{title}: figures over time", points),
        points=points,
        chart_id=chart_id,
    )


def review_figures(row, indicator) -> dict | None:
    """What the indicator review page shows of a dashboard row (None: no row)."""
    if row is None:
        return None
    unit, decimals = indicator.unit, indicator.decimals
    return {
        "latest": figure_text(row.latest, unit, decimals, row.latest_flag),
        "latest_label": period_of(row.period).label,
        **dict(zip(("previous", "previous_label"), previous_texts(row, unit, decimals))),
        "direction": row_direction_text(row),
        "rag": RAG_TAGS.get(row.rag), "calculated": RAG_TAGS.get(row.calculated.rag),
    }


# ---- a template from an example file (the proposal page) ----

GRID_ROWS = 60
GRID_COLUMNS = 30


def _grid_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def example_grid(grid, tags: dict, max_rows: int = GRID_ROWS, max_cols: int = GRID_COLUMNS) -> dict:
    """A sheet of the example file as HTML table rows: each cell's text, its span (merged
    cells merged), whether its row or column is hidden, and what the draft makes of it.
    At most ``max_rows`` × ``max_cols`` are shown; ``cut`` says when there is more."""
    from app.ingest.read import cell_ref, column_letters

    n_rows, n_cols = min(grid.n_rows, max_rows), min(grid.n_cols, max_cols)
    covered, spans = set(), {}
    for r1, c1, r2, c2 in grid.merged:
        if r1 >= n_rows or c1 >= n_cols:
            continue
        r2, c2 = min(r2, n_rows - 1), min(c2, n_cols - 1)
        spans[(r1, c1)] = (r2 - r1 + 1, c2 - c1 + 1)
        covered |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)} - {(r1, c1)}
    rows = []
    for r in range(n_rows):
        cells = []
        for c in range(n_cols):
            if (r, c) in covered:
                continue
            rowspan, colspan = spans.get((r, c), (1, 1))
            cells.append({"text": _grid_text(grid.value(r, c)), "ref": cell_ref(r, c), "rowspan": rowspan,
                          "colspan": colspan, "hidden": r in grid.hidden_rows or c in grid.hidden_cols,
                          "tag": tags.get((r, c))})
        rows.append({"number": r + 1, "hidden": r in grid.hidden_rows, "cells": cells})
    columns = [{"letters": column_letters(c), "hidden": c in grid.hidden_cols} for c in range(n_cols)]
    return {"rows": rows, "columns": columns, "cut": grid.n_rows > n_rows or grid.n_cols > n_cols,
            "shown": (n_rows, n_cols), "size": (grid.n_rows, grid.n_cols)}


KIND_LABELS = {"indicator": "an indicator", "area": "an area", "period": "a period", "ignore": "ignore it",
               "check_only": "a total to check"}


def figure_value_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return f"{int(value):,}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.10g}"


def rag_summary(blocks) -> dict:
    """The web dashboard's RAG summary, as on the workbook's Dashboard sheet: each outcome
    (with its place on the page, from 1) and its counts of R, A, G and not rated, the most
    reds first; then the red rows with their outcome. ``blocks``: (block, row views)."""
    counted = [(index, block, rag_counts(r.row.rag for r in rows))
               for index, (block, rows) in enumerate(blocks, start=1)]
    reds = [(index, block, r) for index, (block, rows) in enumerate(blocks, start=1)
            for r in rows if r.row.rag == "R"]
    return {"outcomes": most_reds_first(counted, lambda item: item[2]), "reds": reds}
