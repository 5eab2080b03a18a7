"""Proposing a tables template from an agency's own spreadsheet (issue 14, part 3)."""
import json

import pytest

from app.definition import TemplateDefinition, definition_to_json, validate_definition
from app.ingest.propose import AreaName, IndicatorName, Vocabulary, propose_template
from app.ingest.read import SheetGrid, WorkbookData, parse_ref, read_workbook
from app.ingest.safety import SafetyLimits
from app.ingest.tables import apply_transform, blank_means, read_tables
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


BUDGET = Vocabulary(
    indicators=[IndicatorName("csp-council", "CSP fund: council contribution", (), "money"),
                IndicatorName("csp-grant", "CSP fund: grant from the Police and Crime Commissioner", (), "money"),
                IndicatorName("csp-shortfall", "CSP fund shortfall (negative: a surplus)", (), "money"),
                IndicatorName("dhr-shortfall", "DHR budget shortfall (negative: a surplus)", (), "money"),
                IndicatorName("da-crimes", "Domestic abuse crimes recorded by the police"),
                IndicatorName("da-arrests", "Arrest rate for domestic abuse crimes", (), "percent")],
    areas=VOCABULARY.areas, agency_areas={"council": "CAM"})


def propose_budget(cells, sheet="Sheet1"):
    workbook = workbook_of(cells, name=sheet)
    return workbook, propose_template(workbook, agency="council", period=parse_period("2016/17"), vocabulary=BUDGET)


def test_a_surplus_shortfall_row_is_the_shortfall_indicator_the_titles_name_stored_with_its_sign_turned():
    cells = {"A3": "Line", "B3": "Actual",
             "A4": "Council contribution", "B4": 10000, "A5": "Grant from the PCC", "B5": 45000,
             "A6": "Surplus/(shortfall)", "B6": -3250.5}
    workbook, proposal = propose_budget({"A1": "Community Safety Partnership fund outturn", **cells}, sheet="CSP fund")
    rows = {h.label: h for h in proposal.definition.sheets[0].tables[0].rows}
    # "PCC" is spelled out in the indicator's name; two shortfall indicators: the sheet's name says which.
    assert {label: h.value for label, h in rows.items()} == {
        "Council contribution": "csp-council", "Grant from the PCC": "csp-grant",
        "Surplus/(shortfall)": "csp-shortfall"}
    assert rows["Surplus/(shortfall)"].transform.sign == -1 and rows["Council contribution"].transform.sign == 1
    [shortfall] = [f for f in read_tables(workbook.sheets[0], proposal.definition.sheets[0], parse_period("2016/17"))[0]
                   if f.cell == "B6"]
    assert apply_transform(shortfall.raw, shortfall.transforms) == 3250.5
    assert any("'Surplus/(shortfall)': stored as the shortfall" in line for line in proposal.sheets[0].recognised)

    # Nothing on the sheet says whose shortfall it is: left out, not guessed.
    _, proposal = propose_budget(cells)
    assert [h.label for h in proposal.definition.sheets[0].tables[0].rows] == [
        "Council contribution", "Grant from the PCC"]
    assert any("A6 'Surplus/(shortfall)' is not an indicator" in line for line in proposal.sheets[0].unrecognised)


def test_a_short_label_is_the_indicator_whose_name_begins_with_it_and_an_acronym_counts_spelled_out():
    _, proposal = propose_budget({"A3": "Measure", "B3": "2016/17",
                                  "A4": "Domestic abuse crimes", "B4": 310,
                                  "A5": "Arrest rate for DA crimes", "B5": 0.31})
    table = proposal.definition.sheets[0].tables[0]
    assert [(h.label, h.value) for h in table.rows] == [("Domestic abuse crimes", "da-crimes"),
                                                       ("Arrest rate for DA crimes", "da-arrests")]
    assert table.rows[1].transform.scale == 100  # a percentage held as a fraction
    assert sum("a guess from its words: check it" in line for line in proposal.sheets[0].recognised) == 2


def test_rows_of_measures_under_a_heading_naming_the_indicator_the_title_tells_apart():
    vocabulary = Vocabulary(
        indicators=[IndicatorName("llr-occupancy", "Refuge occupancy rate (LLR)", (), "percent"),
                    IndicatorName("cambs-occupancy", "Refuge occupancy rate", (), "percent")],
        areas=VOCABULARY.areas, agency_areas={"refuge-provider": "CAMBS"})
    workbook = workbook_of({"A1": "LLR refuge service: occupancy",
                            "A3": "Occupancy", "B3": "Q1", "C3": "Q2",
                            "A4": "Occupancy target", "B4": 90, "C4": 90,
                            "A5": "Occupancy achieved", "B5": 89, "C5": 91})
    proposal = propose_template(workbook, agency="refuge-provider", period=Q4, vocabulary=vocabulary)
    table = proposal.definition.sheets[0].tables[0]
    assert (table.row_dimension, table.column_dimension) == ("measure", "period")
    assert table.fixed["indicator"] == "llr-occupancy"
    assert figures_of(workbook, proposal)[:2] == [("B4", "llr-occupancy", "CAMBS", "2015/16 Q1", "target"),
                                                  ("B5", "llr-occupancy", "CAMBS", "2015/16 Q1", "value")]


def test_a_blank_a_note_calls_not_available_is_proposed_as_not_available():
    cells = {"A1": "Women housed, by district",
             "A3": "Quarter", "B3": "Cambridge", "C3": "Hunts",
             "A4": "Q1", "B4": 3, "C4": 4, "A5": "Q2", "C5": 6, "A6": "Q3", "B6": 5, "C6": 2}
    workbook, proposal = propose({**cells, "A8": "Cambridge Q2 not available: the worker was off sick."})
    table = proposal.definition.sheets[0].tables[0]
    assert [(h.label, h.transform.blank) for h in table.columns] == [("Cambridge", "not_available"),
                                                                     ("Hunts", "not_returned")]
    [blank] = [f for f in read_tables(workbook.sheets[0], proposal.definition.sheets[0], Q4)[0] if f.cell == "B5"]
    assert blank.raw is None and blank_means(blank.transforms) == "not_available"
    _, proposal = propose(cells)  # no note: a blank is nothing returned
    assert {h.transform.blank for h in proposal.definition.sheets[0].tables[0].columns} == {"not_returned"}


def test_a_block_whose_heading_names_no_indicator_is_left_out_not_read_as_repeats_of_the_block_above():
    workbook, proposal = propose({
        "A3": "Women housed",
        "A4": "District", "B4": "Q1", "C4": "Q2",
        "A5": "Cambridge", "B5": 1, "C5": 2, "A6": "Hunts", "B6": 3, "C6": 4,
        "A9": "Bed nights",
        "A10": "District", "B10": "Q1", "C10": "Q2",
        "A11": "Cambridge", "B11": 50, "C11": 60, "A12": "Hunts", "B12": 70, "C12": 80})
    [table] = proposal.definition.sheets[0].tables
    assert [(h.label, h.value, h.treat) for h in table.block.block_values] == [
        ("Women housed", "women-housed", "figure"), ("Bed nights", None, "ignore")]
    figures, problems = read_tables(workbook.sheets[0], proposal.definition.sheets[0], Q4)
    assert sorted(f.cell for f in figures) == ["B5", "B6", "C5", "C6"] and problems == []
    assert any("A9 'Bed nights' is not an indicator" in line for line in proposal.sheets[0].unrecognised)


def test_a_bare_total_beside_other_labels_is_the_total_indicator_of_their_words():
    reviews = Vocabulary(
        indicators=[IndicatorName("reviews", "Reviews expected this year", (), "ratio"),
                    IndicatorName("cost", "Estimated cost per review", (), "money"),
                    IndicatorName("total-cost", "Total expected cost of reviews", (), "money"),
                    IndicatorName("crime", "Total recorded crime")],
        areas=VOCABULARY.areas, agency_areas={"council": "CAM"})
    cells = {"A1": "Reviews", "A3": "Reviews expected", "B3": 2, "C3": "Cost per review", "D3": 7500,
             "E3": "Total", "F3": 15000}
    workbook = workbook_of(cells)
    proposal = propose_template(workbook, agency="council", period=parse_period("2017/18"), vocabulary=reviews)
    tables = proposal.definition.sheets[0].tables
    assert [(t.rows[0].label, t.rows[0].value, t.columns[0].offset) for t in tables] == [
        ("Reviews expected", "reviews", 1), ("Cost per review", "cost", 1), ("Total", "total-cost", 1)]
    assert "E3 'Total': the indicator 'Total expected cost of reviews' (a guess from its words: check it), its " \
           "value beside it." in proposal.sheets[0].recognised
    # A total of nothing the row names: left out, said so.
    reviews.indicators = [i for i in reviews.indicators if i.slug != "total-cost"]
    proposal = propose_template(workbook, agency="council", period=parse_period("2017/18"), vocabulary=reviews)
    assert [t.rows[0].value for t in proposal.definition.sheets[0].tables] == ["reviews", "cost"]
    assert any("E3 'Total': a total beside other figures" in line for line in proposal.sheets[0].unrecognised)


def corpus_result(name: str, with_aliases: bool):
    """The template proposed from a corpus file itself, with no admin edits, measured on the file."""
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
    return expected, measure(defn, workbook, expected)


@pytest.fixture(scope="module")
def corpus_results():
    return {(name, aliases): corpus_result(name, aliases) for name in CORPUS for aliases in (False, True)}


@pytest.mark.parametrize("with_aliases", [False, True], ids=["names", "aliases"])
@pytest.mark.parametrize("name", CORPUS)
def test_the_template_proposed_from_each_corpus_file_reads_nothing_wrong(corpus_results, name, with_aliases):
    """Nothing read wrongly, and nothing that would stop the file being stored; with the
    partnership's aliases, at least 90% of the file's figures read (issue 14, "Done when")."""
    _, result = corpus_results[(name, with_aliases)]
    assert result.wrong == []
    assert result.errors == []
    if with_aliases:
        assert result.share >= 0.9, f"{name}: {result.correct}/{result.expected}"


def test_the_corpus_table(corpus_results, capsys):
    """The README's table (``pytest -s`` prints it): per file, figures read correctly."""
    lines = ["| file | figures | names: read correctly | aliases: read correctly | wrong (either) |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for name in CORPUS:
        expected, names = corpus_results[(name, False)]
        _, aliases = corpus_results[(name, True)]
        lines.append(f"| `{expected['file']}` | {names.expected} | {names.correct} ({names.share:.0%}) | "
                     f"{aliases.correct} ({aliases.share:.0%}) | {len(names.wrong) + len(aliases.wrong)} |")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert len(lines) == len(CORPUS) + 2
