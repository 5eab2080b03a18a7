"""The tables layout in a definition: JSON in and out, and validation with a path per problem."""
import json

from app.definition import (
    BlockSpec,
    FieldRule,
    HeaderSpec,
    SheetLayout,
    TableSpec,
    TemplateDefinition,
    TitleSpec,
    Transform,
    definition_from_json,
    definition_to_json,
    expand_fields,
    validate_definition,
)
from app.demo.templates import demo_definitions
from app.periods import parse_period


def refuges_table(**changes) -> TableSpec:
    table = TableSpec(
        name="Quarterly figures", row_dimension="indicator", column_dimension="period", header_rows=1,
        rows=[
            HeaderSpec("Women housed", ["Women accommodated"], "women-housed",
                       rule=FieldRule(required=False, allow_na=True, na_needs_reason=False)),
            HeaderSpec("Surplus/(shortfall)", [], "refuge-shortfall", transform=Transform(sign=-1)),
            HeaderSpec("Total", treat="check_only", check="sum"),
        ],
        columns=[
            HeaderSpec("", pattern="period"),
            HeaderSpec("% change", treat="check_only", check="percent_change", required=False),
        ],
        fixed={"area": "CAMBS", "measure": "value"},
    )
    for key, value in changes.items():
        setattr(table, key, value)
    return table


def tables_definition(*tables: TableSpec) -> TemplateDefinition:
    sheet = SheetLayout(name="Refuges", layout="tables", rows=[], columns=[], note_column=False,
                        tables=list(tables) or [refuges_table()])
    return TemplateDefinition(slug="refuges", name="Refuges", sheets=[sheet])


def problems_of(defn: TemplateDefinition) -> dict[str, str]:
    return {p.path: p.message for p in validate_definition(defn)}


def test_tables_round_trip_exactly():
    defn = tables_definition(
        refuges_table(),
        refuges_table(name="By year", block=BlockSpec("period", "period"), fixed={"area": "CAMBS"}),
        refuges_table(name="Titled", title=TitleSpec("period", "cells", r"Period:\s*(.+)"), fixed={}),
    )
    text = definition_to_json(defn)
    loaded = definition_from_json(text)
    assert loaded == defn
    assert definition_to_json(loaded) == text
    table = json.loads(text)["sheets"][0]["tables"][0]
    assert set(table) == {"name", "row_dimension", "column_dimension", "header_rows", "rows", "columns", "fixed",
                          "block", "title"}
    assert table["rows"][0] == {
        "label": "Women housed", "aliases": ["Women accommodated"], "value": "women-housed", "pattern": None,
        "offset": None, "treat": "figure", "check": None, "required": True,
        "rule": {"required": False, "type": "whole", "min": 0, "max": None, "allow_na": True,
                 "na_needs_reason": False},
        "transform": {"sign": 1, "scale": 1, "blank": "not_returned"},
    }


def test_other_layouts_keep_their_json_and_older_json_loads_with_no_tables():
    for defn in demo_definitions():
        data = defn.to_dict()
        assert all("tables" not in sheet for sheet in data["sheets"])
        assert TemplateDefinition.from_dict(data).sheets[0].tables == []


def test_a_valid_tables_definition_has_no_problems_and_no_fixed_fields():
    defn = tables_definition()
    assert validate_definition(defn) == []
    assert expand_fields(defn, parse_period("2015/16 Q4")) == []


def test_tables_problems_each_name_their_setting():
    table = refuges_table(
        column_dimension="indicator", header_rows=3,
        rows=[
            HeaderSpec("Women housed", [], "women-housed", offset=2, transform=Transform(sign=2, scale=0,
                                                                                          blank="zero")),
            HeaderSpec("women  housed", [], "other", check="sum"),
            HeaderSpec("Total", treat="check_only"),
            HeaderSpec("Fred", pattern="area"),
        ],
        columns=[HeaderSpec("", pattern="period")],
        title=TitleSpec("period", "cells", "Period: .+"),
    )
    problems = problems_of(tables_definition(table))
    assert problems == {
        "sheets[0].tables[0].column_dimension": "The rows and the columns of the table 'Quarterly figures' both "
                                                "name the indicator: choose something different for each.",
        "sheets[0].tables[0].header_rows": "A table has 0, 1 or 2 header rows.",
        "sheets[0].tables[0].rows[0].offset": "Only a column can be found by its position right of the labels.",
        "sheets[0].tables[0].rows[0].transform.sign": "The sign is 1 (as written) or -1 (the opposite sign).",
        "sheets[0].tables[0].rows[0].transform.scale": "The scale must be more than 0 (1: as written; 100: "
                                                       "0.29 → 29).",
        "sheets[0].tables[0].rows[0].transform.blank": "Choose what a blank cell means: nothing returned, or not "
                                                       "available.",
        "sheets[0].tables[0].rows[1].label": "'women  housed' is the same as the label of row 1: each label and "
                                             "alias may be used once in a table's rows, and once in its columns "
                                             "(case, spaces and punctuation do not count).",
        "sheets[0].tables[0].rows[1].check": "Only a check-only header has a check: clear it or treat the cells "
                                             "as check only.",
        "sheets[0].tables[0].rows[2].check": "Choose what 'Total' is checked as: the sum of the other figures, "
                                             "or the percentage change between the two latest periods.",
        "sheets[0].tables[0].rows[3].pattern": "The only pattern is 'period': any heading the period reader "
                                               "understands.",
        "sheets[0].tables[0].columns[0].pattern": "A period pattern only suits headers that name periods; these "
                                                  "name the indicator.",
        "sheets[0].tables[0].title.pattern": "The pattern needs exactly one group in brackets around the period, "
                                             "e.g. 'Period:\\s*(.+)'; it has 0.",
        "sheets[0].tables[0]": "The indicator of the table 'Quarterly figures' is given by its rows and by its "
                               "columns: choose one.",
    }


def test_a_dimension_given_twice_or_never_is_a_problem():
    table = refuges_table(row_dimension="area", rows=[HeaderSpec("Cambridge", [], "CAMBS")],
                          fixed={"area": "CAMBS"}, title=TitleSpec("period", "sheet_name", "(.+)"))
    problems = problems_of(tables_definition(table))
    assert problems["sheets[0].tables[0].fixed"] == (
        "Nothing gives the indicator of the table 'Quarterly figures': make the rows or the columns indicators, "
        "or fix one indicator for the whole table.")
    assert "sheets[0].tables[0]" in problems  # area by rows and fixed; period by columns and title
    assert len([p for p in validate_definition(tables_definition(table)) if p.path == "sheets[0].tables[0]"]) == 2


def test_unknown_indicators_and_areas_are_named():
    problems = {p.path: p.message for p in validate_definition(
        tables_definition(), known_indicators={"women-housed"}, known_areas={"HB"})}
    assert problems == {
        "sheets[0].tables[0].rows[1].value": "There is no indicator 'refuge-shortfall': create it first or "
                                             "choose another.",
        "sheets[0].tables[0].fixed.area": "There is no area with the code 'CAMBS': add the area first or choose "
                                          "another.",
    }


def test_a_tables_sheet_has_tables_and_no_rows_and_others_have_no_tables():
    defn = tables_definition()
    defn.sheets[0].tables = []
    assert problems_of(defn) == {
        "sheets[0].tables": "Add at least one table: a sheet with no tables has nothing to read."}
    other = demo_definitions()[0]
    other.sheets[0].tables = [refuges_table()]
    assert problems_of(other)["sheets[0].tables"].startswith("Only a sheet with the layout")


def test_header_rows_0_needs_columns_by_position():
    table = refuges_table(header_rows=0, columns=[HeaderSpec("", [], "period", offset=1)])
    assert problems_of(tables_definition(table)) == {}
    table = refuges_table(header_rows=0, columns=[HeaderSpec("Value", [], "period")])
    assert problems_of(tables_definition(table)) == {
        "sheets[0].tables[0].columns[0].offset": "This table has no header row, so column 'Value' must be found "
                                                 "by its position right of the labels."}
