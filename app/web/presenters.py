"""Presentation helpers: how the web pages write figures, ratings and rows for templates."""
from app.indicators.periods import period_of
from app.models.indicator import FLAG_LABELS
from app.web.dashboard.charts import Point, line_chart

# ---- dashboard and performance ----

RAG_TAGS = {"R": ("Red", "govuk-tag--red"), "A": ("Amber", "govuk-tag--orange"), "G": ("Green", "govuk-tag--green")}
DIRECTION_TEXT = {"improving": "↑ Improving", "stable": "→ Stable", "worsening": "↓ Worsening"}
CHART_POINTS = 8  # periods on a row's chart


def figure_text(value, unit: str, decimals: int, flag: str | None = None) -> str:
    """A figure as the board papers write it ("3.53", "38.9%", "1,400 (estimate)"); a
    missing one is its flag's words, never 0."""
    if value is None:
        return FLAG_LABELS.get(flag or "not_available", "No figure") if flag else "No figure"
    text = f"{value:,.{decimals}f}"
    text = {"percent": f"{text}%", "money": f"£{text}"}.get(unit, text)
    return f"{text} ({FLAG_LABELS[flag].lower()})" if flag in ("estimate", "provisional") else text


def row_view(view, row, chart_id: str) -> dict:
    """What the template shows for one dashboard row."""
    table = view.table
    indicator = table.indicators[row.indicator]
    areas = table.area_by_code
    unit, decimals = indicator.unit, indicator.decimals
    points = [Point(period_of(f["period"]).label, f["value"], figure_text(f["value"], unit, decimals, f["flag"]))
              for f in table.series(row.indicator, row.area, period_of(row.period).kind, CHART_POINTS)]
    area = areas[row.area]
    title = f"{indicator.name}, {area.name}"
    return {
        "row": row,
        "indicator": indicator,
        "area": area,
        "name": indicator.name + (f" — {area.name}" if row.several else ""),
        "latest": figure_text(row.latest, unit, decimals, row.latest_flag),
        "latest_label": period_of(row.period).label,
        "previous": figure_text(row.previous, unit, decimals, row.previous_flag),
        "previous_label": period_of(row.previous_period).label if row.previous_period else "",
        "target": figure_text(row.target, unit, decimals) if row.target is not None else None,
        "direction": DIRECTION_TEXT.get(row.direction),
        "rag": RAG_TAGS.get(row.rag),
        "strip": [(code, areas[code].name, RAG_TAGS.get(rag)) for code, rag in row.strip],
        "chart": line_chart(chart_id, f"{title}: figures over time", points),
        "points": points,
        "chart_id": chart_id,
    }


def review_figures(row, indicator) -> dict | None:
    """What the indicator review page shows of a dashboard row (None: no row)."""
    if row is None:
        return None
    unit, decimals = indicator.unit, indicator.decimals
    return {
        "latest": figure_text(row.latest, unit, decimals, row.latest_flag),
        "latest_label": period_of(row.period).label,
        "previous": figure_text(row.previous, unit, decimals, row.previous_flag),
        "previous_label": period_of(row.previous_period).label if row.previous_period else "",
        "rag": RAG_TAGS.get(row.rag), "calculated": RAG_TAGS.get(row.calculated.rag),
    }
