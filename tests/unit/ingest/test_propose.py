"""Proposing a tables template from an agency's own spreadsheet (issue 14, part 3)."""
import json

import pytest

from app.definition import TemplateDefinition, definition_to_json, validate_definition
from app.ingest.propose import AreaName, IndicatorName, Vocabulary, propose_template
from app.ingest.read import SheetGrid, WorkbookData, parse_ref, read_workbook
from app.ingest.safety import SafetyLimits
from app.ingest.tables import read_tables
from app.periods import parse_period
from tests.unit.ingest.corpus_vocabulary import CORPUS, CORPUS_DIR, measure, partnership_vocabulary

Q4 = parse_period("2015/16 Q4")
VOCABULARY = Vocabulary(
    indicators=[IndicatorName("women-housed", "Women housed at the refuges", ("Women housed",)),
                IndicatorName("children-housed", "Children housed", ()),
                IndicatorName("occupancy-pct", "Refuge occupancy rate", ("Occupancy",), "percent")],
    areas=[AreaName("CAM", "Cambridge"), AreaName("HUNTS", "Huntingdonshire", ("Hunts",)),
           AreaName("CAMBS", "Cambridgeshire", (), "county")],
    agency_areas={"refuge-provider": "CAMBS"},
)


def workbook_of(cells: dict[str, object], name: str = "Refuges", **extra) -> WorkbookData:
    grid = SheetGrid(name, {parse_ref(ref): value for ref, value in cells.items()}, **extra)
    grid.n_rows = max(r for r, _ in grid.cells) + 1
    grid.n_cols = max(c for _, c in grid.cells) + 1
    return WorkbookData([grid], {}, set())


def propose(cells, period=Q4, **extra):
    workbook = workbook_of(cells, **extra)
    proposal = propose_template(workbook, agency="refuge-provider", period=period, vocabulary=VOCABULARY,
                                file_name="Refuge figures.xlsx")
    return workbook, proposal


def figures_of(workbook, proposal, period=Q4):
    sheet = proposal.definition.sheets[0]
    figures, _ = read_tables(workbook.sheets[0], sheet, period)
    return sorted((f.cell, f.indicator, f.area, f.period_key, f.measure) for f in figures if f.treat == "figure")


def test_indicators_as_rows_and_areas_as_columns_with_a_total_column():
    workbook, proposal = propose({
        "A1": "Refuge figures, 2015/16 Q4",
        "A3": "Measure", "B3": "Cambridge", "C3": "Hunts", "D3": "Total",
        "A4": "Women housed", "B4": 12, "C4": 15, "D4": 27,
        "A5": "Children housed", "B5": 20, "C5": 9, "D5": 29,
    })
    defn = proposal.definition
    assert (defn.slug, defn.name, defn.frequency, defn.agencies) == (
        "refuge-figures", "Refuge figures", "quarterly", ["refuge-provider"])
    table = defn.sheets[0].tables[0]
    assert (table.row_dimension, table.column_dimension, table.header_rows) == ("indicator", "area", 1)
    assert [(h.label, h.value, h.treat, h.check) for h in table.columns] == [
        ("Cambridge", "CAM", "figure", None), ("Hunts", "HUNTS", "figure", None), ("Total", None, "check_only", "sum")]
    assert table.fixed == {"measure": "value", "period": "period"}
    assert validate_definition(defn, known_indicators={"women-housed", "children-housed", "occupancy-pct"},
                               known_areas={"CAM", "HUNTS", "CAMBS"}) == []
    assert figures_of(workbook, proposal) == [
        ("B4", "women-housed", "CAM", "2015/16 Q4", "value"), ("B5", "children-housed", "CAM", "2015/16 Q4", "value"),
        ("C4", "women-housed", "HUNTS", "2015/16 Q4", "value"),
        ("C5", "children-housed", "HUNTS", "2015/16 Q4", "value")]
    assert proposal.sheets[0].unrecognised == []
    assert any("'Total': a total" in line for line in proposal.sheets[0].recognised)


def test_period_columns_a_change_column_and_an_unknown_indicator_left_out_and_reported():
    workbook, proposal = propose({
        "A3": "Measure", "B3": "2014/15", "C3": "2015/16", "D3": "% change",
        "A4": "Women housed", "B4": 40, "C4": 50, "D4": 0.25,
        "A5": "Bed nights", "B5": 900, "C5": 950, "D5": 0.06,
    }, period=parse_period("2015/16"))
    table = proposal.definition.sheets[0].tables[0]
    assert (table.row_dimension, table.column_dimension) == ("indicator", "period")
    assert [(h.pattern, h.treat, h.check) for h in table.columns] == [
        ("period", "figure", None), (None, "check_only", "percent_change")]
    assert [h.label for h in table.rows] == ["Women housed"]
    assert table.fixed == {"measure": "value", "area": "CAMBS"}
    assert proposal.definition.frequency == "annual"
    assert figures_of(workbook, proposal, parse_period("2015/16")) == [
        ("B4", "women-housed", "CAMBS", "2014/15", "value"), ("C4", "women-housed", "CAMBS", "2015/16", "value")]
    [unknown] = proposal.sheets[0].unrecognised
    assert "A5 'Bed nights' is not an indicator of the partnership" in unknown and "'bed-nights'" in unknown


def test_hidden_junk_column_is_ignored_and_a_title_cell_gives_the_period():
    workbook, proposal = propose({
        "A1": "Period: December 2015 to March 2016",
        "A3": "District", "B3": "Women housed", "C3": "Checked by", "D3": "Children housed",
        "A4": "Cambridge", "B4": 12, "C4": "ok", "D4": 15,
        "A5": "Huntingdonshire", "B5": 7, "C5": "ok", "D5": 4,
    }, hidden_cols={2})
    table = proposal.definition.sheets[0].tables[0]
    assert (table.row_dimension, table.column_dimension) == ("area", "indicator")
    assert [(h.label, h.treat) for h in table.columns] == [
        ("Women housed", "figure"), ("Checked by", "ignore"), ("Children housed", "figure")]
    assert table.title.pattern == r"Period:\s*(.+)" and "period" not in table.fixed
    figures = figures_of(workbook, proposal)
    assert ("B4", "women-housed", "CAM", "2015-12..2016-03", "value") in figures and len(figures) == 4


def test_stacked_period_blocks_become_one_table_with_a_block():
    workbook, proposal = propose({
        "A3": "2014/15",
        "A4": "Measure", "B4": "Cambridge", "C4": "Hunts",
        "A5": "Women housed", "B5": 1, "C5": 2,
        "A8": "2015/16",
        "A9": "Measure", "B9": "Cambridge", "C9": "Hunts",
        "A10": "Women housed", "B10": 3, "C10": 4,
    }, period=parse_period("2015/16"))
    [table] = proposal.definition.sheets[0].tables
    assert table.block.dimension == "period" and table.block.match == "period"
    assert figures_of(workbook, proposal, parse_period("2015/16")) == [
        ("B10", "women-housed", "CAM", "2015/16", "value"), ("B5", "women-housed", "CAM", "2014/15", "value"),
        ("C10", "women-housed", "HUNTS", "2015/16", "value"), ("C5", "women-housed", "HUNTS", "2014/15", "value")]


def test_a_merged_heading_over_repeated_sub_headings_makes_two_header_rows():
    vocabulary = Vocabulary(
        indicators=[IndicatorName(f"{what}-{risk}", f"{what} {risk} risk") for what in ("Referrals", "Closed")
                    for risk in ("High", "Medium")],
        areas=VOCABULARY.areas)
    workbook = workbook_of({
        "B3": "Referrals", "D3": "Closed",
        "A4": "District", "B4": "High risk", "C4": "Medium risk", "D4": "High risk", "E4": "Medium risk",
        "A5": "Cambridge", "B5": 1, "C5": 2, "D5": 3, "E5": 4,
    }, merged=[(2, 1, 2, 2), (2, 3, 2, 4)])
    proposal = propose_template(workbook, agency="x", period=Q4, vocabulary=vocabulary)
    table = proposal.definition.sheets[0].tables[0]
    assert table.header_rows == 2
    assert [h.value for h in table.columns] == ["Referrals-High", "Referrals-Medium", "Closed-High",
                                                "Closed-Medium"]


def test_a_percentage_held_as_a_fraction_is_scaled_and_a_sheet_with_nothing_known_proposes_nothing():
    _, proposal = propose({"A3": "Measure", "B3": "Q1", "C3": "Q2",
                           "A4": "Occupancy", "B4": 0.91, "C4": 0.87})
    [header] = proposal.definition.sheets[0].tables[0].rows
    assert header.transform.scale == 100 and header.rule.type == "percent"
    assert [h.value for h in proposal.definition.sheets[0].tables[0].columns] == ["Q1", "Q2"]
    _, proposal = propose({"A3": "Thing", "B3": "Other thing", "A4": "Widgets", "B4": 3})
    assert proposal.definition is None
    assert "any sheet" in proposal.reason


@pytest.mark.parametrize("with_aliases", [False, True], ids=["names", "aliases"])
@pytest.mark.parametrize("name", CORPUS)
def test_the_template_proposed_from_each_corpus_file_reads_nothing_wrong(name, with_aliases):
    expected = json.loads((CORPUS_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))
    workbook, _ = read_workbook((CORPUS_DIR / expected["file"]).read_bytes(), SafetyLimits())
    vocabulary = partnership_vocabulary(with_aliases)
    proposal = propose_template(workbook, agency=expected["agency"], period=parse_period(expected["period"]),
                                vocabulary=vocabulary, file_name=expected["file"])
    defn = None
    if proposal.definition is not None:
        defn = TemplateDefinition.from_dict(json.loads(definition_to_json(proposal.definition)))
        assert validate_definition(defn, known_indicators={i.slug for i in vocabulary.indicators},
                                   known_areas={a.code for a in vocabulary.areas}) == []
    result = measure(defn, workbook, expected)
    assert result.wrong == []
    print(f"{name}: {result.correct}/{result.expected} ({result.share:.0%})")
