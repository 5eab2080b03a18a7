"""Uploading returns (upload → preview → confirm) and the submissions they become."""
import io

from flask import flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from app.policy import ADMINS, READERS, UPLOADERS, may_edit_vocabulary
from app.services import ServiceError
from app.services.reference import areas_by_name, indicators_by_name
from app.services.returns import (
    annotated_upload,
    choose_upload_template,
    confirm_upload,
    expected_upload,
    hold_upload,
    list_submissions,
    name_from_upload,
    original_file,
    preview_upload,
    submission_changes,
    submission_view,
    upload_choices,
    upload_templates,
    uploadable_agencies,
)
from app.web.access import roles_required
from app.web.forms import options, put_service_errors
from app.web.presenters import stored_return_message
from app.web.returns import bp
from app.web.returns.forms import RECOGNISE, AliasForm, ChooseTemplateForm, ConfirmForm, UploadForm

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PREVIEW_ROWS = 1000  # figures listed on the preview page; the rest are counted
FIGURES_SHOWN = 2000  # figures listed on a submission's page; the rest are counted


@bp.route("/")
@roles_required(*READERS)
def index():
    return render_template("returns/index.html", submissions=list_submissions(current_user), title="Returns")


def _upload_choices(form: UploadForm) -> None:
    agencies = uploadable_agencies(current_user)
    form.agency.choices = options(([("", "Choose an agency")] if len(agencies) > 1 else [])
                                  + [(a.slug, a.name) for a in agencies])
    form.template.choices = options([RECOGNISE] + [(t.slug, t.name) for t in upload_templates(current_user)])


def _expected(form: UploadForm):
    """The return a link (or a locked form) names, with the form's fields set to it; else None."""
    if request.method == "GET":
        names = request.args.get("template"), request.args.get("period"), request.args.get("agency")
    elif form.locked.data == "1":
        names = form.template.data, form.period.data, form.agency.data
    else:
        return None
    expected = expected_upload(*names, current_user) if all(names) else None
    if expected is not None:
        form.template.data, form.period.data, form.agency.data = (expected.template.slug, expected.period_key,
                                                                  expected.agency.slug)
        form.locked.data = "1"
    return expected


@bp.route("/upload", methods=["GET", "POST"])
@roles_required(*UPLOADERS)
def upload():
    form = UploadForm()
    _upload_choices(form)
    expected = _expected(form)
    summary: list[str] = []
    if form.validate_on_submit():
        upload_file = form.file.data
        try:
            pending, parsed = hold_upload(upload_file.read(), upload_file.filename or "return.xlsx",
                                          agency_slug=form.agency.data, user=current_user,
                                          period_text=form.period.data, template_slug=form.template.data)
        except ServiceError as error:
            summary += put_service_errors(form, error)
        else:
            step = "returns.choose" if parsed.choices else "returns.preview"
            return redirect(url_for(step, token=pending.token))
    status = 400 if form.errors or summary else 200
    return render_template("returns/upload.html", form=form, summary=summary, expected=expected,
                           title="Upload a return"), status


def _render_preview(token: str, form: ConfirmForm, status: int = 200, summary: list[str] | None = None):
    view = preview_upload(token, current_user, PREVIEW_ROWS)
    if view.parsed.choices:
        return redirect(url_for("returns.choose", token=token))
    shown = view.shown
    unnamed = [p for p in view.parsed.warnings if p.header and p.header_kind]
    may_name = bool(unnamed) and may_edit_vocabulary(current_user)
    upload_form = UploadForm(formdata=None, agency=view.pending.agency_slug, template=view.pending.template_slug or
                             (view.parsed.template.slug if view.parsed.template else ""),
                             period=view.pending.period_text or (view.parsed.period.key if view.parsed.period else ""),
                             locked="1")
    return render_template("returns/preview.html", view=view, parsed=view.parsed, shown=shown, form=form,
                           upload_form=upload_form,
                           summary=summary or [], token=token, title="Check your return", unnamed=unnamed,
                           may_name=may_name, areas=areas_by_name() if may_name else [],
                           indicators=indicators_by_name() if may_name else []), status


@bp.route("/uploads/<token>")
@roles_required(*UPLOADERS)
def preview(token):
    return _render_preview(token, ConfirmForm())


@bp.route("/uploads/<token>/choose", methods=["GET", "POST"])
@roles_required(*UPLOADERS)
def choose(token):
    """The file could be either of two (or more) returns: the officer says which."""
    form = ChooseTemplateForm()
    summary: list[str] = []
    if form.validate_on_submit():
        try:
            choose_upload_template(token, current_user, form.template.data)
        except ServiceError as error:
            summary += put_service_errors(form, error)
        else:
            return redirect(url_for("returns.preview", token=token))
    pending, choices = upload_choices(token, current_user)
    if not choices:
        return redirect(url_for("returns.preview", token=token))
    form.template.choices = options((c.slug, c.name) for c in choices)
    status = 400 if form.errors or summary else 200
    return render_template("returns/choose.html", form=form, summary=summary, choices=choices, pending=pending,
                           title="Which return is this?"), status


@bp.route("/uploads/<token>/confirm", methods=["POST"])
@roles_required(*UPLOADERS)
def confirm(token):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _render_preview(token, form, 400)
    try:
        submission, previous = confirm_upload(token, current_user, form.comment.data)
    except ServiceError as error:
        return _render_preview(token, form, 400, put_service_errors(form, error))
    flash(stored_return_message(submission, previous), "success")
    return redirect(url_for("returns.submission", submission_id=submission.id))


@bp.route("/uploads/<token>/names", methods=["POST"])
@roles_required(*ADMINS)
def add_name(token):
    """Treat a heading the template did not know as an area's (indicator's) other name, then
    read the held upload again."""
    form = AliasForm()
    valid = form.validate_on_submit()
    try:
        row = name_from_upload(token, current_user, form.kind.data, form.alias.data,
                               form.target.data if valid else None)
    except ServiceError as error:
        for message in put_service_errors(form, error):
            flash(message, "error")
        for messages in form.errors.values():
            for message in messages:
                flash(message, "error")
    else:
        flash(f"'{form.alias.data.strip()}' is now another name of {row.name}: every template reads it.", "success")
    return redirect(url_for("returns.preview", token=token))


@bp.route("/uploads/<token>/annotated.xlsx")
@roles_required(*UPLOADERS)
def annotated(token):
    try:
        filename, body = annotated_upload(token, current_user)
    except ServiceError as error:
        flash(error.message, "error")
        return redirect(url_for("returns.preview", token=token))
    return send_file(io.BytesIO(body), as_attachment=True, download_name=filename, mimetype=XLSX)


@bp.route("/submissions/<int:submission_id>")
@roles_required(*READERS)
def submission(submission_id):
    view = submission_view(submission_id, current_user)
    return render_template("returns/submission.html", submission=view.submission, figures=view.figures[:FIGURES_SHOWN],
                           figure_count=len(view.figures), targets=view.targets, uploader=view.uploader,
                           may_download=view.may_download,
                           title=f"Submission {view.submission.id}")


@bp.route("/submissions/<int:submission_id>/changes")
@roles_required(*READERS)
def changes(submission_id):
    found, changed = submission_changes(submission_id, current_user)
    return render_template("returns/changes.html", submission=found, changes=changed,
                           title=f"What submission {found.id} changed")


@bp.route("/submissions/<int:submission_id>/original")
@roles_required(*UPLOADERS)
def original(submission_id):
    body, found = original_file(submission_id, current_user)
    # A return sent as values through the API kept its request (JSON) as its original.
    kind = "application/json" if found.filename.endswith(".json") else XLSX
    return send_file(io.BytesIO(body), as_attachment=True, download_name=found.filename, mimetype=kind)
