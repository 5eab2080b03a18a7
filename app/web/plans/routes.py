"""Action plan pages: the plans, a plan with its objectives and actions (RAG, flags,
latest update, linked indicators' ratings), an action with its history of quarterly
updates, the forms, and the "action plan update" return to download."""
from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from app.plans import FLAG_LABELS
from app.policy import EVERYONE, may_manage_plan, may_update_action
from app.services.plans import plans as service
from app.services.plans import update_return
from app.services.settings import today
from app.periods import quarter_of
from app.web.access import roles_required
from app.web.forms import submit_form
from app.web.plans import bp
from app.web.plans.forms import ActionForm, ObjectiveForm, PlanForm, UpdateForm
from app.web.presenters import RAG_TAGS

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.context_processor
def plan_helpers():
    return {"RAG_TAGS": RAG_TAGS, "FLAG_NAMES": FLAG_LABELS, "plan_title": service.plan_title,
            "PLAN_KIND_NAMES": service.PLAN_KIND_NAMES}


def _form_page(form, save, done, **context):
    """Saved and redirected, or shown (again) with every problem by its field (400)."""
    result, summary = submit_form(form, save)
    if result is not None:
        message, target = done(result)
        flash(message, "success")
        return redirect(target)
    status = 400 if form.errors or summary else 200
    return render_template("plans/form.html", form=form, summary=summary, **context), status


def _managing(kind: str) -> None:
    """403 before any form is shown or read to someone who may not change the plan."""
    if not may_manage_plan(current_user, kind):
        abort(403)


@bp.route("/")
@roles_required(*EVERYONE)
def index():
    return render_template("plans/index.html", title="Action plans", plans=service.visible_plans(current_user),
                           may_add=may_manage_plan(current_user, "partnership"))


@bp.route("/new", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def plan_new():
    _managing("partnership")
    return _form_page(PlanForm(), lambda data: service.save_plan(data, current_user),
                      lambda plan: ("The action plan has been added.", url_for("plans.plan", plan_id=plan.id)),
                      title="Add an action plan", back=url_for("plans.index"), back_text="Back to action plans")


@bp.route("/<int:plan_id>")
@roles_required(*EVERYONE)
def plan(plan_id: int):
    row = service.get_plan(plan_id, current_user)
    lines = service.plan_lines(row)
    agencies = sorted({a.agency for a in row.actions if a.agency is not None}, key=lambda a: a.name)
    return render_template("plans/plan.html", title=service.plan_title(row), plan=row, lines=lines,
                           may_manage=may_manage_plan(current_user, row.kind), agencies=agencies,
                           quarter=quarter_of(today()).key)


@bp.route("/<int:plan_id>/edit", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def plan_edit(plan_id: int):
    row = service.get_plan(plan_id, current_user)
    _managing(row.kind)
    back = url_for("plans.plan", plan_id=row.id)
    return _form_page(PlanForm(obj=row), lambda data: service.save_plan(data, current_user, row),
                      lambda saved: ("The action plan has been saved.", back),
                      title="Change the action plan", back=back, back_text="Back to the plan")


def _objective_page(plan, row=None):
    _managing(plan.kind)
    back = url_for("plans.plan", plan_id=plan.id)
    return _form_page(ObjectiveForm(obj=row), lambda data: service.save_objective(plan, data, current_user, row),
                      lambda saved: (f"Objective {saved.number} has been {'saved' if row else 'added'}.", back),
                      title="Change the objective" if row else "Add an objective", back=back,
                      back_text="Back to the plan", caption=service.plan_title(plan))


@bp.route("/<int:plan_id>/objectives/new", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def objective_new(plan_id: int):
    return _objective_page(service.get_plan(plan_id, current_user))


@bp.route("/<int:plan_id>/objectives/<int:objective_id>/edit", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def objective_edit(plan_id: int, objective_id: int):
    plan = service.get_plan(plan_id, current_user)
    return _objective_page(plan, service.get_objective(plan, objective_id))


def _action_page(plan, row=None):
    _managing(plan.kind)
    if plan.kind == "dhr":  # a DHR action has its review, scope and impact review: the DHR pages' form
        return redirect(url_for("dhr.action_edit", action_id=row.id) if row else url_for("dhr.action_new"))
    data = None
    if row is not None:
        data = {"timescale": service.item_of(row).timescale, "indicator_ids": [i.id for i in row.indicators],
                "rag": row.rag or "", "tier": row.tier or ""}
    form = ActionForm(obj=row, data=data)
    form.objective_id.set_rows(plan.objectives, label=service.objective_label)
    form.lead_agency_id.set_rows(service.agencies())
    form.indicator_ids.choices = [(str(i.id), i.name) for i in service.indicators()]
    back = url_for("plans.action", action_id=row.id) if row else url_for("plans.plan", plan_id=plan.id)
    return _form_page(form, lambda data: service.save_action(plan, data, current_user, row),
                      lambda saved: (f"The action has been {'saved' if row else 'added'}.",
                                     url_for("plans.action", action_id=saved.id)),
                      title="Change the action" if row else "Add an action", back=back,
                      back_text="Back to the action" if row else "Back to the plan", caption=service.plan_title(plan))


@bp.route("/<int:plan_id>/actions/new", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def action_new(plan_id: int):
    return _action_page(service.get_plan(plan_id, current_user))


@bp.route("/actions/<int:action_id>/edit", methods=["GET", "POST"])
@roles_required(*EVERYONE)
def action_edit(action_id: int):
    row = service.get_action(action_id, current_user)
    return _action_page(row.plan, row)


def _show_action(row, form, summary, status=200):
    return render_template("plans/action.html", title=f"Action {row.id}", action=row,
                           line=service.action_lines([row])[0], history=service.update_lines(row), form=form,
                           summary=summary, may_manage=may_manage_plan(current_user, row.plan.kind),
                           may_update=may_update_action(current_user, row.plan.kind, row.lead_agency_id)), status


@bp.route("/actions/<int:action_id>")
@roles_required(*EVERYONE)
def action(action_id: int):
    row = service.get_action(action_id, current_user)
    if row.plan.kind == "dhr":
        return redirect(url_for("dhr.action", action_id=row.id))
    return _show_action(row, UpdateForm(quarter=quarter_of(today()).key), [])


@bp.route("/actions/<int:action_id>/updates", methods=["POST"])
@roles_required(*EVERYONE)
def action_update(action_id: int):
    row = service.get_action(action_id, current_user)
    if not may_update_action(current_user, row.plan.kind, row.lead_agency_id):
        abort(403)
    form = UpdateForm()
    update, summary = submit_form(form, lambda data: service.add_update(row, data, current_user))
    if update is not None:
        flash(f"The update for {update.quarter} has been added.", "success")
        return redirect(url_for("plans.action", action_id=row.id))
    return _show_action(row, form, summary, 400)


@bp.route("/<int:plan_id>/update-return.xlsx")
@roles_required(*EVERYONE)
def update_return_download(plan_id: int):
    filename, data = update_return.blank_update_return(plan_id, request.args.get("agency", ""),
                                                       request.args.get("quarter", ""), current_user)
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
