"""with_partnership_names: a template also reads the partnership's names for its areas and
indicators, without changing the stored definition."""
import copy

from app.definition import definition_to_json
from app.definition.vocabulary import with_partnership_names
from tests.unit.ingest.returns import APPENDIX_2_SLUG, definition


def _sheet(defn):
    return defn.sheets[0]


def _column(defn, area):
    return next(c for c in _sheet(defn).columns if c.kind == "area" and c.area == area)


def _row(defn, indicator):
    return next(r for r in _sheet(defn).rows if r.indicator == indicator)


def test_area_columns_and_rows_gain_the_partnership_names_and_the_definition_is_unchanged():
    defn = definition(APPENDIX_2_SLUG)
    before = definition_to_json(defn)
    named = with_partnership_names(
        defn,
        {"helpline-calls-received": ["Calls to the helpline", "Helpline calls"]},
        {"NW": ["North West Leicestershire", "NWL District Council"], "B": ["Blaby District"]},
    )
    assert definition_to_json(defn) == before
    assert _column(named, "NW").aliases == ["NWLDC", "NWL District Council"]  # its own header is not repeated
    assert _column(named, "B").aliases == ["Blaby District"]
    assert _row(named, "helpline-calls-received").aliases[-2:] == ["Calls to the helpline", "Helpline calls"]
    # Labels, headers and keys are untouched: field ids stay the same.
    assert [r.key for r in _sheet(named).rows] == [r.key for r in _sheet(defn).rows]
    assert [c.key for c in _sheet(named).columns] == [c.key for c in _sheet(defn).columns]
    assert _column(defn, "NW").aliases == ["NWLDC"]


def test_a_name_that_another_row_or_column_already_goes_by_is_not_added():
    defn = definition(APPENDIX_2_SLUG)
    rows = _sheet(defn).rows
    named = with_partnership_names(
        defn,
        # The first indicator "also called" the second row's label: that would take the second row's figures.
        {rows[0].indicator: [rows[1].label, "  "]},
        # LLR's measure column is headed "LLR target": the area LLR may not take that name.
        {"B": ["charnwood"], "LLR": ["LLR target"]},
    )
    assert _row(named, rows[0].indicator).aliases == rows[0].aliases
    assert _column(named, "B").aliases == []
    assert _column(named, "LLR").aliases == ["LLR"]


def test_a_name_offered_to_two_rows_names_neither():
    defn = definition(APPENDIX_2_SLUG)
    twice = copy.deepcopy(defn)
    first, second = _sheet(twice).rows[:2]
    second.indicator = first.indicator  # one indicator on two rows (one per area, say)
    named = with_partnership_names(twice, {first.indicator: ["Calls"]}, {})
    assert "Calls" not in _sheet(named).rows[0].aliases
    assert "Calls" not in _sheet(named).rows[1].aliases
