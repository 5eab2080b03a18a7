"""The web dashboard: a page per period, with filters, charts and the workbook download."""
from flask import abort, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.policy import MANAGERS, READERS, may_manage_performance, may_see_dhr
from app.services import ServiceError
from app.services.dashboard import (
    dashboard_view,
    latest_period_with_figures,
    parse_dashboard_period,
    period_slug,
)
from app.export.dashboard_data import DOCX_MIMETYPE
from app.services.dashboard_export import (
    DHR_LEFT_OUT, WORKBOOK_MIMETYPE, export_dashboard, export_report, workbook_area_name,
)
from app.web.access import roles_required
from app.web.dashboard import bp
from app.web.dashboard.forms import VERSION_LABELS, DownloadForm, FilterForm
from app.web.presenters import RAG_TAGS, rag_summary, row_view


def _period_or_404(slug: str):
    try:
        return parse_dashboard_period(slug)
    except ServiceError:
        abort(404)


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
    periods = [(period_slug(p.key), p.label) for p in view.table.periods_with_figures]
    if period_slug(spec) not in {s for s, _ in periods}:
        periods.insert(0, (period_slug(spec), spec.label))
    form.fill(periods, [(o.id, o.name) for o in view.table.outcomes],
              [(a.code, a.name) for a in view.table.areas])
    form.period.data = period_slug(spec)
    blocks = [(block, [row_view(view, row, f"chart-{b}-{r}") for r, row in enumerate(block.rows)])
              for b, block in enumerate(view.outcomes)]
    # One outcome at a time (tabs, where the browser runs scripts), unless "show all" asks
    # for the long page.
    show_all = request.args.get("all") == "1" or len(blocks) < 2
    kept = {key: value for key, value in request.args.items() if key != "all"}
    return render_template("dashboard/period.html", title=f"Dashboard {spec.label}", view=view, blocks=blocks,
                           form=form, slug=period_slug(spec), rag_tags=RAG_TAGS, summary=rag_summary(blocks),
                           show_all=show_all, can_manage=may_manage_performance(current_user),
                           compact_url=url_for("dashboard.period", slug=period_slug(spec), **kept),
                           show_all_url=url_for("dashboard.period", slug=period_slug(spec), all="1", **kept))


# What each download sends: (service, mimetype, page heading, what the file holds, button).
DOWNLOADS = {
    "workbook": (export_dashboard, WORKBOOK_MIMETYPE, "Download the dashboard workbook",
                 "The workbook is made from the figures stored now: the dashboard with its RAG summary, district "
                 "tables, outcome measures against target, quarterly trends, rolling 12 months, which returns came "
                 "in, and notes and definitions. Every sheet prints on A4 or A3 at 9 point or larger.",
                 "Download the workbook"),
    "report": (export_report, DOCX_MIMETYPE, "Download the performance report",
               "The report is a Word document for the board's papers, made from the figures stored now: a cover, "
               "the RAG summary with the indicators rated red and their reasons, Appendix 1 (a table per outcome), "
               "the district tables and the notes and definitions.",
               "Download the report"),
}


def _download(slug: str, kind: str):
    """The choice of version, then the file itself (a GET: it changes nothing)."""
    spec = _period_or_404(slug)
    export, mimetype, heading, about, button = DOWNLOADS[kind]
    form = DownloadForm(request.args)
    form.submit.label.text = button
    version = form.version.data
    area = (form.area.data or None) if kind == "workbook" else None
    if version in VERSION_LABELS:
        try:
            filename, body = export(spec, current_user, public=version == "public", **({"area": area} if area else {}))
        except ServiceError:
            abort(404)
        return send_file(body, mimetype=mimetype, as_attachment=True, download_name=filename)
    if version is not None:
        form.version.errors = ["Choose the full or the public version."]
    try:
        area_name = workbook_area_name(area) if area else None
    except ServiceError:
        abort(404)
    status = 400 if form.version.errors else 200
    return render_template("dashboard/download.html", title=f"{heading}, {spec.label}", heading=heading,
                           about=about, action=url_for(f"dashboard.{'download' if kind == 'workbook' else kind}",
                                                       slug=period_slug(spec)),
                           left_out=None if may_see_dhr(current_user) else DHR_LEFT_OUT,
                           form=form, spec=spec, slug=period_slug(spec), area=area, area_name=area_name), status


@bp.route("/<slug>/download")
@roles_required(*MANAGERS)
def download(slug: str):
    return _download(slug, "workbook")


@bp.route("/<slug>/report")
@roles_required(*MANAGERS)
def report(slug: str):
    return _download(slug, "report")
