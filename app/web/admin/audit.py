"""The audit page (admins): who did what and when, filtered by person, action and dates,
a page at a time, and the filtered rows as a CSV download."""
from flask import Response, render_template, request, url_for
from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import GovSelect, GovSubmitInput
from wtforms import SelectField, SubmitField

from app.policy import ADMINS
from app.services.audit import AuditFilters, audit_csv, audit_view
from app.web.access import roles_required
from app.web.admin import bp
from app.web.dhr.forms import UkDateField
from app.web.forms import MAX_DATABASE_ID, options


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False

    person = SelectField("Who", widget=GovSelect(), validate_choice=False)
    action = SelectField("What was done", widget=GovSelect(), validate_choice=False)
    date_from = UkDateField("From", "the first date", description="For example, 01/06/2016")
    date_to = UkDateField("To (inclusive)", "the last date", description="For example, 30/06/2016")
    submit = SubmitField("Show", widget=GovSubmitInput())


def _filters(form: AuditFilterForm) -> AuditFilters:
    person = (form.person.data or "").strip()
    person_id = int(person) if person.isascii() and person.isdigit() and int(person) <= MAX_DATABASE_ID else None
    valid = form.validate()
    return AuditFilters(person_id=person_id, action=(form.action.data or "").strip()[:60] or None,
                        date_from=form.date_from.data if valid else None, date_to=form.date_to.data if valid else None)


@bp.route("/audit")
@roles_required(*ADMINS)
def audit():
    form = AuditFilterForm(request.args)
    filters = _filters(form)
    view = audit_view(filters, request.args.get("page", 1, type=int) or 1)
    form.person.choices = options([("", "Anyone"), ("0", "Nobody signed in"), *view.people])
    form.action.choices = options([("", "Any action"), *view.actions])
    query = {k: v for k, v in request.args.items() if k not in ("page", "submit") and v}
    return render_template("admin/audit.html", title="Audit log", form=form, view=view, query=query,
                           csv_url=url_for("admin.audit_download", **query)), 400 if form.errors else 200


@bp.route("/audit.csv")
@roles_required(*ADMINS)
def audit_download():
    form = AuditFilterForm(request.args)
    return Response(audit_csv(_filters(form)), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=audit-log.csv"})
