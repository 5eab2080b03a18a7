"""The older layouts in the tables model (``app.definition.as_tables``), and the JSON of
the few settings the tables model gained for them."""
import json
from pathlib import Path

import pytest

from app.definition import (
    DefinitionError,
    HeaderSpec,
    TableSpec,
    TemplateDefinition,
    definition_from_json,
    definition_to_json,
    validate_definition,
)
from app.definition.as_tables import definition_as_tables, sheet_tables
from app.demo.templates import demo_definitions

CORPUS = Path(__file__).parents[2] / "fixtures" / "corpus"


def demo(slug: str) -> TemplateDefinition:
    return next(d for d in demo_definitions() if d.slug == slug)


def test_a_period_sheet_with_previous_years_and_row_areas_becomes_one_table():
    sheet = demo("cambridgeshire-da-quarterly").sheets[0]
    [table] = sheet_tables(sheet)
    assert (table.row_dimension, table.column_dimension, table.header_rows, table.rule_from) == (
        "indicator", "measure", 1, "column")
    columns = {c.label: c for c in table.columns}
    assert list(columns) == ["Q1", "Q1 (previous year)", "Q2", "Q2 (previous year)", "Q3", "Q3 (previous year)",
                             "Q4", "Q4 (previous year)", "Notes"]
    assert (columns["Q2"].value, columns["Q2"].fixed, columns["Q2"].figures_required) == ("value", {"period": "Q2"},
                                                                                          True)
    previous = columns["Q2 (previous year)"]
    assert (previous.fixed, previous.figures_required, previous.required) == ({"period": "previous_year:Q2"}, False,
                                                                               False)
    notes = columns["Notes"]
    assert (notes.value, notes.aliases, notes.rule.type, notes.required) == ("comment", ["Note"], "text", False)
    rows = {r.label: r for r in table.rows}
    assert rows["Refuge occupancy rate - Hunts"].fixed == {"area": "HUNTS"}
    assert [r.rule for r in table.rows] == [spec.rule for spec in sheet.rows]
    assert all(r.value == spec.indicator and r.aliases == spec.aliases for r, spec in zip(table.rows, sheet.rows))


def test_area_columns_measure_columns_and_reference_columns():
    [table] = sheet_tables(demo("appendix-2-da-sv-outputs").sheets[0])
    columns = {c.label: c for c in table.columns}
    assert (columns["Blaby"].value, columns["Blaby"].fixed) == ("value", {"area": "B"})
    assert columns["Total Leics County"].aliases == ["Total Leicestershire County", "County total"]
    target = columns["LLR target"]
    assert (target.value, target.fixed, target.rule.required, target.required) == (
        "target", {"area": "LLR"}, False, False)
    sheet = demo("appendix-2-da-sv-outputs").sheets[0]
    sheet.columns[0].role = "reference"
    reference = sheet_tables(sheet)[0].columns[0]
    assert (reference.treat, reference.value, reference.required) == ("ignore", None, False)


def test_a_label_value_sheet_reads_its_value_column():
    [table] = sheet_tables(demo("dhr-budget-return").sheets[0])
    assert [(c.label, c.value, c.fixed) for c in table.columns] == [("Value", "value", {}), ("Notes", "comment", {})]


def test_every_demo_template_compiles_to_tables_the_validator_accepts():
    for defn in demo_definitions():
        compiled = definition_as_tables(defn)
        assert all(sheet.layout == "tables" and not sheet.rows and not sheet.columns for sheet in compiled.sheets)
        # Cross-field rules name rows and columns of the older layouts; the rest must pass.
        assert [p for p in validate_definition(compiled) if not p.path.startswith("cross_rules")] == []
        assert definition_from_json(definition_to_json(compiled)) == compiled
        assert defn.sheets[0].layout != "tables"  # the definition given is not changed


def test_the_new_settings_are_written_only_when_used():
    """Tables templates saved before these settings existed dump exactly as they did."""
    plain = TableSpec(rows=[HeaderSpec(label="Women", value="women")], columns=[HeaderSpec(label="Q1", value="Q1")])
    data = plain.to_dict()
    assert "rule_from" not in data
    assert not {"fixed", "figures_required"} & (set(data["rows"][0]) | set(data["columns"][0]))
    for path in sorted(CORPUS.glob("*.template.json")):
        dumped = json.loads(definition_to_json(definition_from_json(path.read_text())))
        for table in (t for sheet in dumped["sheets"] for t in sheet.get("tables", [])):
            assert "rule_from" not in table, path.name
            for header in table["rows"] + table["columns"]:
                assert not {"fixed", "figures_required"} & set(header), path.name


def test_the_new_settings_round_trip_and_are_checked():
    table = TableSpec(rows=[HeaderSpec(label="Women", value="women", fixed={"area": "HUNTS"})],
                      columns=[HeaderSpec(label="Q1 last year", value="value", fixed={"period": "previous_year:Q1"},
                                          figures_required=False)],
                      column_dimension="measure", rule_from="column")
    assert TableSpec.from_dict(table.to_dict(), "", []) == table
    with pytest.raises(DefinitionError):
        TemplateDefinition.from_dict({"slug": "x", "name": "x", "sheets": [
            {"name": "S", "layout": "tables", "tables": [{"rule_from": "column", "rows": [{"fixed": "HUNTS"}]}]}]})
    bad = definition_as_tables(demo("dhr-budget-return"))
    bad.sheets[0].tables[0].rule_from = "cell"
    bad.sheets[0].tables[0].rows[0].fixed = {"indicator": "x", "colour": "red", "area": "no such code!"}
    paths = {p.path for p in validate_definition(bad)}
    assert {"sheets[0].tables[0].rule_from", "sheets[0].tables[0].rows[0].fixed.indicator",
            "sheets[0].tables[0].rows[0].fixed.colour", "sheets[0].tables[0].rows[0].fixed.area"} <= paths
