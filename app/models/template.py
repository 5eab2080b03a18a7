"""Return templates: what each agency fills in. A published version never changes."""
from datetime import datetime

from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.extensions import db
from app.models.area import Agency
from app.models.base import one_of, utcnow

FREQUENCIES = ("quarterly", "monthly", "annual", "span")
VERSION_STATUSES = ("draft", "published", "retired")

template_agency = Table(
    "template_agency",
    db.metadata,
    Column("template_id", Integer, ForeignKey("return_template.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", Integer, ForeignKey("agency.id", ondelete="CASCADE"), primary_key=True),
)


class ReturnTemplate(db.Model):
    __tablename__ = "return_template"
    __table_args__ = (one_of("frequency", FREQUENCIES),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    frequency: Mapped[str] = mapped_column(String(12), default="quarterly")
    # Days after the period ends by which a return is due.
    due_days: Mapped[int] = mapped_column(default=28)
    # The first period its agencies owe (a period key, e.g. "2015/16 Q4"): from it, every
    # period up to today is expected of each agency (app.services.schedule). None: no
    # schedule is generated.
    schedule_from: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agencies: Mapped[list[Agency]] = relationship(secondary=template_agency, order_by="Agency.slug")
    versions: Mapped[list["TemplateVersion"]] = relationship(
        back_populates="template", order_by="TemplateVersion.number", cascade="all, delete-orphan"
    )

    @property
    def latest_version(self) -> "TemplateVersion | None":
        return self.versions[-1] if self.versions else None

    @property
    def published_version(self) -> "TemplateVersion | None":
        published = [v for v in self.versions if v.status == "published"]
        return published[-1] if published else None


class TemplateVersion(db.Model):
    """The layout of a template (sheets, rows, columns, rules), as validated JSON."""

    __tablename__ = "template_version"
    __table_args__ = (UniqueConstraint("template_id", "number"), one_of("status", VERSION_STATUSES))

    id: Mapped[int] = mapped_column(primary_key=True)
    template_id: Mapped[int] = mapped_column(ForeignKey("return_template.id", ondelete="CASCADE"))
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(12), default="draft")
    definition: Mapped[dict] = mapped_column(JSON)
    instructions: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    template: Mapped[ReturnTemplate] = relationship(back_populates="versions")
