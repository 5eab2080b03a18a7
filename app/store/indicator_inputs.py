"""Stored figures as the indicator engine's inputs (specs, areas, values, targets)."""
import pandas as pd
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.indicators.model import AreaSpec, IndicatorSpec, RagRule
from app.models import Area, DataValue, Indicator, Period, Target, DATA_VALUE_IS_CURRENT, TARGET_IS_CURRENT

VALUE_COLUMNS = ["indicator", "area", "period", "value", "flag", "period_start", "period_end", "period_kind"]


def indicator_rows() -> list[Indicator]:
    """Every indicator, in the admin's order (what ``indicator_specs`` reads)."""
    return list(db.session.scalars(select(Indicator).order_by(Indicator.sort_order, Indicator.id)))


def indicator_specs(rows: list[Indicator] | None = None) -> dict[str, IndicatorSpec]:
    """The engine's spec of every indicator (``rows``: ``indicator_rows()`` already read)."""
    rows = indicator_rows() if rows is None else rows
    slug_of = {i.id: i.slug for i in rows}
    return {
        i.slug: IndicatorSpec(
            slug=i.slug, name=i.name, unit=i.unit, polarity=i.polarity, aggregation=i.aggregation,
            numerator=slug_of.get(i.numerator_id), denominator=slug_of.get(i.denominator_id), decimals=i.decimals,
            rag=RagRule(method=i.rag_method, band_kind=i.rag_band_kind, green_within=i.rag_green_within,
                        amber_within=i.rag_amber_within, rate_estimates=i.rag_rate_estimates),
            comparison_basis=i.comparison_basis, stable_within=i.stable_within,
        )
        for i in rows
    }


def area_rows() -> list[Area]:
    """Every area with its populations, in the admin's order (what ``area_specs`` reads)."""
    return list(db.session.scalars(
        select(Area).options(selectinload(Area.populations)).order_by(Area.sort_order, Area.id)))


def area_specs(areas: list[Area] | None = None) -> list[AreaSpec]:
    """The engine's spec of every area (``areas``: ``area_rows()`` already read)."""
    areas = area_rows() if areas is None else areas
    code_of = {a.id: a.code for a in areas}
    return [AreaSpec(code=a.code, name=a.name, kind=a.kind, parent=code_of.get(a.parent_id),
                     populations={p.year: p.population for p in a.populations}) for a in areas]


def current_values(indicator_slugs=None) -> pd.DataFrame:
    """Current figures: one row per indicator × area × period, with the period's dates."""
    query = (
        select(Indicator.slug, Area.code, Period.key, DataValue.value, DataValue.flag,
               Period.start_date, Period.end_date, Period.kind)
        .join(Indicator, DataValue.indicator_id == Indicator.id)
        .join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DATA_VALUE_IS_CURRENT)
    )
    if indicator_slugs is not None:
        query = query.where(Indicator.slug.in_(list(indicator_slugs)))
    frame = pd.DataFrame(db.session.execute(query).all(), columns=VALUE_COLUMNS)
    frame["value"] = frame["value"].astype(float)
    return frame


def targets(indicator_slugs=None, period_ids=None) -> pd.DataFrame:
    """Current targets (a superseded or retired one is history): one row per indicator ×
    area × period, with its tolerance (NaN: the indicator's amber band applies); of these
    indicators and periods (ids) only, if given."""
    query = (
        select(Indicator.slug, Area.code, Period.key, Target.value, Target.tolerance)
        .join(Indicator, Target.indicator_id == Indicator.id)
        .join(Area, Target.area_id == Area.id)
        .join(Period, Target.period_id == Period.id)
        .where(TARGET_IS_CURRENT)
    )
    if indicator_slugs is not None:
        query = query.where(Indicator.slug.in_(sorted(indicator_slugs)))
    if period_ids is not None:  # looked up by indicator, area and period (the partial index needs its own term)
        query = query.where(TARGET_IS_CURRENT, Target.indicator_id.in_(select(Indicator.id)),
                            Target.area_id.in_(select(Area.id)),
                            Target.period_id.in_(sorted(period_ids)))
    frame = pd.DataFrame(db.session.execute(query).all(), columns=["indicator", "area", "period", "value", "tolerance"])
    frame["tolerance"] = frame["tolerance"].astype(float)
    return frame
