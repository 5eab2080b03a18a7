"""The demo templates (the five seed tables and the police's crime rates): valid, each for
its agency, with slugs from the seed labels."""
from app.definition import validate_definition
from app.demo.templates import DEMO_INDICATOR_SLUGS, demo_definitions


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
        "police-crime-rates": ["leicestershire-police"],  # so every demo officer's agency submits one
    }
    layouts = [d.sheets[0].layout for d in demo_definitions()]
    assert layouts == ["indicator_by_area", "indicator_by_measure", "indicator_by_period",
                       "indicator_by_measure", "label_value", "label_value"]


def test_demo_indicator_slugs_follow_the_seed_labels():
    assert DEMO_INDICATOR_SLUGS["Helpline calls received"] == "helpline-calls-received"
    assert DEMO_INDICATOR_SLUGS["Refuge occupancy rate - Hunts"] == "refuge-occupancy-rate"
    assert DEMO_INDICATOR_SLUGS["% of IDVA clients that are 'repeat' clients"] == \
        "percent-of-idva-clients-that-are-repeat-clients"
    assert all(len(slug) <= 80 for slug in DEMO_INDICATOR_SLUGS.values())
    used = {row.indicator for d in demo_definitions() for s in d.sheets for row in s.rows}
    assert used == set(DEMO_INDICATOR_SLUGS.values())
