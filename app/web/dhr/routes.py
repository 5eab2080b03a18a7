"""DHR pages: cases and their clocks, the pooled budget, the master action plan, the DHR
workbook, and (admins) who may see them."""
from functools import wraps

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.dhr import long_date, pounds
from app.dhr.budget import COST_KINDS, SINGLE_PARTNER_LINE
from app.dhr.clocks import REVIEW_TYPES
from app.models import DhrCase, PlanAction
from app.periods import quarter_of
from app.policy import ADMINS, DHR_ROLES, may_see_dhr
from app.services import ServiceError
from app.services import dhr as service
from app.web.access import roles_required
from app.web.confirm import Confirmation, DestroyForm, confirm_page
from app.web.dhr import bp
from app.web.dhr.forms import (
    ActionForm, ActionUpdateForm, BudgetYearForm, CaseForm, ConfirmForm, ContributionForm, CostForm,
    FillFromReturnForm, PanelMeetingForm,
)
from app.web.forms import put_service_errors
from app.web.presenters import RAG_TAGS, format_count


def dhr_required(view):
    """Admins, DHR co-ordinators, and managers or officers an admin has granted access;
    everyone else gets 403. ``allowed_roles`` lists the roles that always get in."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        if not may_see_dhr(current_user):
            abort(403)
        return view(*args, **kwargs)

    wrapped.allowed_roles = DHR_ROLES
    return wrapped


@bp.context_processor
def dhr_helpers():
    return {"pounds": pounds, "long_date": long_date, "count": format_count, "RAG_TAGS": RAG_TAGS,
            "REVIEW_TYPES": REVIEW_TYPES, "CASE_STATUS_LABELS": service.CASE_STATUS_LABELS, "COST_KINDS": COST_KINDS,
            "SINGLE_PARTNER_LINE": SINGLE_PARTNER_LINE}


def _submit(form, save, done, check=None):
    """(redirect, []) once ``save(form.data)`` succeeds, flashing ``done(result)``'s
    message; else (None, problems that belong to no field). ``check(form.data)``
    (field → messages) adds the service's checks to fields the form found no fault with,
    so that all problems are shown at once."""
    summary: list[str] = []
    if form.validate_on_submit():
        try:
            result = save(form.data)
        except ServiceError as error:
            summary = put_service_errors(form, error)
        else:
            message, target = done(result)
            flash(message, "success")
            return redirect(target), []
    elif form.is_submitted() and check is not None:
        unchecked = {
            name: msgs for name, msgs in check(form.data).items() if not getattr(form._fields.get(name), "errors", None)
        }
        summary = put_service_errors(form, ServiceError(field_errors=unchecked)) if unchecked else []
    return None, summary


def _form_page(form, save, done, template: str = "dhr/form.html", check=None, **context):
    """A form page: saved and redirected, or shown (again) with every problem by its field (400)."""
    response, summary = _submit(form, save, done, check)
    if response is not None:
        return response
    return render_template(template, form=form, summary=summary, **context), 400 if form.errors or summary else 200


def _areas(field):
    field.set_rows(service.list_areas(), label=lambda a: a.name)


def _cases(field):
    field.set_rows(service.list_cases(), label=lambda c: c.pseudonym)


# ---- overview and workbook ---------------------------------------------------------------


@bp.route("/")
@dhr_required
def index():
    on = service.current_date()
    cases = service.list_cases()
    clocks = [clock for case in cases for clock in service.case_clocks(case, on)]
    actions = service.list_actions()
    action_rags = [service.action_rag_of(a, on)[0] for a in actions]
    rows = service.budget_year_rows()
    latest = service.budget_view(rows[-1]) if rows else None
    return render_template("dhr/index.html", title="Domestic Homicide Reviews", cases=cases,
                           clock_counts={k: sum(1 for c in clocks if c.rag == k) for k in "RAG"},
                           action_counts={k: action_rags.count(k) for k in "RAG"}, actions=actions, latest=latest)


@bp.route("/workbook.xlsx")
@dhr_required
def workbook():
    on = service.current_date()
    data = service.dhr_workbook_bytes(current_user, on)
    return Response(data, mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers={"Content-Disposition": f'attachment; filename="dhr-{on.isoformat()}.xlsx"'})


# ---- cases -------------------------------------------------------------------------------


@bp.route("/cases")
@dhr_required
def cases():
    on = service.current_date()
    rows = [(case, service.case_clocks(case, on)) for case in service.list_cases()]
    return render_template("dhr/cases.html", title="DHR cases", rows=rows, rule=service.clock_rule(), today=on)


def _case_form_page(row: DhrCase | None):
    data = {name: getattr(row, column) for name, column in service.DATE_COLUMNS.items()} if row else None
    form = CaseForm(obj=row, data=data)
    _areas(form.area_id)
    back = url_for("dhr.case", case_id=row.id) if row else url_for("dhr.cases")
    return _form_page(form, lambda data: service.save_case(data, current_user, row),
                      lambda case: (f"Case '{case.pseudonym}' has been {'saved' if row else 'added'}.",
                                    url_for("dhr.case", case_id=case.id)),
                      check=lambda data: service.case_problems(data, row),
                      title=f"Change case '{row.pseudonym}'" if row else "Add a case", back=back,
                      back_text=f"Back to case '{row.pseudonym}'" if row else "Back to cases")


@bp.route("/cases/new", methods=["GET", "POST"])
@dhr_required
def case_new():
    return _case_form_page(None)


@bp.route("/cases/<int:case_id>")
@dhr_required
def case(case_id: int):
    row = service.get_case(case_id)
    return _case_page(row, PanelMeetingForm(formdata=None), [])


def _case_page(row: DhrCase, meeting_form, summary, status: int = 200):
    on = service.current_date()
    actions = service.case_actions(row)
    return render_template("dhr/case.html", title=f"Case '{row.pseudonym}'", case=row,
                           clocks=service.case_clocks(row, on), meeting_form=meeting_form, summary=summary,
                           confirm=ConfirmForm(), actions=[(a, service.action_rag_of(a, on)) for a in actions]), status


@bp.route("/cases/<int:case_id>/edit", methods=["GET", "POST"])
@dhr_required
def case_edit(case_id: int):
    return _case_form_page(service.get_case(case_id))


@bp.route("/cases/<int:case_id>/meetings", methods=["POST"])
@dhr_required
def meeting_add(case_id: int):
    row = service.get_case(case_id)
    form = PanelMeetingForm()
    response, summary = _submit(
        form,
        lambda data: service.add_panel_meeting(row, data["meeting_date"], current_user),
        lambda meeting: (
            f"Panel meeting on {long_date(meeting.meeting_date)} added.",
            url_for("dhr.case", case_id=row.id),
        ),
    )
    return response or _case_page(row, form, summary, 400)


@bp.route("/cases/<int:case_id>/meetings/<int:meeting_id>/remove", methods=["GET", "POST"])
@dhr_required
def meeting_remove(case_id: int, meeting_id: int):
    """GET: the panel meeting that will go; POST (from that page): remove it."""
    row = service.get_case(case_id)
    back = url_for("dhr.case", case_id=row.id)
    meeting = next((m for m in row.panel_meetings if m.id == meeting_id), None)
    if meeting is None:
        abort(404)
    if request.method == "GET":
        return confirm_page(Confirmation(
            title="Remove a panel meeting", going=[("Case", row.pseudonym),
                                                   ("Panel meeting", long_date(meeting.meeting_date))],
            consequence=f"The case {row.pseudonym} will no longer record a panel meeting on "
                        f"{long_date(meeting.meeting_date)}.",
            button="Yes, remove the panel meeting", back_url=back))
    if not DestroyForm().validate_on_submit():
        abort(400)
    try:
        service.remove_panel_meeting(row, meeting_id, current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash("Panel meeting removed.", "success")
    return redirect(back)


# ---- pooled budget -----------------------------------------------------------------------


@bp.route("/budget")
@dhr_required
def budget():
    return _budget_page(FillFromReturnForm(formdata=None), [])


def _budget_page(fill_form, summary, status: int = 200):
    rows = service.budget_year_rows()
    return render_template("dhr/budget.html", title="DHR pooled budget", views=[service.budget_view(r) for r in rows],
                           forecast=service.budget_forecast(rows), fill_form=fill_form, summary=summary), status


@bp.route("/budget/new", methods=["GET", "POST"])
@dhr_required
def budget_year_new():
    return _form_page(
        BudgetYearForm(),
        lambda data: service.save_budget_year(data, current_user),
        lambda row: (
            f"{service.row_label(row)} has been added. Now add the partners' contributions and the costs.",
            url_for("dhr.budget_year", year_start=row.year_start),
        ),
        title="Add a financial year",
        back=url_for("dhr.budget"),
        back_text="Back to the budget",
    )


@bp.route("/budget/<int:year_start>")
@dhr_required
def budget_year(year_start: int):
    row = service.get_budget_year(year_start)
    fill_form = FillFromReturnForm(formdata=None, year=service.row_label(row))
    return render_template("dhr/budget_year.html", title=f"DHR budget {service.row_label(row)}",
                           view=service.budget_view(row), confirm=ConfirmForm(), fill_form=fill_form)


@bp.route("/budget/<int:year_start>/edit", methods=["GET", "POST"])
@dhr_required
def budget_year_edit(year_start: int):
    row = service.get_budget_year(year_start)
    form = BudgetYearForm(obj=row)
    del form.year
    label = service.row_label(row)
    return _form_page(form, lambda data: service.save_budget_year(data, current_user, row),
                      lambda saved: (f"{label} has been saved.", url_for("dhr.budget_year", year_start=year_start)),
                      title=f"Change {label}", back=url_for("dhr.budget_year", year_start=year_start),
                      back_text=f"Back to {label}")


def _contribution_page(year_start: int, item_id: int | None):
    row = service.get_budget_year(year_start)
    item = service.get_contribution(row, item_id) if item_id is not None else None
    form = ContributionForm(obj=item)
    form.agency_id.set_rows(service.agencies_by_name())
    if item is not None and not form.is_submitted():
        form.drawn_down.data = "yes" if item.drawn_down else "no"
    label = service.row_label(row)

    def save(data):
        return service.save_contribution(row, {**data, "drawn_down": data["drawn_down"] == "yes"}, current_user, item)

    return _form_page(form, save, lambda saved: (f"{saved.partner}'s contribution has been saved.",
                                                  url_for("dhr.budget_year", year_start=year_start)),
                      title=f"{'Change' if item else 'Add'} a contribution: {label}",
                      back=url_for("dhr.budget_year", year_start=year_start), back_text=f"Back to {label}")


@bp.route("/budget/<int:year_start>/contributions/new", methods=["GET", "POST"])
@dhr_required
def contribution_new(year_start: int):
    return _contribution_page(year_start, None)


@bp.route("/budget/<int:year_start>/contributions/<int:item_id>", methods=["GET", "POST"])
@dhr_required
def contribution_edit(year_start: int, item_id: int):
    return _contribution_page(year_start, item_id)


def _cost_page(year_start: int, item_id: int | None):
    row = service.get_budget_year(year_start)
    item = service.get_cost(row, item_id) if item_id is not None else None
    form = CostForm(obj=item)
    _cases(form.case_id)
    label = service.row_label(row)
    return _form_page(
        form,
        lambda data: service.save_cost(row, data, current_user, item),
        lambda saved: (f"Cost '{saved.label}' has been saved.", url_for("dhr.budget_year", year_start=year_start)),
        title=f"{'Change' if item else 'Add'} a cost: {label}",
        back=url_for("dhr.budget_year", year_start=year_start),
        back_text=f"Back to {label}",
    )


@bp.route("/budget/<int:year_start>/costs/new", methods=["GET", "POST"])
@dhr_required
def cost_new(year_start: int):
    return _cost_page(year_start, None)


@bp.route("/budget/<int:year_start>/costs/<int:item_id>", methods=["GET", "POST"])
@dhr_required
def cost_edit(year_start: int, item_id: int):
    return _cost_page(year_start, item_id)


@bp.route("/budget/<int:year_start>/<any(contributions, costs):kind>/<int:item_id>/remove",
          methods=["GET", "POST"])
@dhr_required
def budget_line_remove(year_start: int, kind: str, item_id: int):
    """GET: the contribution or cost that will go; POST (from that page): remove it."""
    row = service.get_budget_year(year_start)
    back = url_for("dhr.budget_year", year_start=year_start)
    if request.method == "GET":
        if kind == "contributions":
            line = service.get_contribution(row, item_id)
            going = [("Partner's contribution", line.partner), ("Amount due", pounds(line.due))]
        else:
            line = service.get_cost(row, item_id)
            going = [("Cost", line.label), ("Amount", pounds(line.amount))]
        return confirm_page(Confirmation(
            title="Remove a budget line", going=[("Financial year", service.row_label(row))] + going,
            consequence=f"The {service.row_label(row)} budget's totals will no longer count it.",
            button="Yes, remove it from the budget", back_url=back))
    if not DestroyForm().validate_on_submit():
        abort(400)
    label = service.remove_budget_line(row, kind, item_id, current_user)
    flash(f"'{label}' has been removed from {service.row_label(row)}.", "success")
    return redirect(back)


@bp.route("/budget/from-return", methods=["POST"])
@dhr_required
def budget_from_return():
    form = FillFromReturnForm()

    def fill(data):
        return service.budget_from_stored_return(service.parse_financial_year(data["year"]), current_user)

    def done(result):
        message = f"{service.row_label(result.row)} has been filled from the DHR budget return ({result.area_name}). "
        return message + " ".join(result.notes), url_for("dhr.budget_year", year_start=result.row.year_start)

    response, summary = _submit(form, fill, done)
    return response or _budget_page(form, summary, 400)


# ---- master action plan ------------------------------------------------------------------


@bp.route("/actions")
@dhr_required
def actions():
    on = service.current_date()
    rows = [(a, service.action_rag_of(a, on)) for a in service.list_actions()]
    return render_template("dhr/actions.html", title="DHR master action plan", rows=rows)


def _action_form_page(row: PlanAction | None):
    form = ActionForm(obj=row) if row else ActionForm(case_id=request.args.get("case_id", type=int))
    _cases(form.case_id)
    back = url_for("dhr.action", action_id=row.id) if row else url_for("dhr.actions")
    return _form_page(form, lambda data: service.save_action(data, current_user, row),
                      lambda saved: (f"The action has been {'saved' if row else 'added'}.",
                                     url_for("dhr.action", action_id=saved.id)),
                      title=f"Change action {row.id}" if row else "Add an action", back=back,
                      back_text=f"Back to action {row.id}" if row else "Back to the action plan")


@bp.route("/actions/new", methods=["GET", "POST"])
@dhr_required
def action_new():
    return _action_form_page(None)


@bp.route("/actions/<int:action_id>")
@dhr_required
def action(action_id: int):
    row = service.get_action(action_id)
    form = ActionUpdateForm(formdata=None, quarter=quarter_of(service.current_date()).key)
    return _action_page(row, form, [])


def _action_page(row: PlanAction, update_form, summary, status: int = 200):
    return render_template("dhr/action.html", title=f"Action {row.id}", action=row,
                           rag=service.action_rag_of(row), update_form=update_form, summary=summary), status


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@dhr_required
def action_edit(action_id: int):
    return _action_form_page(service.get_action(action_id))


@bp.route("/actions/<int:action_id>/updates", methods=["POST"])
@dhr_required
def action_update_add(action_id: int):
    row = service.get_action(action_id)
    form = ActionUpdateForm()
    response, summary = _submit(
        form,
        lambda data: service.add_action_update(row, data, current_user),
        lambda update: (f"Update for {update.quarter} added.", url_for("dhr.action", action_id=row.id)),
    )
    return response or _action_page(row, form, summary, 400)


# ---- who may see DHR data (admins) -----------------------------------------------------------


@bp.route("/access")
@roles_required(*ADMINS)
def access():
    return render_template("dhr/access.html", title="Access to DHR data", users=service.access_list(),
                           confirm=ConfirmForm())


@bp.route("/access/<int:user_id>", methods=["POST"])
@roles_required(*ADMINS)
def access_change(user_id: int):
    """Grant access (one click: nothing is taken away); revoking has its own page."""
    if request.form.get("grant") != "yes" or not ConfirmForm().validate_on_submit():
        abort(400)
    return _set_access(user_id, True)


@bp.route("/access/<int:user_id>/revoke", methods=["GET", "POST"])
@roles_required(*ADMINS)
def access_revoke(user_id: int):
    """GET: whose access will go; POST (from that page): revoke it."""
    if request.method == "GET":
        user = service.access_user(user_id)
        return confirm_page(Confirmation(
            title="Revoke access to DHR data",
            going=[("Person", user.name), ("Role", user.role_label),
                   ("Agency", user.agency.name if user.agency else "None")],
            consequence=f"{user.name} will no longer see the DHR cases, budget or action plan.",
            button="Yes, revoke access", back_url=url_for("dhr.access")))
    if not DestroyForm().validate_on_submit():
        abort(400)
    return _set_access(user_id, False)


def _set_access(user_id: int, grant: bool):
    try:
        user = service.set_dhr_access(user_id, grant, current_user)
    except ServiceError as error:
        flash(error.message, "error")
    else:
        flash(f"{user.name} {'can now see' if user.dhr_access else 'can no longer see'} DHR data.", "success")
    return redirect(url_for("dhr.access"))
