"""Other names an area or an indicator goes by ("NWLDC" for North West Leicestershire).

Kept once, on the area or indicator, and used by every template when a return is read.
Each alias is stored with its compared form (``normalise_label``: case, spacing and
punctuation do not count), unique across the table, so the database itself refuses one
alias naming two areas (or two indicators).
"""
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.extensions import db


class AreaAlias(db.Model):
    __tablename__ = "area_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    normalised: Mapped[str] = mapped_column(String(120), unique=True)


class IndicatorAlias(db.Model):
    __tablename__ = "indicator_alias"

    id: Mapped[int] = mapped_column(primary_key=True)
    indicator_id: Mapped[int] = mapped_column(ForeignKey("indicator.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(300))
    normalised: Mapped[str] = mapped_column(String(300), unique=True)
