"""Outcomes (themes), indicators, periods, targets and the data values themselves."""
from datetime import date, datetime

from sqlalchemy import CheckConstraint, Float, ForeignKey, Index, String, Text, literal_column, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db

# One vocabulary for the engine and the database: the engine's, which needs no Flask.
from app.indicators.model import (  # noqa: F401  (re-exported through app.models)
    AGGREGATIONS,
    COMPARISON_BASES,
    COMPARISON_BASIS_LABELS,
    DEFAULT_STABLE_WITHIN,
    RAG_BAND_KINDS,
    RAG_METHODS,
    per_head_of_population,
)
from app.models.area import Agency, Area
from app.models.base import one_of, unique_where, utcnow, vocabulary_sql
from app.vocabulary import FLAGS, FLAGS_WITH_VALUE, FLAGS_WITHOUT_VALUE, POLARITIES, POLARITY_LABELS, UNIT_LABELS, UNITS

# How an indicator combines across areas (AGGREGATIONS): sum counts; recompute rates and
# percentages from their numerator and denominator; or never combine (survey results, say).
AGGREGATION_LABELS = {
    "sum": "Add the areas together",
    "recompute": "Recompute from numerator and denominator (a rate: from its count and the areas' populations)",
    "none": "Do not combine across areas",
}

PERIOD_KINDS = ("year", "quarter", "month", "span")


class Outcome(db.Model):
    __tablename__ = "outcome"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    description: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(default=0)

    indicators: Mapped[list["Indicator"]] = relationship(
        back_populates="outcome", order_by="Indicator.sort_order"
    )


class Indicator(db.Model):
    __tablename__ = "indicator"
    __table_args__ = (
        one_of("unit", UNITS),
        one_of("polarity", POLARITIES),
        one_of("aggregation", AGGREGATIONS),
        one_of("rag_method", RAG_METHODS),
        one_of("rag_band_kind", RAG_BAND_KINDS),
        one_of("comparison_basis", COMPARISON_BASES),
        CheckConstraint("rag_green_within >= 0 AND rag_amber_within >= rag_green_within", name="rag_bands_ordered"),
        CheckConstraint("stable_within >= 0", name="stable_within_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("outcome.id"))
    unit: Mapped[str] = mapped_column(String(20), default="count")
    polarity: Mapped[str] = mapped_column(String(20), default="lower_is_better")
    aggregation: Mapped[str] = mapped_column(String(12), default="sum")
    numerator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"))
    denominator_id: Mapped[int | None] = mapped_column(ForeignKey("indicator.id"))
    decimals: Mapped[int] = mapped_column(default=0)
    definition: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str | None] = mapped_column(Text)
    sort_order: Mapped[int] = mapped_column(default=0)

    # RAG rule (configured by admins). Bands are "worse by at most X" for green and amber.
    rag_method: Mapped[str] = mapped_column(String(20), default="none")
    rag_band_kind: Mapped[str] = mapped_column(String(10), default="percent")
    rag_green_within: Mapped[float] = mapped_column(Float, default=0)
    rag_amber_within: Mapped[float] = mapped_column(Float, default=0)
    rag_rate_estimates: Mapped[bool] = mapped_column(default=False)
    # Direction of travel looks at this many recent periods.
    trend_periods: Mapped[int] = mapped_column(default=4, server_default=text("4"))
    # What the latest figure is compared with (migration 0009): like for like, or (cohort
    # and rolling measures) the latest earlier figure; and the direction's stable band.
    comparison_basis: Mapped[str] = mapped_column(
        String(24), default="same_period_last_year", server_default="same_period_last_year")
    stable_within: Mapped[float] = mapped_column(
        Float, default=DEFAULT_STABLE_WITHIN, server_default=text(str(DEFAULT_STABLE_WITHIN)))
    # Peers are compared by default; counts below 5 are suppressed in the public workbook.
    suppress_small_counts: Mapped[bool] = mapped_column(default=True, server_default=true())

    outcome: Mapped[Outcome | None] = relationship(back_populates="indicators")
    numerator: Mapped["Indicator | None"] = relationship(foreign_keys=[numerator_id], remote_side=[id])
    denominator: Mapped["Indicator | None"] = relationship(foreign_keys=[denominator_id], remote_side=[id])
    # Other names (app.models.alias): ``aliases`` is their text, in the order they were added.
    alias_rows: Mapped[list["IndicatorAlias"]] = relationship(  # noqa: F821
        cascade="all, delete-orphan", order_by="IndicatorAlias.id"
    )

    @property
    def aliases(self) -> list[str]:
        return [row.name for row in self.alias_rows]

    @property
    def rate_of_population(self) -> bool:
        """Worked out per head of the areas' populations (``per_head_of_population``)."""
        return self.aggregation == "recompute" and per_head_of_population(self.unit, self.denominator_id)

    @property
    def unit_label(self) -> str:
        return UNIT_LABELS[self.unit]

    @property
    def polarity_label(self) -> str:
        return POLARITY_LABELS[self.polarity]

    def __repr__(self) -> str:
        return f"<Indicator {self.slug}>"


class Period(db.Model):
    """A reporting period. ``key`` is the canonical form made by ``app.periods``."""

    __tablename__ = "period"
    __table_args__ = (
        one_of("kind", PERIOD_KINDS),
        CheckConstraint("start_date <= end_date", name="dates_ordered"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    label: Mapped[str] = mapped_column(String(80))
    start_date: Mapped[date]
    end_date: Mapped[date]

    def __repr__(self) -> str:
        return f"<Period {self.key}>"


class Target(db.Model):
    """A target for indicator × area × period.

    Like a figure, a target read from a return points back to its submission, sheet and
    cell, and a newer target for the same indicator, area and period marks the old row
    not current rather than overwriting it. Targets typed by an administrator or loaded by
    the demo have no submission.
    """

    __tablename__ = "target"
    __table_args__ = (
        # Only one current target per indicator × area × period.
        unique_where("uq_target_current", "indicator_id", "area_id", "period_id", where="is_current"),
        Index("ix_target_submission", "submission_id"),
        CheckConstraint("tolerance IS NULL OR tolerance >= 0", name="tolerance_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    value: Mapped[float] = mapped_column(Float)
    note: Mapped[str | None] = mapped_column(Text)
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    sheet: Mapped[str | None] = mapped_column(String(64))
    cell: Mapped[str | None] = mapped_column(String(16))
    is_current: Mapped[bool] = mapped_column(default=True, server_default=true())
    # Empty for targets stored before they had a history (migration 0006).
    created_at: Mapped[datetime | None] = mapped_column(default=utcnow)
    # The amber band of this target (migration 0010): short of it by at most this much is
    # Amber, measured as the indicator's bands are (per cent of the target, or in its unit).
    # Empty: the indicator's own amber band applies.
    tolerance: Mapped[float | None] = mapped_column(Float)
    # Who typed it (the admin pages) and, for a target from a file that is not a return
    # (an admin's CSV upload), which file and row.
    entered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    source: Mapped[str | None] = mapped_column(String(300))
    # Set when an admin retires the target without a replacement (a superseded target has
    # neither: its successor's created_at says when it ended).
    retired_at: Mapped[datetime | None]
    retired_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    indicator: Mapped[Indicator] = relationship()
    area: Mapped[Area] = relationship()
    period: Mapped[Period] = relationship()
    submission: Mapped["Submission | None"] = relationship()  # noqa: F821
    entered_by: Mapped["User | None"] = relationship(foreign_keys=[entered_by_id])  # noqa: F821
    retired_by: Mapped["User | None"] = relationship(foreign_keys=[retired_by_id])  # noqa: F821


VALUE_MATCHES_FLAG = (
    f"({vocabulary_sql('flag', FLAGS_WITH_VALUE, as_equalities=True)} AND value IS NOT NULL) OR "
    f"({vocabulary_sql('flag', FLAGS_WITHOUT_VALUE, as_equalities=True)} AND value IS NULL)"
)


class DataValue(db.Model):
    """One figure: indicator × area × period.

    A figure is never stored as zero for "missing": either there is no row, or the row
    has no value and a flag saying why (not available, not yet released). Values from an
    upload point back to their submission, sheet and cell; a resubmission marks the old
    rows not current rather than overwriting them.
    """

    __tablename__ = "data_value"
    __table_args__ = (
        # Checks spelled out with OR, not IN lists: see vocabulary_sql (bulk inserts).
        CheckConstraint(vocabulary_sql("flag", FLAGS, as_equalities=True), name="flag_allowed"),
        CheckConstraint(VALUE_MATCHES_FLAG, name="value_matches_flag"),
        # Only one current figure per indicator × area × period.
        unique_where("uq_data_value_current", "indicator_id", "area_id", "period_id", where="is_current"),
        Index("ix_data_value_submission", "submission_id"),
        Index("ix_data_value_agency", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id"))
    value: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str] = mapped_column(String(16), default="actual")
    note: Mapped[str | None] = mapped_column(Text)
    # Free-text origin for figures not from an upload (demo load, manual entry).
    source: Mapped[str | None] = mapped_column(String(300))
    # The agency that supplied the figure: officers see only their own agency's figures.
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    submission_id: Mapped[int | None] = mapped_column(ForeignKey("submission.id"))
    sheet: Mapped[str | None] = mapped_column(String(64))
    cell: Mapped[str | None] = mapped_column(String(16))
    is_current: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    indicator: Mapped[Indicator] = relationship()
    area: Mapped[Area] = relationship()
    period: Mapped[Period] = relationship()
    agency: Mapped["Agency | None"] = relationship()


# SQLite uses a partial index (``WHERE is_current``: uq_data_value_current, uq_target_current)
# only for a query whose WHERE has that very term; ``is_current.is_(True)`` is written
# ``is_current IS 1`` and reads the whole table. Queries for current figures and targets use these.
DATA_VALUE_IS_CURRENT = literal_column("data_value.is_current")
TARGET_IS_CURRENT = literal_column("target.is_current")
