"""Areas (districts, counties, wider footprints) and the agencies that report."""
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.indicators.model import AREA_KINDS  # one vocabulary with the engine
from app.models.base import one_of


class Area(db.Model):
    __tablename__ = "area"
    __table_args__ = (one_of("kind", AREA_KINDS),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    kind: Mapped[str] = mapped_column(String(12), default="district")
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    sort_order: Mapped[int] = mapped_column(default=0)

    parent: Mapped["Area | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Area"]] = relationship(back_populates="parent", order_by="Area.sort_order")
    populations: Mapped[list["AreaPopulation"]] = relationship(
        back_populates="area", cascade="all, delete-orphan", order_by="AreaPopulation.year"
    )
    # Other names (app.models.alias): ``aliases`` is their text, in the order they were added.
    alias_rows: Mapped[list["AreaAlias"]] = relationship(  # noqa: F821
        cascade="all, delete-orphan", order_by="AreaAlias.id"
    )

    @property
    def aliases(self) -> list[str]:
        return [row.name for row in self.alias_rows]

    def population_for(self, year: int) -> int | None:
        """Population for a year, or the nearest earlier estimate."""
        best = None
        for p in self.populations:
            if p.year <= year:
                best = p.population
        return best

    def __repr__(self) -> str:
        return f"<Area {self.code}>"


class AreaPopulation(db.Model):
    """Mid-year population estimate; a financial year uses the estimate for its first year."""

    __tablename__ = "area_population"
    __table_args__ = (
        UniqueConstraint("area_id", "year"),
        CheckConstraint("population > 0", name="population_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int] = mapped_column(ForeignKey("area.id", ondelete="CASCADE"))
    year: Mapped[int]
    population: Mapped[int]

    area: Mapped[Area] = relationship(back_populates="populations")


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    # The area an agency serves, when it serves one (a district council); None for county-wide.
    area_id: Mapped[int | None] = mapped_column(ForeignKey("area.id"))
    contact_email: Mapped[str | None] = mapped_column(String(254))

    area: Mapped[Area | None] = relationship()

    def __repr__(self) -> str:
        return f"<Agency {self.slug}>"
