"""Definitions as JSON: dump → load → dump is byte-identical, and bad JSON is explained."""
import json

import pytest

from app.definition import (
    DEMO_INDICATOR_SLUGS,
    DefinitionError,
    FieldRule,
    TemplateDefinition,
    definition_from_json,
    definition_to_json,
    demo_definitions,
    validate_definition,
)


def dump(defn: TemplateDefinition) -> str:
    return json.dumps(defn.to_dict(), indent=2, sort_keys=True)


@pytest.mark.parametrize("defn", demo_definitions(), ids=lambda d: d.slug)
def test_round_trip_is_byte_identical(defn):
    first = dump(defn)
    loaded = TemplateDefinition.from_dict(json.loads(first))
    assert dump(loaded) == first
    assert loaded == defn
    assert definition_to_json(definition_from_json(definition_to_json(defn))) == definition_to_json(defn)


def test_demo_definitions_are_valid_against_the_demo_areas_and_indicators():
    areas = {"B", "C", "H", "HB", "M", "NW", "O", "LC", "LLR", "CAMBS", "CAM", "HUNTS", "FEN", "ROTH", "RUT"}
    for defn in demo_definitions():
        assert validate_definition(defn, known_indicators=set(DEMO_INDICATOR_SLUGS.values()), known_areas=areas) == []


def test_demo_templates_and_agencies():
    assert {d.slug: d.agencies for d in demo_definitions()} == {
        "appendix-2-da-sv-outputs": ["living-without-abuse"],
        "table-2-da-sv-outcomes": ["living-without-abuse"],
        "cambridgeshire-da-quarterly": ["cambridgeshire-idva"],
        "rotherham-table-4": ["rotherham-council"],
        "dhr-budget-return": ["leicestershire-county-council"],
    }
    layouts = [d.sheets[0].layout for d in demo_definitions()]
    assert layouts == ["indicator_by_area", "indicator_by_measure", "indicator_by_period",
                       "indicator_by_measure", "label_value"]


def test_demo_indicator_slugs_follow_the_seed_labels():
    assert DEMO_INDICATOR_SLUGS["Helpline calls received"] == "helpline-calls-received"
    assert DEMO_INDICATOR_SLUGS["Refuge occupancy rate - Hunts"] == "refuge-occupancy-rate"
    assert DEMO_INDICATOR_SLUGS["% of IDVA clients that are 'repeat' clients"] == \
        "percent-of-idva-clients-that-are-repeat-clients"
    assert all(len(slug) <= 80 for slug in DEMO_INDICATOR_SLUGS.values())
    used = {row.indicator for d in demo_definitions() for s in d.sheets for row in s.rows}
    assert used == set(DEMO_INDICATOR_SLUGS.values())


def test_whole_floats_are_written_as_integers():
    """An editor that posts 0.0 and a JSON file with 0 give the same text."""
    assert FieldRule(min=0.0, max=100.0).to_dict() == FieldRule(min=0, max=100).to_dict()
    assert json.dumps(FieldRule(min=0.0, max=12.5).to_dict()["max"]) == "12.5"
    assert json.dumps(FieldRule(min=0.0).to_dict()["min"]) == "0"


def test_missing_keys_take_their_defaults():
    defn = TemplateDefinition.from_dict({
        "slug": "t", "name": "T",
        "sheets": [{"name": "S", "layout": "label_value", "rows": [{"label": "A", "indicator": "a"}]}],
    })
    assert defn.frequency == "quarterly" and defn.due_days == 28
    assert defn.sheets[0].note_column is True
    assert defn.sheets[0].rows[0].rule == FieldRule()


def test_structural_problems_are_all_listed_with_their_paths():
    data = demo_definitions()[0].to_dict()
    data["due_days"] = "soon"
    data["colour"] = "blue"
    data["sheets"][0]["rows"][2]["rule"]["min"] = "zero"
    data["sheets"][0]["columns"][1]["aliases"] = "C/wood"
    data["cross_rules"][0]["parts"][0] = ["Blaby"]
    with pytest.raises(DefinitionError) as caught:
        TemplateDefinition.from_dict(data)
    problems = {p.path: p.message for p in caught.value.problems}
    assert problems == {
        "due_days": "'due_days' should be a whole number.",
        "colour": "Unknown setting 'colour': remove it.",
        "sheets[0].rows[2].rule.min": "'min' should be a number or null.",
        "sheets[0].columns[1].aliases": "'aliases' should be a list.",
        "cross_rules[0].parts[0]": "A field selector should be a JSON object.",
    }


def test_text_that_is_not_json_is_explained():
    with pytest.raises(DefinitionError) as caught:
        definition_from_json('{"slug": ')
    assert caught.value.problems[0].message.startswith("This is not valid JSON (line 1")
