"""Target pages: the list (managers and admins), a target's history, and for admins adding,
changing, retiring (after a confirmation page) and uploading targets. Each view checks
its form, calls one service function, then redirects or renders."""
from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.policy import ADMINS, MANAGERS
from app.services import ServiceError
from app.services.reference import areas_in_order, indicators_in_order
from app.services.targets import (
    CSV_COLUMNS,
    current_targets,
    get_target,
    provenance,
    retire_target,
    retirement,
    set_target,
    target_history,
    target_periods,
    upload_targets,
)
from app.web.access import roles_required
from app.web.forms import put_service_errors
from app.web.presenters import figure_text
from app.web.targets import bp
from app.web.targets.forms import ChangeTargetForm, RetireForm, TargetFilterForm, TargetForm, UploadTargetsForm


def _put_errors(form, error: ServiceError) -> int:
    """A service's problems onto the form's fields (flashed when they belong to none, a
    signed-off period say); the status to answer with."""
    for message in put_service_errors(form, error):
        flash(message, "error")
    return 400


def target_text(target) -> str:
    """The target as the indicator shows its figures: "95.0%", "1,200"."""
    return figure_text(target.value, target.indicator.unit, target.indicator.decimals)


def _band(size: float, indicator) -> str:
    number = f"{size:,.2f}".rstrip("0").rstrip(".")
    if indicator.rag_band_kind == "percent":
        return f"{number}% of the target"
    return f"{number} percentage points" if indicator.unit == "percent" else number


def tolerance_text(target) -> str:
    """The amber band that applies: the target's own, or the indicator's."""
    indicator = target.indicator
    if target.tolerance is not None:
        return f"Short by up to {_band(target.tolerance, indicator)}"
    if indicator.rag_method == "target":
        return f"The indicator's: short by up to {_band(indicator.rag_amber_within, indicator)}"
    return "None set"


def sentence_case(text: str) -> str:
    """First letter up, the rest as it is (names keep their capitals)."""
    return text[:1].upper() + text[1:]


def _render(template: str, status: int = 200, **context):
    return render_template(template, target_text=target_text, tolerance_text=tolerance_text, provenance=provenance,
                           retirement=retirement, sentence_case=sentence_case, **context), status


def _saved_message(target, old) -> str:
    what = f"{target.indicator.name}, {target.area.name}, {target.period.label}"
    if old is None:
        return f"The target for {what} has been saved."
    return f"The target for {what} has been saved; the one it replaces is kept in its history."


@bp.route("")
@roles_required(*MANAGERS)
def index():
    form = TargetFilterForm(request.args)
    form.indicator_id.set_rows(indicators_in_order())
    form.area_id.set_rows(areas_in_order())
    form.period_id.set_rows(target_periods(), label=lambda p: p.label)
    # Only what the lists offer: an id typed into the address that is no choice shows everything.
    chosen = [field.data if field.data is not None and str(field.data) in {str(v) for v, *_ in field.iter_choices()}
              else None for field in (form.indicator_id, form.area_id, form.period_id)]
    rows = current_targets(*chosen)
    return _render("targets/index.html", title="Targets", form=form, rows=rows, filtered=any(chosen))


def _set_from(form, key, title: str, target=None):
    """Check the form, set the target of ``key()`` (indicator id, area id, period) with one
    service call and show its history; or the form again with what to correct."""
    status = 200
    if form.validate_on_submit():
        try:
            saved, old = set_target(*key(), form.value.data, form.tolerance.data, form.note.data, current_user)
        except ServiceError as error:
            status = _put_errors(form, error)
        else:
            flash(_saved_message(saved, old), "success")
            return redirect(url_for("targets.history", target_id=saved.id))
    return _render("targets/form.html", 400 if form.errors else status, title=title, form=form, target=target)


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*ADMINS)
def new():
    form = TargetForm()
    form.indicator_id.set_rows(indicators_in_order())
    form.area_id.set_rows(areas_in_order())
    return _set_from(form, lambda: (form.indicator_id.data, form.area_id.data, form.period.data), "Add a target")


@bp.route("/<int:target_id>/change", methods=["GET", "POST"])
@roles_required(*ADMINS)
def change(target_id: int):
    target = get_target(target_id)
    form = ChangeTargetForm(data=None if request.method == "POST" else {
        "value": f"{target.value:g}", "tolerance": "" if target.tolerance is None else f"{target.tolerance:g}",
        "note": target.note or ""})
    return _set_from(form, lambda: (target.indicator_id, target.area_id, target.period.key), "Change a target",
                     target)


@bp.route("/<int:target_id>/retire", methods=["GET", "POST"])
@roles_required(*ADMINS)
def retire(target_id: int):
    target = get_target(target_id)
    form = RetireForm()
    if form.validate_on_submit():
        try:
            retire_target(target.id, current_user)
        except ServiceError as error:
            flash(error.message or str(error), "error")
        else:
            flash(f"The target for {target.indicator.name}, {target.area.name}, {target.period.label} has been "
                  "retired; it is kept in its history.", "success")
        return redirect(url_for("targets.history", target_id=target.id))
    return _render("targets/retire.html", title="Retire a target", form=form, target=target)


@bp.route("/<int:target_id>/history")
@roles_required(*MANAGERS)
def history(target_id: int):
    found = target_history(target_id)
    title = f"Target history: {found.indicator.name}, {found.area.name}, {found.period.label}"
    return _render("targets/history.html", title=title, history=found)


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(*ADMINS)
def upload():
    form = UploadTargetsForm()
    problems: list[str] = []
    if form.validate_on_submit():
        upload_file = form.file.data
        try:
            stored = upload_targets(upload_file.read(), upload_file.filename, current_user)
        except ServiceError as error:
            problems = error.field_errors.get("file") or [error.message]
            form.file.errors = ["The file was not stored: correct the rows listed and upload it again"]
        else:
            flash(f"{stored} target{'s' if stored != 1 else ''} stored from {upload_file.filename}.", "success")
            return redirect(url_for("targets.index"))
    return _render("targets/upload.html", 400 if form.errors else 200, title="Upload targets", form=form,
                   problems=problems, columns=list(CSV_COLUMNS.values()))
