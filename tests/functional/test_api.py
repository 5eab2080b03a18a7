"""Issue 20 through the API's own doors: an admin issues a token on the admin page; the
agency's system lists its templates, submits the Appendix 2 figures as values (a dry run,
then for real), and they are stored exactly as an upload of the same figures stores them;
a resubmission supersedes and says what changed; refused tokens are refused and audited."""
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from app import create_app
from app.extensions import db
from app.models import Agency, ApiRequestCount, ApiToken, AuditEvent, DataValue, Indicator, Submission, Target
from app.models.base import utcnow
from app.services.throttle import parse_rate
from app.store.submissions import changes_between
from app.vocabulary import RAG_NAMES, RAGS
from tests.conftest import DEMO_ADMIN, DEMO_LWA_OFFICER, DEMO_SUBMISSIONS, signed_in
from tests.functional.test_import_web import preview_url, text_of, upload
from tests.unit.ingest.returns import APPENDIX_2_SLUG, LWA, SEED_PERIOD, filled, seed_cells

SECRET = re.compile(r"sr_[A-Za-z0-9_-]{20,}")


def issue(client, name="LWA case system", role="officer", agency=LWA) -> str:
    """The token an admin issues on the admin page (shown once)."""
    admin = signed_in(client, DEMO_ADMIN)
    agency_id = db.session.scalar(select(Agency.id).where(Agency.slug == agency)) if agency else ""
    page = admin.post("/admin/api-tokens", data={
        "name": name, "role": role, "agency_id": agency_id,
        "expires_on": (date.today() + timedelta(days=90)).strftime("%d/%m/%Y")})
    assert page.status_code == 200, page.data[-3000:]
    [secret] = set(SECRET.findall(page.get_data(as_text=True)))
    admin.post("/sign-out")
    assert SECRET.search(client.get("/admin/api-tokens").get_data(as_text=True)) is None  # shown once only
    return secret


def bearer(secret: str) -> dict:
    return {"Authorization": f"Bearer {secret}"}


def appendix_2_values(client, secret, edits=None) -> dict:
    """Field id → figure, for every field the API lists for Appendix 2, from the seed board
    paper's table (with ``edits``: cell → figure)."""
    listed = client.get("/api/v1/templates", query_string={"period": SEED_PERIOD}, headers=bearer(secret))
    assert listed.status_code == 200, listed.json
    [template] = [t for t in listed.json["items"] if t["slug"] == APPENDIX_2_SLUG]
    figures = {**seed_cells(), **(edits or {})}
    return {f["id"]: figures[f["cell"]] for f in template["fields"] if f["cell"] in figures}


def stored_rows(submission_id: int) -> list[tuple]:
    """Every figure and target a submission stored, as an upload's would be compared."""
    values = db.session.execute(
        select(Indicator.slug, DataValue.area_id, DataValue.period_id, DataValue.value, DataValue.flag,
               DataValue.note, DataValue.sheet, DataValue.cell, DataValue.agency_id)
        .join(Indicator, DataValue.indicator_id == Indicator.id).where(DataValue.submission_id == submission_id)
        .order_by(DataValue.sheet, DataValue.cell)).all()
    targets = db.session.execute(
        select(Target.indicator_id, Target.area_id, Target.period_id, Target.value, Target.sheet, Target.cell)
        .where(Target.submission_id == submission_id).order_by(Target.cell)).all()
    return [tuple(v) for v in values] + [("target", *t) for t in targets]


def submissions() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def test_appendix_2_through_the_api_is_stored_as_an_upload_stores_it(client, demo):
    secret = issue(client)
    values = appendix_2_values(client, secret)
    assert len(values) == 70  # 63 figures and the 7 LLR targets of the seed table

    body = {"template": APPENDIX_2_SLUG, "period": SEED_PERIOD, "values": values}
    dry = client.post("/api/v1/returns", json={**body, "dry_run": True}, headers=bearer(secret))
    assert dry.status_code == 200, dry.json
    assert (dry.json["outcome"], dry.json["submission_id"], dry.json["problems"]) == ("dry_run", None, [])
    assert len(dry.json["figures"]) == 70 and submissions() == DEMO_SUBMISSIONS
    c6 = next(f for f in dry.json["figures"] if f["cell"] == "C6")
    assert (c6["indicator"], c6["area"], c6["value"], c6["period_key"]) == (
        "Helpline calls received", "Blaby", 39, "2015-12..2016-03")

    stored = client.post("/api/v1/returns", json=body, headers=bearer(secret))
    assert stored.status_code == 200, stored.json
    api_id = stored.json["submission_id"]
    # It replaces the Appendix 2 the demo recorded as received on 25 April 2016.
    demo_return = db.session.scalar(select(Submission.id).where(
        Submission.source == "demo", Submission.template.has(slug="appendix-2-da-sv-outputs")))
    assert (stored.json["outcome"], stored.json["supersedes"], stored.json["figures"]) == (
        "stored", demo_return, dry.json["figures"])
    by_api = db.session.get(Submission, api_id)
    assert (by_api.status, by_api.agency.slug, by_api.uploaded_by_id, by_api.api_token.name) == (
        "current", LWA, None, "LWA case system")
    assert by_api.filename == "API request by token 'LWA case system'.json"
    api_rows = stored_rows(api_id)
    assert len(api_rows) == 70
    # The request is the return's original: what the agency's system sent, downloadable.
    officer = signed_in(client, DEMO_LWA_OFFICER)
    original = officer.get(f"/returns/submissions/{api_id}/original")
    assert original.status_code == 200 and original.mimetype == "application/json"
    assert original.json == body
    assert "Uploaded by the API token 'LWA case system' on" in text_of(officer.get(f"/returns/submissions/{api_id}"))

    # The same figures uploaded as the filled-in blank return, through the upload pages.
    officer = signed_in(client, DEMO_LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, filled(), "Appendix 2 Q4.xlsx")))
    assert officer.post(page.request.path + "/confirm", data={"comment": ""}).status_code == 302
    officer.post("/sign-out")
    uploaded = db.session.scalar(select(Submission).where(Submission.supersedes_id == api_id))
    assert stored_rows(uploaded.id) == api_rows  # value by value, sheet and cell included
    assert changes_between(api_id, uploaded.id) == []
    assert db.session.get(Submission, api_id).status == "superseded"

    # A resubmission through the API with two figures changed supersedes the upload.
    again = client.post("/api/v1/returns", json={**body, "values": appendix_2_values(
        client, secret, {"C6": 40, "J6": 735}), "comment": "Blaby's calls recounted"}, headers=bearer(secret))
    assert again.status_code == 200, again.json
    assert again.json["supersedes"] == uploaded.id
    assert sorted((c["kind"], c["indicator"], c["area"], c["old"]["value"], c["new"]["value"])
                  for c in again.json["changes"]) == [
        ("changed", "helpline-calls", "B", 39, 40), ("changed", "helpline-calls", "LC", 734, 735)]
    detail = client.get(f"/api/v1/submissions/{again.json['submission_id']}", headers=bearer(secret))
    assert detail.status_code == 200
    assert (detail.json["status"], detail.json["supersedes"], detail.json["comment"]) == (
        "current", uploaded.id, "Blaby's calls recounted")
    assert detail.json["changes"] == again.json["changes"]
    assert detail.json["sent_by"] == "the API token 'LWA case system'"
    listed = client.get("/api/v1/submissions", query_string={"per_page": 2}, headers=bearer(secret))
    assert [(s["id"], s["status"]) for s in listed.json["items"]] == [
        (again.json["submission_id"], "current"), (uploaded.id, "superseded")]
    # These three, and the demo's two for Living Without Abuse (Table 2 current, Appendix 2 superseded).
    assert (listed.json["total"], listed.json["page"]) == (3 + 2, 1)
    demo_table_2 = db.session.scalar(select(Submission.id).where(
        Submission.source == "demo", Submission.template.has(slug="table-2-da-sv-outcomes")))
    second = client.get("/api/v1/submissions", query_string={"per_page": 2, "page": 2}, headers=bearer(secret))
    assert [(s["id"], s["status"]) for s in second.json["items"]] == [(api_id, "superseded"),
                                                                       (demo_table_2, "current")]
    third = client.get("/api/v1/submissions", query_string={"per_page": 2, "page": 3}, headers=bearer(secret))
    assert [(s["id"], s["status"]) for s in third.json["items"]] == [(demo_return, "superseded")]

    confirmed = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "submission_confirmed")
                                   .order_by(AuditEvent.id)).all()
    token_id = db.session.scalar(select(ApiToken.id))
    assert [e.detail.get("api_token") for e in confirmed] == [None] * DEMO_SUBMISSIONS + [token_id, None, token_id]


def test_a_return_with_errors_is_refused_with_each_cells_problem_and_nothing_stored(client, demo):
    secret = issue(client)
    values = appendix_2_values(client, secret, {"C7": "lots", "D8": "1,400 (estimate)"})
    response = client.post("/api/v1/returns", json={"template": APPENDIX_2_SLUG, "period": SEED_PERIOD,
                                                   "values": values}, headers=bearer(secret))
    assert response.status_code == 422
    assert response.json["outcome"] == "rejected"
    assert response.json["errors"] == [{"field": "Appendix 2|new-callers-to-the-helpline|B", "message": (
        "'lots' is not a number. Enter a whole number such as 12, or N/A with a reason.")}]
    assert submissions() == DEMO_SUBMISSIONS
    assert db.session.scalar(select(AuditEvent.detail).where(AuditEvent.action == "submission_rejected"))[
        "errors"] == 1

    unknown = client.post("/api/v1/returns", json={"template": APPENDIX_2_SLUG, "period": "2015/16 Q13",
                                                  "values": {"x": 1}}, headers=bearer(secret))
    assert unknown.status_code == 422 and unknown.json["errors"][0]["field"] == "period"
    typo = client.post("/api/v1/returns", json={"template": APPENDIX_2_SLUG, "period": SEED_PERIOD,
                                               "values": {"Appendix 2|no-such-row|B": 1}}, headers=bearer(secret))
    assert typo.status_code == 422 and typo.json["errors"] == [{
        "field": "values.Appendix 2|no-such-row|B",
        "message": "This is not a field of the return that figures are typed into: list the template's fields to see "
                   "their ids."}]
    shape = client.post("/api/v1/returns", json={"template": APPENDIX_2_SLUG, "values": {"a": [1]}},
                        headers=bearer(secret))
    assert shape.status_code == 422
    assert {e["field"] for e in shape.json["errors"]} == {"period", "values.a.value"}
    assert submissions() == DEMO_SUBMISSIONS


def test_the_spreadsheet_posted_to_the_api_previews_and_stores_as_an_upload(client, demo):
    secret = issue(client)

    def post(data: bytes, **form):
        return client.post("/api/v1/returns/file", data={"file": (io.BytesIO(data), "a2.xlsx"), **form},
                           headers=bearer(secret), content_type="multipart/form-data")

    dry = post(filled(), dry_run="true")
    assert dry.status_code == 200, dry.json
    assert (dry.json["outcome"], len(dry.json["figures"]), dry.json["file"]["name"]) == ("dry_run", 70, "a2.xlsx")
    bad = post(filled({"C7": "lots"}))
    assert bad.status_code == 422
    assert bad.json["problems"] == [{"field": "Appendix 2!C7", "sheet": "Appendix 2", "cell": "C7",
                                     "severity": "error", "message": "'lots' is not a number. Enter a whole "
                                                                     "number such as 12, or N/A with a reason."}]
    assert submissions() == DEMO_SUBMISSIONS
    stored = post(filled())
    assert (stored.status_code, stored.json["outcome"]) == (200, "stored")
    assert len(stored_rows(stored.json["submission_id"])) == 70
    not_a_file = client.post("/api/v1/returns/file", data={"period": SEED_PERIOD}, headers=bearer(secret),
                             content_type="multipart/form-data")
    assert not_a_file.status_code == 422 and not_a_file.json["errors"][0]["field"] == "file"


def refusals() -> list[tuple]:
    return [(e.detail["reason"], e.object_id) for e in db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "api_request_refused").order_by(AuditEvent.id))]


def test_missing_unknown_expired_revoked_and_wrong_agency_tokens_are_refused_and_audited(client, demo):
    secret = issue(client)
    token = db.session.scalar(select(ApiToken))
    before = submissions()
    body = {"template": APPENDIX_2_SLUG, "period": SEED_PERIOD, "values": {}, "dry_run": True}

    missing = client.post("/api/v1/returns", json=body)
    assert missing.status_code == 401 and missing.headers["WWW-Authenticate"].startswith("Bearer")
    assert missing.json["errors"][0]["field"] == "Authorization"
    assert client.get("/api/v1/submissions", headers={"Authorization": "Bearer sr_not-a-token"}).status_code == 401

    wrong_agency = client.post("/api/v1/returns", json={**body, "agency": "leicestershire-police"},
                               headers=bearer(secret))
    assert wrong_agency.status_code == 403
    police = client.post("/api/v1/returns/file", data={"file": (io.BytesIO(filled()), "a2.xlsx"),
                                                       "agency": "leicestershire-police"},
                         headers=bearer(secret), content_type="multipart/form-data")
    assert police.status_code == 403
    ours = db.session.get(Submission, client.post(
        "/api/v1/returns/file", data={"file": (io.BytesIO(filled()), "a2.xlsx")}, headers=bearer(secret),
        content_type="multipart/form-data").json["submission_id"])
    theirs = Submission(agency_id=db.session.scalar(select(Agency.id).where(Agency.slug != LWA).limit(1)),
                        status="superseded", **{k: getattr(ours, k) for k in (
                            "template_id", "template_version_id", "period_id", "filename", "sha256", "size_bytes")})
    db.session.add(theirs)
    db.session.commit()
    assert client.get(f"/api/v1/submissions/{theirs.id}", headers=bearer(secret)).status_code == 403
    assert client.get("/api/v1/indicators", query_string={"period": "2015/16 Q4"},
                      headers=bearer(secret)).status_code == 403  # an officer's token reads no ratings

    token.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    expired = client.post("/api/v1/returns", json=body, headers=bearer(secret))
    assert expired.status_code == 401 and "expired" in expired.json["errors"][0]["message"]
    token.expires_at = utcnow() + timedelta(days=1)
    db.session.commit()

    admin = signed_in(client, DEMO_ADMIN)
    confirm = admin.get(f"/admin/api-tokens/{token.id}/revoke")
    assert confirm.status_code == 200 and "Revoke the token 'LWA case system'?" in confirm.get_data(as_text=True)
    assert db.session.get(ApiToken, token.id).revoked_at is None  # asking is not revoking
    assert admin.post(f"/admin/api-tokens/{token.id}/revoke").status_code == 302
    admin.post("/sign-out")
    revoked = client.post("/api/v1/returns", json=body, headers=bearer(secret))
    assert revoked.status_code == 401 and "revoked" in revoked.json["errors"][0]["message"]

    assert refusals() == [("missing", None), ("unknown", None), ("wrong agency", token.id),
                          ("wrong agency", token.id), ("wrong agency", token.id), ("not a manager", token.id),
                          ("expired", token.id), ("revoked", token.id)]
    assert submissions() == before + 2  # only the two made above
    assert db.session.get(ApiToken, token.id).last_used_at is not None


def test_a_session_cookie_alone_never_writes_through_the_api(app, client, demo):
    secret = issue(client)
    signed_in(client, DEMO_LWA_OFFICER)  # signed in, as a browser would be
    app.config["WTF_CSRF_ENABLED"] = True
    assert client.get("/returns/").status_code == 200  # the cookie signs the pages in
    body = {"template": APPENDIX_2_SLUG, "period": SEED_PERIOD, "values": appendix_2_values(client, secret)}
    cookie_only = client.post("/api/v1/returns", json=body)
    assert cookie_only.status_code == 401 and submissions() == DEMO_SUBMISSIONS
    as_form = client.post("/api/v1/returns/file", data={"file": (io.BytesIO(filled()), "a2.xlsx")},
                          content_type="multipart/form-data")
    assert as_form.status_code == 401 and submissions() == DEMO_SUBMISSIONS
    # The token's request needs no CSRF token (no browser sends it by itself); forms still do.
    with_token = client.post("/api/v1/returns", json=body, headers=bearer(secret))
    assert with_token.status_code == 200 and submissions() == DEMO_SUBMISSIONS + 1
    assert client.post("/returns/upload", data={"agency": LWA}).status_code == 400


def test_a_managers_token_reads_the_dashboards_values_and_ratings(client, demo):
    from app.services.dashboard import performance_table

    secret = issue(client, "Board reporting", role="manager", agency=None)
    response = client.get("/api/v1/indicators", query_string={"period": "2015/16 Q4", "per_page": 100},
                          headers=bearer(secret))
    assert response.status_code == 200, response.json
    table = performance_table("2015/16 Q4")
    assert response.json["total"] == len(table.rows) > 0
    for item in response.json["items"]:  # the kept results, managers' ratings applied
        row = table.rows[(item["indicator"], item["area"])]
        assert (item["latest"], item["rag"], item["target"], item["period"]) == (
            row.latest, row.rag, row.target, row.period)
    rated = [r for r in response.json["items"] if r["rag"]]
    assert rated and {r["rag"] for r in rated} <= set(RAGS)
    assert all(r["rag_name"] == RAG_NAMES[r["rag"]] for r in rated)
    submit = client.post("/api/v1/returns", json={"template": APPENDIX_2_SLUG, "period": SEED_PERIOD,
                                                  "values": {}}, headers=bearer(secret))
    assert submit.status_code == 403 and refusals() == [("not an uploader", db.session.scalar(select(ApiToken.id)))]


def test_a_request_too_large_answers_in_json(app, client, demo):
    secret = issue(client)
    app.config["API_MAX_JSON_BYTES"] = 1000
    big = client.post("/api/v1/returns", json={"template": "x" * 2000, "period": "", "values": {}},
                      headers=bearer(secret))
    assert big.status_code == 413 and big.json["errors"][0]["field"] == "request"


def test_the_rate_limit_is_counted_in_the_database_every_worker_shares(app, client, demo, clock):
    secret = issue(client)
    clock.now -= clock.now % 60 - 10  # ten seconds into a minute's window
    app.config["API_RATE_LIMIT"] = "2 per minute"
    answers = [client.get("/api/v1/submissions", headers=bearer(secret)) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert answers[2].json["errors"] == [{"field": "request", "message": (
        "Too many requests with this token: try again in 50 seconds.")}]
    assert answers[2].headers["Retry-After"] == "50"

    # Another worker (an app of its own, as each gunicorn worker has) counts against the same limit.
    other_worker = create_app(dict(app.config)).test_client()
    assert other_worker.get("/api/v1/submissions", headers=bearer(secret)).status_code == 429
    # Another token, or none (counted by address), has its own count.
    assert client.get("/api/v1/openapi.json").status_code == 200
    clock.move(50 / 60)  # the next window
    assert client.get("/api/v1/submissions", headers=bearer(secret)).status_code == 200
    assert db.session.scalar(select(func.count(ApiRequestCount.id))) == 2  # the token's, the address's


def test_made_up_tokens_are_counted_by_their_address_not_each_on_its_own(app, client, demo, clock):
    clock.now -= clock.now % 60 - 10
    app.config["API_RATE_LIMIT"] = "2 per minute"
    answers = [client.get("/api/v1/submissions", headers=bearer(f"sr_made_up_{n:020d}")) for n in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    assert answers[2].json["errors"][0]["message"] == "Too many requests from this address: try again in 50 seconds."
    assert db.session.scalar(select(func.count(ApiRequestCount.id))) == 1  # one row, not one per made-up token


@pytest.mark.parametrize("setting, rate", [("120 per minute", (120, 60)), ("5000 per day", (5000, 86400)),
                                           ("10/second", (10, 1)), ("1000 per 2 hours", (1000, 7200))])
def test_the_rate_setting_is_read_as_written(setting, rate):
    assert parse_rate(setting) == rate


@pytest.mark.parametrize("setting", ["", "lots", "0 per minute", "120 per fortnight", "per minute"])
def test_a_rate_setting_it_cannot_read_stops_the_start_saying_why(app, setting):
    with pytest.raises(ValueError, match=r"API_RATE_LIMIT is .*write it as a number of requests per second"):
        create_app(dict(app.config, API_RATE_LIMIT=setting))


def test_the_dashboards_rows_are_served_in_its_order_whatever_order_they_were_kept_in(client, demo, runner):
    """A resubmission reworks some kept rows and stores them after the rest; the API still
    lists every row by indicator, then area, as the dashboard does and as it would after a
    full recompute."""
    from app.models import Period
    from app.periods import parse_period
    from app.services.results import kept_rows

    uploader, manager = issue(client), issue(client, "Board reporting", role="manager", agency=None)

    def listed() -> list[tuple[str, str]]:
        pairs = []
        for page in (1, 2, 3):
            response = client.get("/api/v1/indicators", headers=bearer(manager),
                                  query_string={"period": SEED_PERIOD, "per_page": 100, "page": page})
            assert response.status_code == 200, response.json
            pairs += [(item["indicator"], item["area"]) for item in response.json["items"]]
        return pairs

    values = appendix_2_values(client, uploader, {"C6": 45, "J6": 740})  # Blaby's helpline calls, and the total
    stored = client.post("/api/v1/returns", headers=bearer(uploader),
                         json={"template": APPENDIX_2_SLUG, "period": SEED_PERIOD, "values": values})
    assert stored.status_code == 200, stored.json
    served = listed()
    period_id = db.session.scalar(select(Period.id).where(Period.key == parse_period(SEED_PERIOD).key))
    kept = [(row["indicator"], row["area"]) for row in kept_rows(period_id)]
    assert sorted(kept) == sorted(served) and kept != served  # the reworked rows were kept last
    assert runner.invoke(args=["indicators", "recompute", "--all"]).exit_code == 0
    assert listed() == served
