"""Admin pages: list, add and change users, areas, agencies, outcomes and indicators.

Each entity is described once in ENTITIES; the same three views serve them all.
"""
from dataclasses import dataclass
from collections.abc import Callable

from flask import flash, redirect, render_template, url_for
from flask_login import current_user

from app.models import Agency, Area, Indicator, Outcome, User
from app.policy import ADMINS
from app.services import ServiceError
from app.services.accounts import save_user
from app.services.admin import save_agency, save_area, save_indicator, save_outcome
from app.services.reference import (
    agencies_by_name,
    areas_by_name,
    indicators_by_name,
    outcomes_in_order,
    row_of,
    rows_of,
)
from app.web.access import roles_required
from app.web.admin import bp
from app.web.admin.forms import AgencyForm, AreaForm, IndicatorForm, OutcomeForm, UserForm
from app.web.forms import put_service_errors
from app.web.presenters import ADMIN_COLUMNS, form_heading


@dataclass
class Entity:
    plural: str  # URL part and list endpoint, e.g. "users"
    singular: str  # endpoint prefix, e.g. "user"
    noun: str  # for headings, e.g. "user"
    model: type
    form: type
    save: Callable
    order_by: object
    columns: list[tuple[str, Callable]]
    choices: Callable[[object], None] = lambda form: None


def _user_choices(form):
    form.agency_id.set_rows(agencies_by_name())


def _area_choices(form):
    form.parent_id.set_rows(areas_by_name())


def _agency_choices(form):
    form.area_id.set_rows(areas_by_name())


def _indicator_choices(form):
    form.outcome_id.set_rows(outcomes_in_order())
    indicators = indicators_by_name()
    form.numerator_id.set_rows(indicators)
    form.denominator_id.set_rows(indicators)


ENTITIES = {
    e.plural: e
    for e in [
        Entity("users", "user", "user", User, UserForm, save_user, User.email, ADMIN_COLUMNS["users"], _user_choices),
        Entity("areas", "area", "area", Area, AreaForm, save_area, Area.sort_order, ADMIN_COLUMNS["areas"],
               _area_choices),
        Entity("agencies", "agency", "agency", Agency, AgencyForm, save_agency, Agency.name,
               ADMIN_COLUMNS["agencies"], _agency_choices),
        Entity("outcomes", "outcome", "outcome", Outcome, OutcomeForm, save_outcome, Outcome.sort_order,
               ADMIN_COLUMNS["outcomes"]),
        Entity("indicators", "indicator", "indicator", Indicator, IndicatorForm, save_indicator, Indicator.sort_order,
               ADMIN_COLUMNS["indicators"], _indicator_choices),
    ]
}


def _list_view(entity: Entity):
    @roles_required(*ADMINS)
    def view():
        rows = rows_of(entity.model, entity.order_by)
        return render_template("admin/list.html", entity=entity, rows=rows, title=entity.plural.title())

    return view


def _form_view(entity: Entity, editing: bool):
    @roles_required(*ADMINS)
    def view(item_id: int | None = None):
        item = row_of(entity.model, item_id) if editing else None
        form = entity.form(obj=item)
        entity.choices(form)
        if form.validate_on_submit():
            try:
                entity.save(form.data, current_user, item)
            except ServiceError as error:
                for message in put_service_errors(form, error):
                    flash(message, "error")
            else:
                flash(f"The {entity.noun} has been saved.", "success")
                return redirect(url_for(f"admin.{entity.plural}"))
        status = 400 if form.errors else 200
        return render_template("admin/form.html", form=form, entity=entity, item=item,
                               title=form_heading(entity.noun, editing)), status

    return view


for _entity in ENTITIES.values():
    bp.add_url_rule(f"/{_entity.plural}", _entity.plural, _list_view(_entity))
    bp.add_url_rule(
        f"/{_entity.plural}/new", f"{_entity.singular}_new", _form_view(_entity, False), methods=["GET", "POST"]
    )
    bp.add_url_rule(
        f"/{_entity.plural}/<int:item_id>",
        f"{_entity.singular}_edit",
        _form_view(_entity, True),
        methods=["GET", "POST"],
    )
