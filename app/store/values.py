"""Reading and writing figures by the fields of a return."""
from sqlalchemy import select, tuple_

from app.definition import Field
from app.extensions import db
from app.models import Area, DataValue, Indicator, Period, Target, DATA_VALUE_IS_CURRENT, TARGET_IS_CURRENT


def current_figures(fields: list[Field]) -> dict[str, tuple[float | None, str]]:
    """Field id → (value, flag) of the current stored figure (or target) for each field."""
    wanted = {(f.indicator, f.area, f.period_key): f for f in fields if f.measure in ("value", "target") and f.area}
    if not wanted:
        return {}
    keys = list(wanted)
    found: dict[str, tuple[float | None, str]] = {}
    values = db.session.execute(
        select(Indicator.slug, Area.code, Period.key, DataValue.value, DataValue.flag)
        .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DATA_VALUE_IS_CURRENT, tuple_(Indicator.slug, Area.code, Period.key).in_(keys))
    )
    targets = db.session.execute(
        select(Indicator.slug, Area.code, Period.key, Target.value)
        .join(Indicator, Target.indicator_id == Indicator.id).join(Area, Target.area_id == Area.id)
        .join(Period, Target.period_id == Period.id)
        .where(TARGET_IS_CURRENT, tuple_(Indicator.slug, Area.code, Period.key).in_(keys))
    )
    by_key_value = {(s, a, p): (v, flag) for s, a, p, v, flag in values}
    by_key_target = {(s, a, p): (v, "actual") for s, a, p, v in targets}
    for f in fields:
        key = (f.indicator, f.area, f.period_key)
        source = by_key_target if f.measure == "target" else by_key_value
        if f.measure in ("value", "target") and key in source:
            found[f.id] = source[key]
    return found
