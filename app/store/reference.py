"""Look-ups and get-or-create for reference rows (periods, areas, agencies, indicators)."""
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Area, Indicator, Period
from app.periods import PeriodSpec, parse_period


def period_row(spec: PeriodSpec | str) -> Period:
    """The stored Period for a spec (or text such as '2015/16 Q4'), created if new."""
    if isinstance(spec, str):
        spec = parse_period(spec)
    row = db.session.scalar(select(Period).where(Period.key == spec.key))
    if row is None:
        row = Period(key=spec.key, kind=spec.kind, label=spec.label, start_date=spec.start, end_date=spec.end)
        db.session.add(row)
        db.session.flush()
    return row


def by_code(codes) -> dict[str, Area]:
    return {a.code: a for a in db.session.scalars(select(Area).where(Area.code.in_(list(codes))))}


def agencies_by_slug(slugs=None) -> dict[str, Agency]:
    query = select(Agency)
    if slugs is not None:
        query = query.where(Agency.slug.in_(list(slugs)))
    return {a.slug: a for a in db.session.scalars(query)}


def indicators_by_slug(slugs=None) -> dict[str, Indicator]:
    query = select(Indicator)
    if slugs is not None:
        query = query.where(Indicator.slug.in_(list(slugs)))
    return {i.slug: i for i in db.session.scalars(query)}
