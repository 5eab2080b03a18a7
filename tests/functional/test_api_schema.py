"""Schemathesis against the API's own OpenAPI document (issue 20): requests generated from
the document, with a valid officer's token on the demo partnership, must never meet a
server error, and every answer must be one the document describes (status, content type,
body schema). The examples are bounded and derandomized, so the run is the same each
time and takes seconds; API_FUZZ_EXAMPLES=200 looks harder."""
import os
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance, response_schema_conformance, status_code_conformance,
)

from app.services.api_tokens import issue_token
from app.store.reference import agencies_by_slug
from tests.unit.ingest.returns import LWA

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", 12))
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def token(app, demo) -> str:
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # the fuzzing is to reach the endpoints, not the limit
    agency = agencies_by_slug([LWA])[LWA]
    _, secret = issue_token({"name": "fuzz", "role": "officer", "agency_id": agency.id,
                             "expires_on": date.today() + timedelta(days=30)}, None)
    return secret


def api_schema(app):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    return schema.include(path_regex="^/api/v1/(templates|returns|submissions|indicators)")


def fuzz(app, mode: GenerationMode, headers: dict, examples: int) -> list[int]:
    """Run ``examples`` generated requests over every operation; the statuses met."""
    statuses = []

    @given(case=api_schema(app).as_strategy(mode))
    @settings(max_examples=examples, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck), database=None)
    def run(case):
        statuses.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    run()
    return statuses


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_answers_as_its_document_says(app, token, mode):
    statuses = fuzz(app, mode, {"Authorization": f"Bearer {token}"}, EXAMPLES * 6)
    assert len(statuses) > EXAMPLES and 500 not in statuses
    assert set(statuses) & {200, 422}  # the token got in: not every answer is a refusal


def test_without_a_token_every_endpoint_answers_401_as_documented(app, demo):
    statuses = fuzz(app, GenerationMode.POSITIVE, {}, EXAMPLES)
    assert set(statuses) == {401}
