"""DHR budget contributors are member agencies or named members, never areas (issue 14)

A contribution to the pooled DHR budget has always been a partner name ("Charnwood",
"Leicestershire Police") with an ``agency_id`` that nothing filled in; no release stored a
contributor as an area (the budget return is stored against the one area whose budget it
is), so there are no contributor areas to move and no stored figures to re-point. What
this revision does:

- links each contribution already stored to the member agency its partner name means, by
  the rule of ``app.dhr.budget.contributing_agency`` as it was when this was written (the
  agency of that name or slug; else the one agency serving the area of that name or alias).
  A name no agency fits, or a place several agencies serve ("Leicestershire"), stays a
  named member (agency_id NULL), as does a second line of one year naming an agency that
  already pays another line;
- makes (budget_year_id, agency_id) unique: an agency pays at most one line a year (lines
  of named members, with no agency, are not limited).

Downgrading drops the constraint and keeps the links (the column predates this revision).

Revision ID: 0008_budget_contributors
Revises: 0007_definitions_as_tables
Create Date: 2026-12-07 01:00:00

"""
import re
import unicodedata

from alembic import op
import sqlalchemy as sa

revision = "0008_budget_contributors"
# The lead sets this to "0007_definitions_as_tables" when merging after that revision.
down_revision = "0007_definitions_as_tables"
branch_labels = None
depends_on = None

UNIQUE = "uq_dhr_contribution_budget_year_id_agency_id"


# Written out here rather than imported, so the revision stays as it was when written.
def _compared(text):
    """Case, spacing and punctuation do not count ("Hinckley & Bosworth" = "hinckley and bosworth")."""
    s = unicodedata.normalize("NFKC", text or "").casefold().replace("&", " and ").replace("%", " percent ")
    s = re.sub(r"[\W_]+", " ", s.translate(str.maketrans("", "", "'’‘`")))
    return " ".join(s.split())


def _agency_for(partner, agencies, places):
    """The id of the agency a partner name means, or None. ``agencies``: (id, slug, name,
    area_id); ``places``: area_id → compared names of the area (name and aliases)."""
    wanted = _compared(partner)
    if not wanted:
        return None
    named = [a_id for a_id, slug, name, _ in agencies if wanted in (_compared(name), _compared(slug))]
    if len(named) == 1:
        return named[0]
    serving = [a_id for a_id, _, _, area_id in agencies if area_id is not None and wanted in places.get(area_id, ())]
    return serving[0] if len(serving) == 1 else None


def _link_contributions(connection):
    agencies = connection.execute(sa.text("SELECT id, slug, name, area_id FROM agency ORDER BY id")).all()
    places = {}
    for area_id, name in connection.execute(sa.text("SELECT id, name FROM area")):
        places.setdefault(area_id, set()).add(_compared(name))
    for area_id, name in connection.execute(sa.text("SELECT area_id, name FROM area_alias")):
        places.setdefault(area_id, set()).add(_compared(name))
    lines = connection.execute(sa.text(
        "SELECT id, budget_year_id, partner, agency_id FROM dhr_contribution ORDER BY budget_year_id, id")).all()
    paying = {(line.budget_year_id, line.agency_id) for line in lines if line.agency_id is not None}
    for line in lines:
        if line.agency_id is not None:
            continue
        agency_id = _agency_for(line.partner, agencies, places)
        if agency_id is None or (line.budget_year_id, agency_id) in paying:
            continue
        paying.add((line.budget_year_id, agency_id))
        connection.execute(sa.text("UPDATE dhr_contribution SET agency_id = :agency WHERE id = :id"),
                           {"agency": agency_id, "id": line.id})


def upgrade():
    _link_contributions(op.get_bind())
    # Batch mode: SQLite cannot add a constraint in place (the table is copied); PostgreSQL alters it.
    with op.batch_alter_table("dhr_contribution") as batch_op:
        batch_op.create_unique_constraint(op.f(UNIQUE), ["budget_year_id", "agency_id"])


def downgrade():
    with op.batch_alter_table("dhr_contribution") as batch_op:
        batch_op.drop_constraint(op.f(UNIQUE), type_="unique")
