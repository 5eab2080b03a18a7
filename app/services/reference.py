"""Reading reference rows (areas, agencies, outcomes, indicators) for the admin lists and
the choices of forms. Reads only: saving them is ``app.services.admin``."""
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Area, Indicator, Outcome
from app.store.rows import get_row


def rows_of(model, order_by) -> list:
    """Every row of a reference table, in ``order_by`` then id order."""
    return list(db.session.scalars(select(model).order_by(order_by, model.id)))


def row_of(model, row_id: int):
    """One row by id. Raises NotFound."""
    return get_row(model, row_id)


def agencies_by_name() -> list[Agency]:
    return list(db.session.scalars(select(Agency).order_by(Agency.name)))


def areas_by_name() -> list[Area]:
    return list(db.session.scalars(select(Area).order_by(Area.name)))


def areas_in_order() -> list[Area]:
    """In the dashboard's order (sort order, then name)."""
    return list(db.session.scalars(select(Area).order_by(Area.sort_order, Area.name)))


def outcomes_in_order() -> list[Outcome]:
    return list(db.session.scalars(select(Outcome).order_by(Outcome.sort_order, Outcome.name)))


def indicators_by_name() -> list[Indicator]:
    return list(db.session.scalars(select(Indicator).order_by(Indicator.name)))


def indicators_in_order() -> list[Indicator]:
    """In the dashboard's order (sort order, then name)."""
    return list(db.session.scalars(select(Indicator).order_by(Indicator.sort_order, Indicator.name)))


def names_by_key() -> dict[str, dict[str, str]]:
    """What pages show for the keys a template definition holds: ``indicators`` (slug →
    name), ``agencies`` (slug → name) and ``areas`` (code → name)."""
    return {
        "indicators": dict(db.session.execute(select(Indicator.slug, Indicator.name)).all()),
        "agencies": dict(db.session.execute(select(Agency.slug, Agency.name)).all()),
        "areas": dict(db.session.execute(select(Area.code, Area.name)).all()),
    }
