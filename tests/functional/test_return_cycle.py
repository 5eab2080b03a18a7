"""Issue 17: the quarterly cycle runs itself. A template published for four agencies is owed
by each of them from the first period an administrator sets; each officer's start page
lists their returns with the links to download and upload them; the reporting rates count
expected, received and on-time returns; the partnership's "as at" date is today."""
import io
import json
import re
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from app.definition import RowSpec, SheetLayout, TemplateDefinition, decimal_rule, expand_fields
from app.export.blank_return import field_cells
from app.extensions import db
from app.models import Agency, AuditEvent, ReturnDue, ReturnTemplate, Submission
from app.periods import parse_period
from app.services.return_templates import definition_of
from tests.conftest import DEMO_ADMIN, DEMO_MANAGER, signed_in
from tests.factories import PASSWORD, make_user

SLUG = "district-community-safety"
DISTRICTS = ["blaby-district-council", "charnwood-borough-council", "harborough-district-council",
             "melton-borough-council"]


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()).replace("&#39;", "'")


@pytest.fixture
def district_template(demo, runner, tmp_path):
    """A quarterly return published for four district councils (``flask templates load``),
    and an officer for each."""
    defn = TemplateDefinition(
        slug=SLUG, name="District community safety return", frequency="quarterly", agencies=DISTRICTS, due_days=28,
        instructions="Enter the hate incidents rate for the quarter.",
        sheets=[SheetLayout(name="Return", layout="label_value", default_area="LC", rows=[
            RowSpec(label="Hate incidents rate", indicator="hate-incidents-rate", rule=decimal_rule())])])
    path = tmp_path / "district.json"
    path.write_text(json.dumps(defn.to_dict()))
    result = runner.invoke(args=["templates", "load", str(path)])
    assert result.exit_code == 0 and "published" in result.output, result.output
    officers = {}
    for slug in DISTRICTS:
        agency = db.session.scalar(select(Agency).where(Agency.slug == slug))
        officers[slug] = make_user("officer", email=f"officer@{slug}.example", agency=agency)
    db.session.commit()
    return {slug: (user.email, PASSWORD) for slug, user in officers.items()}


def set_as_at(client, day: str):
    signed_in(client, DEMO_ADMIN)
    response = client.post("/settings", data={"as_at": day})
    assert response.status_code == 302, text_of(response)[:800]


def set_first_period(client, period: str):
    signed_in(client, DEMO_ADMIN)
    template_id = db.session.scalar(select(ReturnTemplate.id).where(ReturnTemplate.slug == SLUG))
    return client.post("/performance/schedule/start", data={"template_id": template_id, "schedule_from": period})


def filled_return(client, agency: str, period: str, rate: float) -> bytes:
    """The blank return downloaded from the officer's start page link, filled in."""
    blank = client.get(f"/templates/{SLUG}/blank", query_string={"agency": agency, "period": period})
    assert blank.status_code == 200, text_of(blank)[:500]
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == SLUG))
    defn = definition_of(template.published_version)
    fields = [f for f in expand_fields(defn, parse_period(period)) if f.is_entered and f.measure == "value"]
    workbook = openpyxl.load_workbook(io.BytesIO(blank.data))
    for sheet, cell in field_cells(defn, fields).values():
        workbook[sheet][cell] = rate
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def upload(client, agency: str, period: str, data: bytes):
    """Upload through the start page's link (template, period and agency fixed) → the preview."""
    return client.post("/returns/upload", data={"file": (io.BytesIO(data), "return.xlsx"), "agency": agency,
                                                 "template": SLUG, "period": period, "locked": "1"},
                       content_type="multipart/form-data")


def send(client, officers, agency: str, period: str, on: str, rate: float = 1.5):
    """The officer sends a return on the day ``on`` (the partnership's as-at date then)."""
    set_as_at(client, on)
    signed_in(client, officers[agency])
    held = upload(client, agency, period, filled_return(client, agency, period, rate))
    assert held.status_code == 302, text_of(held)[:1500]
    confirmed = client.post(held.headers["Location"] + "/confirm", data={"comment": ""})
    assert confirmed.status_code == 302, text_of(client.get(held.headers["Location"]))[:1500]


def test_a_template_published_for_four_agencies_generates_their_expected_returns(district_template, client):
    officers = district_template
    wrong = set_first_period(client, "Oct 2015")
    assert wrong.status_code == 400
    assert "'District community safety return' is a quarterly return: choose a quarter" in text_of(wrong)

    saved = set_first_period(client, "2015/16 Q3")
    assert saved.status_code == 302
    assert "Saved: 12 expected returns added from 2015/16 Q3" in text_of(client.get("/performance/schedule"))
    dues = db.session.execute(
        select(Agency.slug, ReturnDue.due_date).join(Agency, ReturnDue.agency_id == Agency.id)
        .join(ReturnTemplate, ReturnDue.template_id == ReturnTemplate.id).where(ReturnTemplate.slug == SLUG)
        .order_by(ReturnDue.due_date, Agency.slug)).all()
    # As at 8 June 2016 (the demo's date): 2015/16 Q3 and Q4 have ended, 2016/17 Q1 has begun.
    assert dues == [(slug, due) for due in (date(2016, 1, 28), date(2016, 4, 28), date(2016, 7, 28))
                    for slug in DISTRICTS]
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "schedule_start_set"))
    assert event.detail == {"before": None, "after": "2015/16 Q3", "added": 12}

    # Reading the schedule again adds nothing; a later "today" adds the period that has begun.
    assert client.get("/performance/schedule").status_code == 200
    assert db.session.query(ReturnDue).join(ReturnTemplate).filter(ReturnTemplate.slug == SLUG).count() == 12
    set_as_at(client, "01/07/2016")
    client.get("/performance/schedule")
    assert db.session.query(ReturnDue).join(ReturnTemplate).filter(ReturnTemplate.slug == SLUG).count() == 16
    set_as_at(client, "08/06/2016")

    signed_in(client, officers["blaby-district-council"])
    home = client.get("/")
    page = text_of(home)
    assert ("District community safety return 2015/16 Q3 28 January 2016 Overdue 132 days overdue" in page
            and "District community safety return 2015/16 Q4 28 April 2016 Overdue 41 days overdue" in page
            and "District community safety return 2016/17 Q1 28 July 2016 Due Due in 50 days" in page), page
    html = home.get_data(as_text=True)
    assert (f'href="/templates/{SLUG}/blank?agency=blaby-district-council&amp;period=2015/16+Q3"' in html
            and f'href="/returns/upload?template={SLUG}&amp;period=2015/16+Q3&amp;agency=blaby-district-council"'
            in html), html

    form = client.get(f"/returns/upload?template={SLUG}&period=2015/16+Q3&agency=blaby-district-council")
    shown = text_of(form)
    assert ("Return District community safety return Period 2015/16 Q3 Agency Blaby District Council" in shown
            and 'name="period" value="2015/16 Q3"' in form.get_data(as_text=True)
            and 'type="text"' not in form.get_data(as_text=True))  # nothing to type

    # Another agency's officer cannot use the link: the form asks as usual, with their own agency.
    signed_in(client, officers["melton-borough-council"])
    other = client.get(f"/returns/upload?template={SLUG}&period=2015/16+Q3&agency=blaby-district-council")
    assert "Blaby District Council" not in text_of(other)


def test_reporting_rates_count_on_time_late_and_missing_returns(district_template, client, runner, tmp_path):
    officers = district_template
    assert set_first_period(client, "2015/16 Q3").status_code == 302
    # 2015/16 Q3 is due 28 January 2016, Q4 28 April 2016.
    send(client, officers, "blaby-district-council", "2015/16 Q3", "20/01/2016")
    send(client, officers, "charnwood-borough-council", "2015/16 Q3", "05/02/2016")  # 8 days late
    send(client, officers, "blaby-district-council", "2015/16 Q4", "28/04/2016")  # on the day
    send(client, officers, "charnwood-borough-council", "2015/16 Q4", "03/05/2016")  # 5 days late
    send(client, officers, "harborough-district-council", "2015/16 Q4", "27/04/2016")
    set_as_at(client, "08/06/2016")
    melton_q3 = db.session.scalar(select(ReturnDue).join(Agency).join(ReturnDue.period).where(
        Agency.slug == "melton-borough-council", ReturnDue.period.has(key="2015/16 Q3")))
    signed_in(client, DEMO_MANAGER)
    refused = client.post(f"/performance/expected/{melton_q3.id}/waive", data={"reason": ""})
    assert refused.status_code == 400 and "Say why this return is not needed" in text_of(refused)
    assert client.post(f"/performance/expected/{melton_q3.id}/waive",
                       data={"reason": "Melton joined the return from 2015/16 Q4"}).status_code == 302
    received = db.session.scalars(select(Submission.received_on).order_by(Submission.id)).all()
    assert received[-5:] == [date(2016, 1, 20), date(2016, 2, 5), date(2016, 4, 28), date(2016, 5, 3),
                             date(2016, 4, 27)]

    page = text_of(client.get("/performance/reporting-rates"))
    # Harborough's and Melton's Q3 and Q4: Harborough's Q3 missing, Melton's Q3 waived, Melton's Q4 missing.
    assert "District community safety return, by period" in page
    assert "Period Expected Received On time Reporting rate On time rate 2015/16 Q3 3 2 1 67% 33% " \
           "2015/16 Q4 4 3 2 75% 50% 2016/17 Q1 0 0 0 – –" in page, page
    assert "District community safety return 7 5 3 71% 43%" in page
    for row in ("Blaby District Council 2 2 2 100% 100%", "Charnwood Borough Council 2 2 0 100% 0%",
                "Harborough District Council 2 1 1 50% 50%", "Melton Borough Council 1 0 0 0% 0%"):
        assert row in page, row
    # Partnership-wide, with the demo's own returns as at 8 June 2016: Living Without Abuse's
    # Appendix 2 (on time) and Table 2 (late) and Leicestershire Police's 2015/16 crime rates
    # (late) received; Cambridgeshire's 2015/16 Q4 and Rotherham's April 2016 missing.
    assert "8 of 12 expected returns received (67%), 4 on time (33%)" in page
    assert 'role="img"' in client.get("/performance/reporting-rates").get_data(as_text=True)

    # The workbook's completeness sheet has the same rates (``flask dashboard export``).
    path = tmp_path / "dashboard.xlsx"
    result = runner.invoke(args=["dashboard", "export", "-o", str(path), "--period", "2015/16"])
    assert result.exit_code == 0, result.output
    rows = [r[:7] for r in openpyxl.load_workbook(path)["Completeness"].iter_rows(values_only=True)]
    heading = next(i for i, r in enumerate(rows) if r[0] and str(r[0]).startswith("Reporting rates as at"))
    assert rows[heading][0] == "Reporting rates as at 8 June 2016 (each template's last 8 periods)"
    rates = rows[heading + 2:]
    assert ("Partnership", "All returns", 12, 8, 4, 66.7, 33.3) in rates
    assert ("Template", "District community safety return", 7, 5, 3, 71.4, 42.9) in rates
    assert ("Agency", "Charnwood Borough Council", 2, 2, 0, 100, 0) in rates
    assert ("Period", "2015/16 Q4", 5, 3, 2, 60, 40) in rates  # with Cambridgeshire's missing 2015/16 Q4
    assert ("Period", "2016/17 Q1", 0, 0, 0, None, None) in rates

    # The completeness page says the same, cell by cell, with the waived return gone.
    completeness = text_of(client.get("/performance/completeness?period=2015-16-Q4"))
    assert "Received 8 days late (due 28 Jan 2016)" in completeness
    assert "Missing: due 28 Jan 2016, 132 days ago" in completeness  # Harborough's Q3


def test_the_preview_warns_before_replacing_a_return_and_shows_what_changes(district_template, client):
    officers = district_template
    assert set_first_period(client, "2015/16 Q3").status_code == 302
    send(client, officers, "blaby-district-council", "2015/16 Q4", "20/04/2016", rate=1.5)
    set_as_at(client, "08/06/2016")
    signed_in(client, officers["blaby-district-council"])
    assert "Received Received on time" in text_of(client.get("/"))
    held = upload(client, "blaby-district-council", "2015/16 Q4",
                  filled_return(client, "blaby-district-council", "2015/16 Q4", 2.25))
    preview = text_of(client.get(held.headers["Location"]))
    first = db.session.scalar(select(Submission).where(Submission.status == "current").order_by(Submission.id.desc()))
    assert (f"Submitting this replaces the return Blaby District Council already sent for 2015/16 Q4 (submission "
            f"{first.id}, return.xlsx, received 20 April 2016)") in preview
    assert "What submitting it changes (1 figure) Indicator Area Period Change Reported hate incidents (per 1,000 " \
           "population) Leicestershire 2015/16 Q4 1.50 → 2.25" in preview, preview
    assert preview.index("replaces the return") < preview.index("Submit the return")  # before confirming

    # Once a manager signs 2015/16 Q4 off, the return is accepted.
    signed_in(client, DEMO_MANAGER)
    assert client.post("/performance/2015-16-Q4/sign-off", data={}).status_code == 302
    signed_in(client, officers["blaby-district-council"])
    assert "District community safety return 2015/16 Q4 28 April 2016 Accepted Received on time" in text_of(
        client.get("/"))


def test_a_refused_upload_offers_the_upload_again(district_template, client):
    officers = district_template
    assert set_first_period(client, "2015/16 Q3").status_code == 302
    signed_in(client, officers["blaby-district-council"])
    workbook = openpyxl.load_workbook(io.BytesIO(filled_return(client, "blaby-district-council", "2015/16 Q3", 1)))
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == SLUG))
    defn = definition_of(template.published_version)
    field = next(f for f in expand_fields(defn, parse_period("2015/16 Q3")) if f.is_entered and f.measure == "value")
    sheet, cell = field_cells(defn, [field])[field.id]
    workbook[sheet][cell] = "lots"
    out = io.BytesIO()
    workbook.save(out)
    held = upload(client, "blaby-district-council", "2015/16 Q3", out.getvalue())
    page = client.get(held.headers["Location"])
    html = page.get_data(as_text=True)
    assert "This return cannot be stored yet" in text_of(page)
    form = html[html.index("Upload the corrected return"):]
    assert ('action="/returns/upload"' in form and 'type="file"' in form and 'name="period" value="2015/16 Q3"' in form
            and f'name="template" value="{SLUG}"' in form)


def test_the_as_at_date_from_the_command_line(app, runner):
    from app.services.settings import today

    assert runner.invoke(args=["settings", "as-at"]).output == f"As at {date.today().isoformat()} (the real date)\n"
    assert runner.invoke(args=["settings", "as-at", "2016-06-08"]).output == "As at 2016-06-08\n"
    assert today() == date(2016, 6, 8)
    wrong = runner.invoke(args=["settings", "as-at", "8 June"])
    assert wrong.exit_code == 1 and "'8 June' is not a date: write it as YYYY-MM-DD" in wrong.output
    assert runner.invoke(args=["settings", "as-at", "--clear"]).output.endswith("(the real date)\n")
    assert today() == date.today()
    app.config["AS_AT_DATE"] = "2017-01-31"  # a deployment's own, when the settings page has none
    assert runner.invoke(args=["settings", "as-at"]).output == "As at 2017-01-31\n"
