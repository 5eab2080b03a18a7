"""Definitions as JSON: dump → load → dump is byte-identical, and bad JSON is explained."""
import json

import pytest

from app.definition import (
    DefinitionError,
    FieldRule,
    TemplateDefinition,
    definition_from_json,
    definition_to_json,
)
from app.demo.templates import demo_definitions


def dump(defn: TemplateDefinition) -> str:
    return json.dumps(defn.to_dict(), indent=2, sort_keys=True)


@pytest.mark.parametrize("defn", demo_definitions(), ids=lambda d: d.slug)
def test_round_trip_is_byte_identical(defn):
    first = dump(defn)
    loaded = TemplateDefinition.from_dict(json.loads(first))
    assert dump(loaded) == first
    assert loaded == defn
    assert definition_to_json(definition_from_json(definition_to_json(defn))) == definition_to_json(defn)


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
