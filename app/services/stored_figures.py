"""Reading stored figures, always scoped to what the user may see."""
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.extensions import db
from app.models import Agency, DataValue, Indicator, Period, DATA_VALUE_IS_CURRENT
from app.errors import Forbidden
from app.policy import can_see_agency, visible_agency_ids
from app.store.rows import get_row


def list_values(user, agency_id: int | None = None, limit: int = 500) -> list[DataValue]:
    """Current figures the user may see, optionally for one agency, newest period first."""
    query = (
        select(DataValue)
        .join(Indicator)
        .join(Period)
        .where(DATA_VALUE_IS_CURRENT)
        .options(
            joinedload(DataValue.indicator),
            joinedload(DataValue.area),
            joinedload(DataValue.period),
            joinedload(DataValue.agency),
        )
        .order_by(Period.end_date.desc(), Period.start_date, Period.id, Indicator.sort_order, Indicator.id,
                  DataValue.area_id)
        .limit(limit)
    )
    allowed = visible_agency_ids(user)
    if allowed is not None:
        query = query.where(DataValue.agency_id.in_(allowed))
    if agency_id is not None:
        query = query.where(DataValue.agency_id == agency_id)
    return list(db.session.scalars(query))


def agencies_for(user) -> list[Agency]:
    allowed = visible_agency_ids(user)
    query = select(Agency).order_by(Agency.name)
    if allowed is not None:
        query = query.where(Agency.id.in_(allowed))
    return list(db.session.scalars(query))


def agency_for(agency_id: int, user) -> Agency:
    """An agency whose figures the person may see. Raises NotFound or Forbidden."""
    agency = get_row(Agency, agency_id)
    if not can_see_agency(user, agency.id):
        raise Forbidden(agency_id)
    return agency
