"""The indicator engine's results, kept in the database (issue 16).

``IndicatorFigure``: every figure the dashboard can use for an indicator × area × period
(stored, recomputed, or a total of districts; ``has_figure`` False for a key that only
has something stored behind it), independent of which dashboard asks.
``IndicatorResult``: the engine's row for an indicator × area on the dashboard for a
period (``period_id``, the dashboard's period): its latest and compared figures, rating,
change, direction, significance, comparison, headline and district strip, as JSON
(``data``), with the columns pages filter on kept as columns.

Both are derived: ``app.services.results`` rebuilds them inside the transaction of every
write that changes their inputs, and ``flask indicators recompute --all`` from scratch.
"""
from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class IndicatorFigure(db.Model):
    __tablename__ = "indicator_figure"
    __table_args__ = (
        Index("uq_indicator_figure", "indicator_id", "area_id", "period_id", unique=True),
        Index("ix_indicator_figure_area", "area_id", "period_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))
    has_figure: Mapped[bool] = mapped_column(default=True)
    value: Mapped[float | None] = mapped_column(Float)
    flag: Mapped[str | None] = mapped_column(String(16))
    status: Mapped[str | None] = mapped_column(String(16))
    message: Mapped[str | None] = mapped_column(Text)


class IndicatorResult(db.Model):
    __tablename__ = "indicator_result"
    __table_args__ = (
        Index("uq_indicator_result", "period_id", "indicator_id", "area_id", unique=True),
        Index("ix_indicator_result_area", "period_id", "area_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(ForeignKey("period.id", ondelete="CASCADE"))  # the dashboard's period
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"))
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(default=0)  # the engine's order, kept for pages that list rows
    headline: Mapped[bool] = mapped_column(default=False)
    several: Mapped[bool] = mapped_column(default=False)  # the indicator is shown on more than one row
    aggregate_status: Mapped[str | None] = mapped_column(String(16))
    data: Mapped[str] = mapped_column(Text)
