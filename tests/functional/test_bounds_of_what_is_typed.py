"""Issue 15, Bounds: a 400-digit integer, NaN, infinity, money of 1e308 or deeply nested
JSON typed into any form, or loaded with ``flask templates load``, gets a 400 (exit 1)
with a message naming the field, never a 500 or a traceback."""
import json

import pytest

from tests.conftest import DEMO_ADMIN, DEMO_DHR, signed_in
from tests.functional.test_import_web import text_of

SLUG = "appendix-2-da-sv-outputs"
DIGITS_400 = "9" * 400


def demo_definition(client) -> dict:
    return json.loads(client.get(f"/templates/{SLUG}/definition.json").data)


def with_rule_min(definition: dict, number) -> dict:
    definition["sheets"][0]["rows"][0]["rule"]["min"] = number
    return definition


NESTED = "[" * 100_000 + "]" * 100_000


@pytest.mark.parametrize("text, message", [
    (lambda d: NESTED, "This JSON is nested more than 64 levels deep"),
    (lambda d: json.dumps(with_rule_min(d, float("nan"))),
     "This JSON holds NaN, which is not a number a template can hold"),
    (lambda d: json.dumps(with_rule_min(d, float("inf"))), "This JSON holds Infinity"),
    (lambda d: json.dumps(with_rule_min(d, 10**399)),
     "'min' should be a number between -1,000,000,000,000 and 1,000,000,000,000, or null"),
    (lambda d: json.dumps(with_rule_min(d, 1e308)), "'min' should be a number between -1,000,000,000,000"),
    (lambda d: json.dumps({**d, "due_days": 10**399}),
     "'due_days' should be a whole number no larger than 2,147,483,647"),
    (lambda d: json.dumps(d).replace('"due_days": 28', '"due_days": ' + "9" * 5000),
     "This JSON holds a number with thousands of digits"),
])
def test_the_json_editor_and_templates_load_refuse_absurd_json_with_a_message(client, runner, demo, tmp_path,
                                                                               text, message):
    admin = signed_in(client, DEMO_ADMIN)
    body = text(demo_definition(admin))
    response = admin.post(f"/templates/{SLUG}/json", data={"definition": body})
    assert response.status_code == 400 and message in text_of(response)
    path = tmp_path / "template.json"
    path.write_text(body)
    loaded = runner.invoke(args=["templates", "load", str(path)])
    assert loaded.exit_code == 1 and message in loaded.output and "Traceback" not in loaded.output


@pytest.mark.parametrize("url, data, message", [
    ("/admin/areas/1", {"name": "Leicestershire", "code": "LC", "kind": "county", "population": DIGITS_400},
     "Population must be a whole number no larger than 2,147,483,647"),
    ("/admin/areas/1", {"name": "Leicestershire", "code": "LC", "kind": "county", "population_year": DIGITS_400},
     "must be a whole number no larger than 2,147,483,647"),
    ("/admin/indicators/1", {"rag_green_within": "NaN"}, "as a number, for example 3.2"),
    ("/admin/indicators/1", {"rag_amber_within": "1e308"}, "must be a number between -1,000,000,000,000 and"),
    ("/performance/indicators/1/peers", {"period": "2015/16", "label": "England", "value": "1e308"},
     "Figure must be a number between -1,000,000,000,000 and 1,000,000,000,000"),
    ("/performance/indicators/1/peers", {"period": "2015/16", "label": "England", "value": "NaN"},
     "Enter figure as a number, for example 3.2"),
    ("/performance/indicators/1/peers", {"period": "2015/16", "label": "England", "value": DIGITS_400},
     "Figure must be a number between"),
    (f"/templates/{SLUG}/sheets/0/rows/0", {"rule_min": "-Infinity"}, "as a number, for example 3.2"),
    (f"/templates/{SLUG}/sheets/0/rows/0", {"rule_max": DIGITS_400}, "Highest value allowed must be a number between"),
    (f"/templates/{SLUG}/checks/new", {"tolerance": "NaN"}, "as a number, for example 3.2"),
    (f"/templates/{SLUG}/settings", {"due_days": DIGITS_400}, "must be a whole number no larger than 2,147,483,647"),
    # An id beyond what PostgreSQL's integer key holds is no row's: on PostgreSQL the lookup itself failed (a 500).
    ("/dhr/cases/3/edit", {"pseudonym": "AB", "area_id": "-8031971873718"}, "Select an area from the list."),
    ("/dhr/cases/3/edit", {"pseudonym": "AB", "area_id": DIGITS_400}, "Select an area from the list."),
])
def test_numbers_beyond_any_sense_in_a_form_get_a_400_naming_the_field(client, demo, url, data, message):
    admin = signed_in(client, DEMO_ADMIN)
    response = admin.post(url, data=data)
    assert response.status_code == 400, text_of(response)[:300]
    assert message in text_of(response)


@pytest.mark.parametrize("url, data, message", [
    ("/dhr/budget/2016/costs/new", {"label": "Chair", "kind": "chair", "amount": "1e308"},
     "Enter the amount as no more than £9,999,999,999.99"),
    ("/dhr/budget/2016/costs/new", {"label": "Chair", "kind": "chair", "amount": DIGITS_400},
     "Enter the amount as no more than £9,999,999,999.99"),
    ("/dhr/budget/2016/edit", {"opening_reserve": "£1e308", "reviews_expected": "2", "cost_per_review": "1",
                               "fixed_support": "1"}, "Enter the opening reserve as no more than £9,999,999,999.99"),
    ("/dhr/budget/2016/edit", {"opening_reserve": "1", "reviews_expected": "1e308", "cost_per_review": "1",
                               "fixed_support": "1"}, "Enter the number of reviews expected as no more than 9,999.99"),
    ("/dhr/budget/2016/edit", {"opening_reserve": "NaN", "reviews_expected": "2", "cost_per_review": "1",
                               "fixed_support": "1"}, "Enter the opening reserve as a number"),
])
def test_dhr_money_of_1e308_gets_a_400_naming_the_field(client, demo, url, data, message):
    dhr = signed_in(client, DEMO_DHR)
    response = dhr.post(url, data=data)
    assert response.status_code == 400, text_of(response)[:300]
    assert message in text_of(response)


def test_an_id_in_a_url_beyond_a_database_key_is_a_404(client, demo):
    # Up to 2**63 the URL took it; PostgreSQL then refused to compare its integer key with it (a 500).
    admin = signed_in(client, DEMO_ADMIN)
    for path in (f"/admin/users/{2**31}", f"/returns/submissions/{3_000_000_000}", f"/admin/areas/{2**62}"):
        response = admin.get(path)
        assert response.status_code == 404, path


@pytest.mark.parametrize("template_id", ["9223372036854775808", "2147483648", "²"])
def test_a_schedule_start_for_a_template_id_no_row_can_have_is_a_404(client, demo, template_id):
    # Found by the form fuzzer: an id beyond what the database holds was an overflow (a 500).
    admin = signed_in(client, DEMO_ADMIN)
    response = admin.post("/performance/schedule/start", data={"template_id": template_id,
                                                               "schedule_from": "2015/16 Q1"})
    assert response.status_code == 404
