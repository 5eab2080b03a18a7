"""The web dashboard: a page per period, with filters, charts and the workbook download."""
from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.indicators.periods import period_of
from app.models.indicator import FLAG_LABELS
from app.services import ServiceError
from app.services.dashboard_export import WORKBOOK_MIMETYPE, export_dashboard
from app.services.dashboard import (
    dashboard_view,
    latest_period_with_figures,
    parse_dashboard_period,
    period_slug,
    periods_with_figures,
)
from app.web.access import roles_required
from app.web.dashboard import bp
from app.web.dashboard.charts import Point, line_chart
from app.web.dashboard.forms import VERSION_LABELS, DownloadForm, FilterForm

READERS = ("officer", "manager", "admin")
RAG_TAGS = {"R": ("Red", "govuk-tag--red"), "A": ("Amber", "govuk-tag--orange"), "G": ("Green", "govuk-tag--green")}
DIRECTION_TEXT = {"improving": "↑ Improving", "stable": "→ Stable", "worsening": "↓ Worsening"}
CHART_POINTS = 8


def figure_text(value, unit: str, decimals: int, flag: str | None = None) -> str:
    """A figure as the board papers write it ("3.53", "38.9%", "1,400 (estimate)"); a
    missing one is its flag's words, never 0."""
    if value is None:
        return FLAG_LABELS.get(flag or "not_available", "No figure") if flag else "No figure"
    text = f"{value:,.{decimals}f}"
    text = {"percent": f"{text}%", "money": f"£{text}"}.get(unit, text)
    return f"{text} ({FLAG_LABELS[flag].lower()})" if flag in ("estimate", "provisional") else text


def _period_or_404(slug: str):
    try:
        return parse_dashboard_period(slug)
    except ServiceError:
        abort(404)


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


@bp.route("/")
@roles_required(*READERS)
def index():
    """The latest period with figures."""
    latest = latest_period_with_figures()
    if latest is None:
        return render_template("dashboard/empty.html", title="Dashboard")
    return redirect(url_for("dashboard.period", slug=period_slug(latest)))


@bp.route("/<slug>")
@roles_required(*READERS)
def period(slug: str):
    spec = _period_or_404(slug)
    form = FilterForm(request.args)
    area = request.args.get("area") or None
    outcome = request.args.get("outcome") or None
    try:
        outcome_id = int(outcome) if outcome else None
        view = dashboard_view(spec, current_user, area=area, outcome_id=outcome_id)
    except (ServiceError, ValueError):
        abort(404)
    periods = [(period_slug(p.key), p.label) for p in periods_with_figures()]
    if period_slug(spec) not in {s for s, _ in periods}:
        periods.insert(0, (period_slug(spec), spec.label))
    form.fill(periods, [(o.id, o.name) for o in view.table.outcomes],
              [(a.code, f"{a.name} ({a.code})") for a in view.table.areas])
    form.period.data = period_slug(spec)
    blocks = [(block, [row_view(view, row, f"chart-{b}-{r}") for r, row in enumerate(block.rows)])
              for b, block in enumerate(view.outcomes)]
    return render_template("dashboard/period.html", title=f"Dashboard {spec.label}", view=view, blocks=blocks,
                           form=form, slug=period_slug(spec), rag_tags=RAG_TAGS,
                           can_manage=current_user.role in ("manager", "admin"))


@bp.route("/<slug>/download")
@roles_required("manager", "admin")
def download(slug: str):
    """The choice of version, then the workbook itself (a GET: it changes nothing)."""
    spec = _period_or_404(slug)
    form = DownloadForm(request.args)
    version = request.args.get("version")
    if version in VERSION_LABELS:
        filename, body = export_dashboard(spec, current_user, public=version == "public")
        return send_file(body, mimetype=WORKBOOK_MIMETYPE, as_attachment=True, download_name=filename)
    if version is not None:
        form.version.errors = ["Choose the full or the public version."]
    status = 400 if form.version.errors else 200
    return render_template("dashboard/download.html", title=f"Download the dashboard workbook, {spec.label}",
                           form=form, spec=spec, slug=period_slug(spec)), status
