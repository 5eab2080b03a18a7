"""Return template definitions: the one description of a standard return.

Flask-free and model-free. The admin editor builds a ``TemplateDefinition``, the database
keeps ``definition.to_dict()`` as JSON in ``TemplateVersion.definition``, the blank return
writer lays it out and the upload mapper reads uploads with it. ``expand_fields`` is the
single, deterministic list of the cells a return holds for one period.

- ``model``: the definition's dataclasses, its vocabularies, labels and slugs, JSON in and out;
- ``periods``: the periods a template's columns stand for;
- ``fields``: the cells of a return (``expand_fields``, ``Field``, column slots);
- ``cross_rules``: which cells a cross-field rule combines, and the checks it makes;
- ``validation``: ``validate_definition``;
- ``as_tables``: the older layouts as tables (``sheet_tables``), the one model uploads are read with.
"""
from app.definition.cross_rules import CrossCheck, CrossRuleCells, cross_rule_cells, expand_cross_rules
from app.definition.fields import (
    NOTE_RULE,
    ColumnSlot,
    Field,
    column_rule,
    expand_fields,
    sheet_slots,
    slot_measure,
    slot_period,
    slot_rule,
)
from app.definition.model import (
    AREA_CODE_RE,
    BLANK_MEANINGS,
    BLOCK_MATCHES,
    COLUMN_KINDS,
    CROSS_RULE_KINDS,
    FIELD_MEASURES,
    FREQUENCIES,
    FY_MONTHS,
    HEADER_CHECKS,
    HEADER_PATTERNS,
    HEADER_TREATS,
    LAYOUT_NAMES,
    LAYOUTS,
    MEASURES,
    NOTE_HEADER,
    NUMERIC_TYPES,
    PREVIOUS_YEAR_PREFIX,
    RELATIVE_PERIODS,
    RESERVED_SHEET_NAMES,
    ROLES,
    RULE_TYPES,
    SHEET_NAME_FORBIDDEN,
    SHEET_NAME_MAX,
    SLUG_MAX,
    SLUG_RE,
    TABLE_DIMENSIONS,
    TITLE_SOURCES,
    VALUE_HEADER,
    BlockSpec,
    ColumnSpec,
    CrossRule,
    DefinitionError,
    DefinitionProblem,
    FieldRule,
    FieldSelector,
    HeaderSpec,
    RowSpec,
    SheetLayout,
    TableSpec,
    TemplateDefinition,
    TitleSpec,
    Transform,
    decimal_rule,
    definition_from_json,
    definition_to_json,
    money_rule,
    normalise_label,
    percent_rule,
    sheet_labels,
    slugify,
    text_rule,
    whole_rule,
)
from app.definition.as_tables import definition_as_tables, sheet_as_tables, sheet_tables
from app.definition.periods import check_return_period, due_date_for, resolve_period_ref
from app.definition.validation import validate_definition

__all__ = [
    "AREA_CODE_RE", "BLANK_MEANINGS", "BLOCK_MATCHES", "COLUMN_KINDS", "CROSS_RULE_KINDS", "FIELD_MEASURES",
    "FREQUENCIES", "FY_MONTHS", "HEADER_CHECKS", "HEADER_PATTERNS", "HEADER_TREATS", "LAYOUTS", "LAYOUT_NAMES",
    "MEASURES", "NOTE_HEADER", "NOTE_RULE", "NUMERIC_TYPES", "PREVIOUS_YEAR_PREFIX", "RELATIVE_PERIODS",
    "RESERVED_SHEET_NAMES", "ROLES", "RULE_TYPES", "SHEET_NAME_FORBIDDEN", "SHEET_NAME_MAX", "SLUG_MAX", "SLUG_RE",
    "TABLE_DIMENSIONS", "TITLE_SOURCES", "VALUE_HEADER", "BlockSpec", "ColumnSlot", "ColumnSpec", "CrossCheck",
    "CrossRule", "CrossRuleCells", "DefinitionError", "DefinitionProblem", "Field", "FieldRule", "FieldSelector",
    "HeaderSpec", "RowSpec", "SheetLayout", "TableSpec", "TemplateDefinition", "TitleSpec", "Transform",
    "check_return_period", "column_rule", "cross_rule_cells", "decimal_rule", "definition_as_tables",
    "definition_from_json", "definition_to_json", "due_date_for", "expand_cross_rules", "expand_fields", "money_rule",
    "normalise_label", "percent_rule", "resolve_period_ref", "sheet_as_tables", "sheet_labels", "sheet_slots",
    "sheet_tables", "slot_measure", "slot_period", "slot_rule", "slugify", "text_rule", "validate_definition",
    "whole_rule",
]
