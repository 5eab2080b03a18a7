"""template definitions in the current JSON schema: one model every template is read with (issue 14)

Every stored template version's definition is rewritten as ``flask templates dump`` writes
it today: read with ``TemplateDefinition.from_dict`` and written with ``to_dict``, so every
key the model knows is present (defaults filled in, whole floats as integers) and the
stored JSON equals a load and dump round trip. The older layouts stay as they are: they
are read through the tables model when a return is uploaded
(``app.definition.as_tables``), not stored as tables, so the sheet editor and the blank
return keep working from them. A definition that does not load (it never should: every
version was checked when it was saved) is left exactly as it is.

Downgrading removes the keys this revision added to the tables model (a header's
``fixed`` and ``figures_required``, a table's ``rule_from``), which the older code would
refuse as unknown settings. Nothing else needs undoing: the defaults written on upgrade
are the values the older code assumed for missing keys, so it reads the same templates.

Revision ID: 0007_definitions_as_tables
Revises: 0006_target_provenance
Create Date: 2026-12-07 01:00:00

"""
import logging

import sqlalchemy as sa
from alembic import op

revision = "0007_definitions_as_tables"
down_revision = "0006_target_provenance"
branch_labels = None
depends_on = None

log = logging.getLogger("alembic.runtime.migration")

template_version = sa.table("template_version", sa.column("id", sa.Integer), sa.column("definition", sa.JSON))

HEADER_KEYS_ADDED = ("fixed", "figures_required")
TABLE_KEYS_ADDED = ("rule_from",)


def _rewrite(change) -> None:
    """``change(definition)`` on every stored definition: the new JSON, or None to leave it."""
    connection = op.get_bind()
    rows = connection.execute(sa.select(template_version.c.id, template_version.c.definition)).all()
    for version_id, definition in rows:
        new = change(definition)
        if new is not None and new != definition:
            connection.execute(template_version.update().where(template_version.c.id == version_id)
                               .values(definition=new))


def _as_dumped(definition):
    # The model as of this revision: Flask-free and model-free, so safe to import here.
    from app.definition.model import DefinitionError, TemplateDefinition

    try:
        return TemplateDefinition.from_dict(definition).to_dict()
    except DefinitionError as error:
        log.warning("template definition left as stored: it does not load (%s)", error)
        return None


def _without_added_keys(definition):
    if not isinstance(definition, dict) or not isinstance(definition.get("sheets"), list):
        return None
    new = {**definition, "sheets": []}
    for sheet in definition["sheets"]:
        if isinstance(sheet, dict) and sheet.get("tables"):
            sheet = {**sheet, "tables": [_table_without_added_keys(t) for t in sheet["tables"]]}
        new["sheets"].append(sheet)
    return new


def _table_without_added_keys(table):
    if not isinstance(table, dict):
        return table
    table = {k: v for k, v in table.items() if k not in TABLE_KEYS_ADDED}
    for key in ("rows", "columns"):
        if isinstance(table.get(key), list):
            table[key] = [_header_without_added_keys(h) for h in table[key]]
    block = table.get("block")
    if isinstance(block, dict) and isinstance(block.get("block_values"), list):
        table["block"] = {**block, "block_values": [_header_without_added_keys(h) for h in block["block_values"]]}
    return table


def _header_without_added_keys(header):
    return {k: v for k, v in header.items() if k not in HEADER_KEYS_ADDED} if isinstance(header, dict) else header


def upgrade():
    _rewrite(_as_dumped)


def downgrade():
    _rewrite(_without_added_keys)
