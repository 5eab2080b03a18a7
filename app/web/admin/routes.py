"""Admin pages: list, add and change users, areas, agencies, outcomes and indicators.

Each entity is described once in ENTITIES; the same three views serve them all.
"""
from dataclasses import dataclass
from typing import Callable

from flask import abort, flash, redirect, render_template, url_for
from flask_login import current_user
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Area, Indicator, Outcome, User
from app.services import ServiceError
from app.services.accounts import save_user
from app.services.admin import save_agency, save_area, save_indicator, save_outcome
from app.web.access import roles_required
from app.web.admin import bp
from app.web.admin.forms import AgencyForm, AreaForm, IndicatorForm, OutcomeForm, UserForm
from app.web.forms import put_service_errors


def _population_text(area: Area) -> str:
    return ", ".join(f"{p.year}: {p.population:,}" for p in area.populations)


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
    form.agency_id.set_rows(db.session.scalars(select(Agency).order_by(Agency.name)))


def _area_choices(form):
    form.parent_id.set_rows(db.session.scalars(select(Area).order_by(Area.name)))


def _agency_choices(form):
    form.area_id.set_rows(db.session.scalars(select(Area).order_by(Area.name)))


def _indicator_choices(form):
    form.outcome_id.set_rows(db.session.scalars(select(Outcome).order_by(Outcome.sort_order, Outcome.name)))
    indicators = list(db.session.scalars(select(Indicator).order_by(Indicator.name)))
    form.numerator_id.set_rows(indicators)
    form.denominator_id.set_rows(indicators)


ENTITIES = {
    e.plural: e
    for e in [
        Entity("users", "user", "user", User, UserForm, save_user, User.email,
               [("Name", lambda u: u.name), ("Email", lambda u: u.email), ("Role", lambda u: u.role_label),
                ("Agency", lambda u: u.agency.name if u.agency else ""), ("Active", lambda u: "Yes" if u.active else "No")],
               _user_choices),
        Entity("areas", "area", "area", Area, AreaForm, save_area, Area.sort_order,
               [("Name", lambda a: a.name), ("Code", lambda a: a.code), ("Kind", lambda a: a.kind.title()),
                ("Part of", lambda a: a.parent.name if a.parent else ""), ("Population", _population_text)],
               _area_choices),
        Entity("agencies", "agency", "agency", Agency, AgencyForm, save_agency, Agency.name,
               [("Name", lambda a: a.name), ("Short name", lambda a: a.slug), ("Area", lambda a: a.area.name if a.area else "")],
               _agency_choices),
        Entity("outcomes", "outcome", "outcome", Outcome, OutcomeForm, save_outcome, Outcome.sort_order,
               [("Outcome", lambda o: o.name), ("Indicators", lambda o: str(len(o.indicators)))]),
        Entity("indicators", "indicator", "indicator", Indicator, IndicatorForm, save_indicator, Indicator.sort_order,
               [("Name", lambda i: i.name), ("Short name", lambda i: i.slug), ("Unit", lambda i: i.unit_label),
                ("Better", lambda i: i.polarity_label), ("Outcome", lambda i: i.outcome.name if i.outcome else "")],
               _indicator_choices),
    ]
}


def _list_view(entity: Entity):
    @roles_required("admin")
    def view():
        rows = db.session.scalars(select(entity.model).order_by(entity.order_by, entity.model.id)).all()
        return render_template("admin/list.html", entity=entity, rows=rows, title=entity.plural.title())

    return view


def _form_view(entity: Entity, editing: bool):
    @roles_required("admin")
    def view(item_id: int | None = None):
        item = None
        if editing:
            item = db.session.get(entity.model, item_id) or abort(404)
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
        heading = f"Change {entity.noun}" if editing else f"Add {'an' if entity.noun[0] in 'aeiou' else 'a'} {entity.noun}"
        status = 400 if form.errors else 200
        return render_template("admin/form.html", form=form, entity=entity, item=item, title=heading), status

    return view


for _entity in ENTITIES.values():
    bp.add_url_rule(f"/{_entity.plural}", _entity.plural, _list_view(_entity))
    bp.add_url_rule(f"/{_entity.plural}/new", f"{_entity.singular}_new", _form_view(_entity, False), methods=["GET", "POST"])
    bp.add_url_rule(f"/{_entity.plural}/<int:item_id>", f"{_entity.singular}_edit", _form_view(_entity, True), methods=["GET", "POST"])
