"""validate_definition: every problem at once, each at the path of the field it concerns."""
from dataclasses import replace

import pytest

from app.definition import (
    ColumnSpec,
    CrossRule,
    FieldRule,
    FieldSelector,
    RowSpec,
    SheetLayout,
    TemplateDefinition,
    normalise_label,
    slugify,
    validate_definition,
)
from app.demo.templates import demo_definitions


def problems_of(defn, **known) -> dict[str, str]:
    found = validate_definition(defn, **known)
    paths = [p.path for p in found]
    assert len(paths) == len(set(paths)), found
    return {p.path: p.message for p in found}


@pytest.fixture
def appendix_2() -> TemplateDefinition:
    return demo_definitions()[0]


@pytest.fixture
def table_2() -> TemplateDefinition:
    return demo_definitions()[1]


def test_normalise_label_ignores_case_spacing_and_punctuation():
    assert normalise_label("  H&B ") == normalise_label("h and b") == "h and b"
    assert normalise_label("H'boro") == normalise_label("Hboro")
    assert normalise_label("C/wood") == "c wood"
    assert normalise_label("Helpline calls\n received.") == "helpline calls received"
    assert normalise_label("% of IDVA clients") == "percent of idva clients"
    assert normalise_label("Outcome  Rate") != normalise_label("Outcome Rates")


def test_slugify_cuts_long_labels_at_a_word():
    slug = slugify("Local practitioners report an increase in confidence in dealing with SVDV, post training")
    assert slug == "local-practitioners-report-an-increase-in-confidence-in-dealing-with-svdv-post"
    assert slugify("Hinckley & Bosworth") == "hinckley-and-bosworth"
    assert slugify("Café crème") == "cafe-creme"


def test_duplicate_label_and_alias_within_a_sheet(appendix_2):
    rows = appendix_2.sheets[0].rows
    rows[2].label = "helpline CALLS, received"
    rows[4].aliases.append("New callers to the helpline.")
    assert problems_of(appendix_2) == {
        "sheets[0].rows[2].label": "'helpline CALLS, received' is the same as the label of row 1 ('Helpline calls "
                                   "received'): each label and alias may be used once in a sheet (case, spaces "
                                   "and punctuation do not count).",
        "sheets[0].rows[4].aliases[2]": "'New callers to the helpline.' is the same as the label of row 2 ('New "
                                        "callers to the helpline'): each label and alias may be used once in a "
                                        "sheet (case, spaces and punctuation do not count).",
    }


def test_the_same_label_on_two_sheets_is_fine(appendix_2):
    sheet = appendix_2.sheets[0]
    appendix_2.sheets.append(replace(sheet, name="Appendix 2 (LLR)", rows=[
        RowSpec(label="Helpline calls received", indicator="helpline-calls-received-llr")]))
    assert problems_of(appendix_2) == {}


def test_duplicate_column_header(appendix_2):
    appendix_2.sheets[0].columns[8].aliases.append("Blaby")
    assert problems_of(appendix_2) == {
        "sheets[0].columns[8].aliases[1]": "'Blaby' is the same as the header of column 1 ('Blaby'): each header "
                                           "and alias may be used once in a sheet (case, spaces and punctuation "
                                           "do not count).",
    }


def test_a_column_may_not_be_called_notes_when_the_sheet_has_a_notes_column(appendix_2):
    appendix_2.sheets[0].columns[9].header = "NOTES"
    assert problems_of(appendix_2)["sheets[0].columns[9].header"].startswith(
        "'NOTES' is the same as the Notes column the blank return adds")


def test_duplicate_sheet_names_and_bad_sheet_names(appendix_2, table_2):
    appendix_2.sheets.append(replace(table_2.sheets[0], name="appendix 2"))
    appendix_2.sheets.append(replace(table_2.sheets[0], name="Outcome measures for the County and a tail"))
    appendix_2.sheets.append(replace(table_2.sheets[0], name="Instructions"))
    appendix_2.sheets.append(replace(table_2.sheets[0], name=" "))
    problems = problems_of(appendix_2)
    assert problems["sheets[1].name"] == "Sheet 1 is already called 'appendix 2': each sheet needs a different name."
    assert problems["sheets[2].name"] == "Sheet names can be at most 31 characters long; this one has 42."
    assert problems["sheets[3].name"] == "'Instructions' is a sheet the blank return adds itself: choose another name."
    assert problems["sheets[4].name"] == "Enter a sheet name."


def test_forbidden_characters_in_a_sheet_name(table_2):
    table_2.sheets[0].name = "Q4: [County]"
    table_2.cross_rules.clear()
    assert problems_of(table_2) == {"sheets[0].name": "Sheet names cannot contain : [ ]: remove them."}


def test_min_more_than_max_on_a_row_and_on_a_column(table_2):
    table_2.sheets[0].rows[3].rule = FieldRule(type="percent", min=100, max=0)
    table_2.sheets[0].columns[0].rule = FieldRule(type="percent", min=50, max=12.5)
    assert problems_of(table_2) == {
        "sheets[0].rows[3].rule.min": "The minimum (100) is more than the maximum (0): swap them or correct one.",
        "sheets[0].columns[0].rule.min": "The minimum (50) is more than the maximum (12.5): swap them or correct "
                                         "one.",
    }


def test_text_rules_have_no_minimum_and_types_must_be_known(table_2):
    table_2.sheets[0].rows[0].rule = FieldRule(type="text", min=0)
    table_2.sheets[0].rows[1].rule = FieldRule(type="count")
    table_2.sheets[0].columns[2].rule = FieldRule(type="whole")
    assert problems_of(table_2) == {
        "sheets[0].rows[0].rule.min": "A text field has no minimum or maximum: clear them.",
        "sheets[0].rows[1].rule.type": "Choose a type: whole number, decimal, percent, money, date or text.",
        "sheets[0].columns[2].rule.type": "A comment column holds text: set its type to text.",
    }


def test_columns_mapped_to_nothing(appendix_2, table_2):
    appendix_2.sheets[0].columns[0].area = None
    appendix_2.sheets[0].columns[9].measure = None
    cambridgeshire = demo_definitions()[2]
    cambridgeshire.sheets[0].columns[1].period = ""
    cambridgeshire.sheets[0].columns[2].period = "Q5"
    assert problems_of(appendix_2) == {
        "sheets[0].columns[0].area": "Column 'Blaby' is an area column but no area is chosen: choose the area its "
                                     "figures are for.",
        "sheets[0].columns[9].measure": "Column 'LLR target' is a measure column but no measure is chosen: choose "
                                        "value, target, comment or previous_year.",
    }
    problems = problems_of(cambridgeshire)
    assert problems["sheets[0].columns[1].period"] == (
        "Column 'Q2' is a period column but no period is chosen: choose one such as Q1, year or rolling_12_months.")
    assert problems["sheets[0].columns[2].period"].startswith("'Q5' is not a period reference we recognise.")


def test_two_columns_holding_the_same_figures(appendix_2):
    appendix_2.sheets[0].columns[1].area = "B"
    assert problems_of(appendix_2) == {
        "sheets[0].columns[1]": "Column 'Charnwood' holds the same figures as column 'Blaby' (B): each area, "
                                "period or measure may appear once.",
    }


def test_unknown_indicators_and_areas_when_the_known_sets_are_given(appendix_2):
    appendix_2.sheets[0].rows[0].indicator = "helpline-calls"
    appendix_2.sheets[0].columns[3].area = "HBX"
    problems = problems_of(appendix_2, known_indicators={"new-callers-to-the-helpline"}, known_areas={"B", "C"})
    assert problems["sheets[0].rows[0].indicator"] == (
        "There is no indicator 'helpline-calls': create it first or choose another.")
    assert problems["sheets[0].columns[3].area"] == (
        "There is no area with the code 'HBX': add the area first or choose another.")
    assert problems["sheets[0].columns[4].area"] == (
        "There is no area with the code 'M': add the area first or choose another.")
    assert "sheets[0].rows[1].indicator" not in problems


def test_without_known_sets_only_the_shape_of_slugs_and_codes_is_checked(appendix_2):
    appendix_2.sheets[0].rows[0].indicator = "Helpline calls"
    appendix_2.sheets[0].columns[0].area = "Blaby District Council"
    assert problems_of(appendix_2) == {
        "sheets[0].rows[0].indicator": "'Helpline calls' is not an indicator short name: use lower-case letters, "
                                       "numbers and hyphens.",
        "sheets[0].columns[0].area": "'Blaby District Council' is not an area code: use up to 12 letters or "
                                     "numbers, e.g. 'HB'.",
    }


def test_layout_shapes():
    rows = [RowSpec(label="Domestic Crimes", indicator="domestic-crimes")]
    defn = TemplateDefinition(slug="shapes", name="Shapes", sheets=[
        SheetLayout(name="By area", layout="indicator_by_area", rows=rows,
                    columns=[ColumnSpec(header="Q1", kind="period", period="Q1")]),
        SheetLayout(name="Pairs", layout="label_value", rows=rows, with_previous_year=True,
                    columns=[ColumnSpec(header="Value", kind="measure", measure="value")]),
        SheetLayout(name="By period", layout="indicator_by_period", rows=rows,
                    columns=[ColumnSpec(header="Blaby", kind="area", area="B")]),
        SheetLayout(name="By measure", layout="indicator_by_measure", rows=rows),
        SheetLayout(name="Odd", layout="pivot", rows=rows),
    ])
    assert problems_of(defn) == {
        "sheets[0].columns": "An indicator-by-area sheet needs at least one area column.",
        "sheets[0].columns[0].kind": "An indicator-by-area sheet takes its period from the return: put period "
                                     "columns on an indicator-by-period sheet.",
        "sheets[1].columns": "A label and value sheet has one value column of its own: remove the other columns.",
        "sheets[1].with_previous_year": "Only an indicator-by-period sheet can show the previous year beside each "
                                        "period.",
        "sheets[2].columns": "An indicator-by-period sheet needs at least one period column.",
        "sheets[2].columns[0].kind": "Area columns belong on an indicator-by-area sheet: set the area on the sheet "
                                     "or on the row instead.",
        "sheets[3].columns": "An indicator-by-measure sheet needs at least one column, e.g. Target, Performance "
                             "and Comment.",
        "sheets[4].layout": "Choose a layout: indicator rows × area columns; indicator rows × period columns; "
                            "indicator rows × measure columns; label and value pairs; the agency's own tables.",
    }


def test_a_row_cannot_fix_the_area_on_an_area_sheet(appendix_2):
    appendix_2.sheets[0].rows[0].area = "LC"
    assert problems_of(appendix_2) == {
        "sheets[0].rows[0].area": "The area columns of this sheet give the area: leave the row's area empty.",
    }


def test_empty_template_and_empty_sheet():
    assert problems_of(TemplateDefinition(slug="", name="", frequency="weekly", due_days=-1)) == {
        "slug": "Enter a short name for the template, e.g. 'appendix-2-da-sv-outputs'.",
        "name": "Enter the template's name.",
        "frequency": "Choose how often the return is made: quarterly, monthly, annual or span.",
        "due_days": "The deadline must be between 0 and 366 days after the period ends.",
        "sheets": "Add at least one sheet: a template with no sheets has nothing to fill in.",
    }
    defn = TemplateDefinition(slug="Bad Slug", name="x", agencies=["a", "a"],
                              sheets=[SheetLayout(name="S", layout="label_value")])
    assert problems_of(defn) == {
        "slug": "The short name may only use lower-case letters, numbers and single hyphens, at most 80 "
                "characters, e.g. 'bad-slug'.",
        "agencies[1]": "Agency 'a' is listed twice: remove one.",
        "sheets[0].rows": "Add at least one row: a sheet with no rows has nothing to fill in.",
    }


def test_a_row_needs_a_label_and_an_indicator(table_2):
    table_2.sheets[0].rows[0].label = " -- "
    table_2.sheets[0].rows[0].indicator = ""
    table_2.cross_rules.clear()
    assert problems_of(table_2) == {
        "sheets[0].rows[0].label": "Enter the row's label as it appears in the return.",
        "sheets[0].rows[0].indicator": "Choose the indicator this row reports.",
    }


def test_cross_rules_referring_to_rows_and_columns_that_do_not_exist(appendix_2):
    appendix_2.cross_rules = [
        CrossRule(kind="sum_equals", sheet="Appendix 2",
                  parts=[FieldSelector(column="Blaby"), FieldSelector(column="Rutland")],
                  total=FieldSelector(column="Total Leics County", row="Helpline calls")),
        CrossRule(kind="less_or_equal", sheet="Appendix 3", parts=[FieldSelector(row="x")]),
        CrossRule(kind="percent_range", sheet="Appendix 2", parts=[FieldSelector()],
                  total=FieldSelector(column="LLR figure"), tolerance=-1),
        CrossRule(kind="average", sheet="Appendix 2", parts=[FieldSelector(column="H'boro")]),
    ]
    assert problems_of(appendix_2) == {
        "cross_rules[0].parts[1].column": "There is no column headed 'Rutland' on sheet 'Appendix 2'.",
        "cross_rules[0].total.row": "There is no row labelled 'Helpline calls' on sheet 'Appendix 2'.",
        "cross_rules[1].sheet": "There is no sheet called 'Appendix 3'.",
        "cross_rules[1].total": "Choose the total the parts are checked against.",
        "cross_rules[2].tolerance": "The tolerance must be 0 or more.",
        "cross_rules[2].total": "A percentage range check has no total: clear it.",
        "cross_rules[2].parts[0]": "Choose a row, a column or both.",
        "cross_rules[3].kind": "Choose a kind of check: a total equals the sum of its parts, parts no more than a "
                               "total, or percentages within 0–100.",
    }


def test_cross_rule_selectors_accept_aliases_and_previous_year_headers():
    cambridgeshire = demo_definitions()[2]
    cambridgeshire.cross_rules.append(CrossRule(
        kind="less_or_equal", sheet="quarterly mi",
        parts=[FieldSelector(row="Bobby Scheme interventions", column="q1 (previous year)")],
        total=FieldSelector(row="Total number of domestic abuse incidents reported to the police", column="Q1"),
    ))
    assert problems_of(cambridgeshire) == {}


def test_two_rows_giving_the_same_figure(table_2):
    table_2.sheets[0].rows[1].indicator = table_2.sheets[0].rows[0].indicator
    assert problems_of(table_2) == {
        "sheets[0].rows[1].indicator": (
            "Row 'Service user experiences reduction in domestic violence - measured at exit' (Target) gives the "
            "same figure as row 'Service user feels safer following intervention - measured at exit' (Target) on "
            "sheet 'Table 2': indicator 'service-user-feels-safer-following-intervention-measured-at-exit', area "
            "LC: each figure may come from one cell only. Give one of the rows an area or another indicator."),
    }


def test_rows_of_one_indicator_for_different_areas_are_fine():
    cambridgeshire = demo_definitions()[2]
    rows = cambridgeshire.sheets[0].rows
    assert [r.indicator for r in rows[6:9]] == ["refuge-occupancy-rate"] * 3
    assert problems_of(cambridgeshire) == {}
    rows[7].area = "CAM"
    assert list(problems_of(cambridgeshire)) == ["sheets[0].rows[7].indicator"]
