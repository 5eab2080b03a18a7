"""Issue 5 at the app level: the dashboard's figures and ratings from the stored data,
managers' overrides, sign-off and unlock, and completeness — through the services and
the pages people use."""
from datetime import date, datetime

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import (
    Agency, Area, AuditEvent, DataValue, Indicator, Outcome, Period, PeriodSignOff, RagSetting, ReturnDue,
    ReturnTemplate, Submission, User,
)
from app.services import ServiceError
from app.services.dashboard import dashboard_view, performance_table
from app.services.schedule import completeness_view
from app.services.sign_off import ensure_unlocked, is_locked
from app.store.reference import period_row
from tests.conftest import sign_in
from tests.conftest import (
    DEMO_ADMIN as ADMIN,
    DEMO_LWA_OFFICER as LWA,
    DEMO_MANAGER as MANAGER,
    DEMO_POLICE_OFFICER as POLICE,
)
from tests.factories import make_area, make_indicator, make_outcome



@pytest.fixture
def demo(demo):
    return {i.name: i for i in db.session.scalars(select(Indicator))}


def _headline(table, name_to_indicator, name):
    slug = name_to_indicator[name.replace("poulation", "population")].slug
    rows = [r for r in table.headline_rows() if r.indicator == slug]
    assert len(rows) == 1, name
    return rows[0]


def _set_value(slug, area, period, value):
    row = db.session.scalar(select(DataValue).join(Indicator).join(Area).join(Period).where(
        Indicator.slug == slug, Area.code == area, Period.key == period, DataValue.is_current.is_(True)))
    row.value = value
    db.session.commit()


def test_appendix_1_progress_column_table_2_and_rotherham_come_out_of_the_demo_data(demo, seed):
    table = performance_table("2015/16")
    rated = 0
    for outcome in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        for seed_row in outcome["indicators"]:
            row = _headline(table, demo, seed_row["name"])
            assert row.area == "LC"
            assert row.rag == seed_row["progress"], (seed_row["name"], row.rag_reason)
            rated += seed_row["progress"] is not None
    assert rated == 11
    hate = _headline(table, demo, "Reported hate incidents (per 1,000 population)")
    assert hate.rag == "R" and hate.rag_reason == "Worse than last year by 14.7% (more than 10%): Red"
    # Lagging data still shows, with the periods compared.
    iom = _headline(table, demo, "% Reduction in offending by IOM & PPO Offenders")
    assert (iom.period, iom.previous_period, iom.latest, iom.previous) == ("2014/15", "2013/14", 56.1, 38.9)
    youth = _headline(table, demo, "Rate of re-offending by young offenders (local data)")
    assert (youth.period, youth.previous_period) == ("2015-04..2015-12", "2014/15")
    assert youth.change_text == "-50%" and youth.significance is None  # periods not alike: not tested
    referrals = _headline(table, demo, "Number of referrals to domestic abuse support services (adults)")
    assert referrals.rag is None and referrals.latest_flag == "estimate"

    # Table 2: rated against the targets; "not available" figures carry their reasons, no rating.
    for seed_row in seed["leicestershire_da_sv_outcomes_dec2015_mar2016"]["rows"]:
        row = _headline(table, demo, seed_row["outcome"])
        assert row.target == seed_row["target"]
        if seed_row["performance"] is None:
            assert (row.rag, row.note) == (None, seed_row["not_available_reason"])
        else:
            assert row.rag == "G", seed_row["outcome"]
    assert _headline(table, demo, "Service user ethnicity reflects the local BME population").rag_reason == \
        "Better than the target of 12 by 8%: Green"

    # A changed figure changes its rating.
    _set_value("domestic-burglary-rate", "LC", "2015/16", 3.15)
    burglary = _headline(performance_table("2015/16"), demo, "Domestic Burglary rate (per 1,000 population)")
    assert (burglary.rag, burglary.rag_reason) == ("G", "Worse than last year by 1.6% (within 2%): Green")

    # Rotherham Table 4's % change column, from the stored rolling 12-month figures.
    rotherham = performance_table("12 months to 31 October 2017")
    published = [change for _, _, change, _ in seed["rotherham_da_table4_2017"]["rows"].values()]
    shown = [_headline(rotherham, demo, name).change_text for name in seed["rotherham_da_table4_2017"]["rows"]]
    assert shown == ["+67%", "-10 points", "-11%", "-13%", "-1 point", "-8 points"]
    assert [s.replace(" points", "%").replace(" point", "%") for s in shown] == [
        c if c.startswith("-") else "+" + c for c in published
    ]


def test_the_dashboard_page_shows_ratings_as_tagged_words_with_lagging_periods(demo, client):
    sign_in(client, *MANAGER)
    page = client.get("/dashboard/2015-16").get_data(as_text=True)
    assert '<strong class="govuk-tag govuk-tag--red">Red</strong>' in page
    assert "Reported hate incidents (per 1,000 population)" in page
    assert "Apr – Dec 2015" in page and "2013/14" in page  # the periods each figure covers
    assert client.get("/dashboard/").headers["Location"].endswith("/dashboard/2016-11..2017-10")
    # The demo's overall comments are the paper's; its ratings are calculated.
    assert "Reduction in offending by IOM and PPO offenders is greater than the reduction" in page


# ---- aggregation through the service ----------------------------------------------------------

@pytest.fixture
def county(app):
    """A county of three districts, with a percentage recomputed from counts."""
    shire = make_area("Shire", code="SH", kind="county")
    districts = [make_area(n, code=c, parent=shire, sort_order=i + 1)
                 for i, (c, n) in enumerate([("N", "North"), ("S", "South"), ("E", "East")])]
    outcome = make_outcome("Victims supported")
    engaged = make_indicator("Victims who engaged", slug="engaged", aggregation="sum", outcome=outcome)
    referred = make_indicator("Victims referred", slug="referred", aggregation="sum", outcome=outcome)
    make_indicator("% of referred victims who engaged", slug="engagement-rate", unit="percent",
                   aggregation="recompute", numerator=engaged, denominator=referred, decimals=1,
                   polarity="higher_is_better", rag_method="previous_year", rag_green_within=2, rag_amber_within=10,
                   outcome=outcome)
    for year, figures in (("2015/16", {"N": (23, 35), "S": (1, 10), "E": (6, 15)}),
                          ("2014/15", {"N": (20, 40), "S": (2, 10), "E": (5, 10)})):
        for code, (num, den) in figures.items():
            area = next(a for a in districts if a.code == code)
            for indicator, value in ((engaged, num), (referred, den)):
                db.session.add(
                    DataValue(indicator=indicator, area=area, period=period_row(year), value=value, flag="actual")
                )
    db.session.commit()
    return {"districts": districts}


def test_county_percentages_come_from_numerators_and_a_missing_district_makes_them_incomplete(
    county, client, people, sign_in_as
):
    row = performance_table("2015/16").rows[("engagement-rate", "SH")]
    # 30 of 60 = 50.0%, not the mean of 65.7%, 10% and 40% (38.6%).
    assert row.latest == pytest.approx(50.0) and row.aggregate_status == "complete"
    assert round((23 / 35 + 1 / 10 + 6 / 15) / 3 * 100, 1) == 38.6
    assert row.previous == pytest.approx(45.0) and row.change_text == "+5 points" and row.rag == "G"
    assert row.strip == [("N", "G"), ("S", "R"), ("E", "R")]

    south = db.session.scalar(select(DataValue).join(Area).join(Period).where(
        Area.code == "S", Period.key == "2015/16", DataValue.indicator.has(slug="engaged")))
    db.session.delete(south)
    db.session.commit()
    row = performance_table("2015/16").rows[("engagement-rate", "SH")]
    assert row.latest is None and row.aggregate_status == "incomplete" and row.rag is None
    assert row.aggregate_message == "Data not yet provided for South."
    total = performance_table("2015/16").rows[("engaged", "SH")]
    assert total.latest is None and total.aggregate_status == "incomplete"  # never the smaller 29

    sign_in_as("manager")
    page = client.get("/dashboard/2015-16").get_data(as_text=True)
    assert "Data not yet provided for South." in page
    # The completeness page lists the totals its period is waiting for.
    assert "Data not yet provided for South." in client.get("/performance/completeness?period=2015-16").get_data(
        as_text=True
    )
    assert ("% of referred victims who engaged", "Shire", "Data not yet provided for South.") in completeness_view(
        "2015/16").gaps


# ---- overrides, outcome ratings and who sees what ----------------------------------------------

def test_a_managers_override_needs_a_reason_is_audited_and_shown_with_the_calculated_rating(demo, client):
    hate = demo["Reported hate incidents (per 1,000 population)"]
    sign_in(client, *MANAGER)
    url = f"/performance/2015-16/indicators/{hate.id}/rating"
    missing = client.post(url, data={"area": "LC", "kind": "override", "rag": "A", "reason": " "})
    assert missing.status_code == 400 and "Give the reason for this rating" in missing.get_data(as_text=True)
    manual = client.post(url, data={"area": "LC", "kind": "manual", "rag": "A", "reason": "Reporting campaign"})
    assert manual.status_code == 400 and "is rated by its rule; to change its rating, override it" in manual.get_data(
        as_text=True
    )

    for rag, reason in (("G", "First thoughts"), ("A", "Reporting fell after the Hate Incident Project paused")):
        assert (
            client.post(url, data={"area": "LC", "kind": "override", "rag": rag, "reason": reason}).status_code == 302
        )
    settings = db.session.scalars(select(RagSetting).order_by(RagSetting.id)).all()
    assert [(s.rag, s.is_current) for s in settings] == [("G", False), ("A", True)]  # history kept
    event = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "rag_override_set").order_by(AuditEvent.id)
    ).all()[-1]
    assert (
        event.detail["reason"] == "Reporting fell after the Hate Incident Project paused" and event.user_id is not None
    )

    row = performance_table("2015/16").rows[(hate.slug, "LC")]
    assert (row.rag, row.rag_overridden, row.calculated.rag) == ("A", True, "R")
    assert row.rag_reason == ("Set to Amber by a manager: Reporting fell after the Hate Incident Project paused "
                                 "(calculated: Red).")
    page = client.get("/dashboard/2015-16").get_data(as_text=True)
    assert "Set by a manager" in page and "(calculated: Red)" in page

    assert (
        client.post(f"/performance/2015-16/indicators/{hate.id}/rating/withdraw", data={"area": "LC"}).status_code
        == 302
    )
    assert performance_table("2015/16").rows[(hate.slug, "LC")].rag == "R"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "rag_override_withdrawn")) is not None

    # An indicator rated by hand takes the manager's manual rating; without one it has none.
    confidence = demo[
        "% of people stating that they feel that the police and other local public services are successfully "
        "dealing with ASB and crime in their local area"
    ]
    confidence.rag_method = "manual"
    db.session.commit()
    assert performance_table("2015/16").rows[(confidence.slug, "LC")].rag is None
    assert (
        client.post(
            f"/performance/2015-16/indicators/{confidence.id}/rating",
            data={"area": "LC", "kind": "manual", "rag": "G", "reason": "Survey confidence at its highest"},
        ).status_code
        == 302
    )
    row = performance_table("2015/16").rows[(confidence.slug, "LC")]
    assert (row.rag, row.rag_overridden, row.rag_reason) == (
        "G",
        False,
        "Rated Green by a manager: Survey confidence at its highest",
    )


def test_outcome_override_comments_peers_and_what_an_officer_sees(demo, client):
    prevent = db.session.scalar(select(Outcome).where(Outcome.name.startswith("Prevent people")))
    crime = db.session.scalar(select(Outcome).where(Outcome.name == "Ongoing reductions in crime"))
    hate = demo["Reported hate incidents (per 1,000 population)"]
    sign_in(client, *MANAGER)
    no_reason = client.post(f"/performance/2015-16/outcomes/{prevent.id}", data={"comment": "x", "rag_override": "A"})
    assert no_reason.status_code == 400 and "Give the reason for overriding the overall rating" in no_reason.get_data(
        as_text=True
    )
    assert client.post(f"/performance/2015-16/outcomes/{prevent.id}", data={
        "comment": "Appropriate measures for this priority are being considered.", "rag_override": "A",
        "override_reason": "The indicators do not yet cover the priority"}).status_code == 302
    client.post(
        f"/performance/2015-16/outcomes/{crime.id}",
        data={"comment": "Burglary briefing for the board only", "internal": "y"},
    )
    client.post(
        f"/performance/2015-16/indicators/{hate.id}/commentary?area=LC",
        data={"scope": "LC", "text": "Fewer reports since May"},
    )
    assert (
        client.post(
            f"/performance/indicators/{hate.id}/peers",
            data={"period": "2015/16", "label": "Most similar group", "value": "0.9"},
        ).status_code
        == 302
    )

    view = dashboard_view("2015/16")
    blocks = {b.name: b for b in view.outcomes}
    assert (blocks[prevent.name].rag, blocks[prevent.name].rag_overridden) == ("A", True)
    assert "calculated: Red" in blocks[prevent.name].rag_reason
    row = next(r for r in blocks[prevent.name].rows if r.indicator == hate.slug)
    assert row.comment == "Fewer reports since May" and row.peer_comparison == "Bottom"  # 0.58 v 0.9, higher is better
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "outcome_assessment_saved")) is not None

    # The police officer sees the police's figures only, and no internal comment.
    police = db.session.scalar(select(User).where(User.email == POLICE[0]))
    officer_view = dashboard_view("2015/16", police)
    shown = {r.indicator for b in officer_view.outcomes for r in b.rows}
    assert {"domestic-burglary-rate", "hate-incidents-rate", "iom-ppo-offending-reduction"} <= shown
    assert not shown & {"helpline-calls", "first-time-entrants", "outcome-feels-safer", "asb-victims-pct"}
    crime_block = next(b for b in officer_view.outcomes if b.name == crime.name)
    assert crime_block.comment is None and crime_block.rag == "A"
    client.post("/sign-out")
    sign_in(client, *POLICE)
    page = client.get("/dashboard/2015-16").get_data(as_text=True)
    assert "Domestic Burglary rate" in page and "Helpline calls received" not in page
    assert (
        "Burglary briefing for the board only" not in page
        and "You see the figures that Leicestershire Police supplied" in page
    )
    assert "Download the workbook" not in page
    client.post("/sign-out")
    sign_in(client, *LWA)
    page = client.get("/dashboard/2015-16").get_data(as_text=True)
    assert "Helpline calls received" in page and "Domestic Burglary rate" not in page


# ---- sign-off and unlock -------------------------------------------------------------------------

def test_sign_off_locks_the_period_and_only_an_admin_unlocks_it_with_a_reason(demo, client):
    hate = demo["Reported hate incidents (per 1,000 population)"]
    sign_in(client, *MANAGER)
    assert client.post("/performance/2015-16/sign-off").status_code == 302
    year = db.session.scalar(select(Period).where(Period.key == "2015/16"))
    quarter = period_row("2015/16 Q4")
    db.session.commit()
    assert is_locked(year.id) and is_locked(quarter.id)  # a quarter of a signed-off year is final too
    assert not is_locked(period_row("2016/17 Q1").id)
    with pytest.raises(
        ServiceError, match=r"2015/16 Q4 was signed off by Morgan Manager on .* \(it is part of 2015/16\)"
    ):
        ensure_unlocked(quarter.id)  # what an import for the quarter is told
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "period_signed_off")).detail == {
        "period": "2015/16"
    }
    refused = client.post(f"/performance/2015-16/indicators/{hate.id}/rating",
                          data={"area": "LC", "kind": "override", "rag": "A", "reason": "Too late"})
    assert refused.status_code == 400 and "was signed off by Morgan Manager" in refused.get_data(as_text=True)
    assert "Signed off by Morgan Manager" in client.get("/dashboard/2015-16").get_data(as_text=True)
    assert client.post("/performance/2015-16/unlock", data={"reason": "x"}).status_code == 403

    client.post("/sign-out")
    sign_in(client, *ADMIN)
    empty = client.post("/performance/2015-16/unlock", data={"reason": ""})
    assert empty.status_code == 400 and "Give the reason for unlocking" in empty.get_data(as_text=True)
    assert client.post("/performance/2015-16/unlock", data={"reason": "Police resubmitted Q4"}).status_code == 302
    db.session.expire_all()
    sign_off = db.session.scalar(select(PeriodSignOff))
    assert not sign_off.locked and sign_off.unlock_reason == "Police resubmitted Q4" and not is_locked(year.id)
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "period_unlocked"))
    assert event.detail == {"period": "2015/16", "reason": "Police resubmitted Q4"}
    assert event.user_id == db.session.scalar(select(User.id).where(User.email == ADMIN[0]))


# ---- completeness -----------------------------------------------------------------------------------

def _submit(template, agency, period_key, at, status="current"):
    db.session.add(Submission(agency=agency, template=template, template_version=template.published_version,
                              period=period_row(period_key), uploaded_at=at, filename="return.xlsx", sha256="0" * 64,
                              size_bytes=1, status=status))


def test_completeness_page_says_received_late_missing_and_not_yet_due(demo, client):
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == "cambridgeshire-da-quarterly"))
    sign_in(client, *MANAGER)
    reason = "Cambridgeshire's returns from before the template's first period"
    wrong = client.post("/performance/schedule", data={"template_id": template.id, "periods": "2014/15\nnonsense",
                                                       "reason": reason})
    assert wrong.status_code == 400
    assert "is a quarterly return: choose a quarter" in wrong.get_data(as_text=True)
    assert "is not a period we recognise" in wrong.get_data(as_text=True)
    periods = "2014/15 Q1\n2014/15 Q2\n2014/15 Q3\n2014/15 Q4\n2030/31 Q1"
    assert (
        client.post("/performance/schedule", data={"template_id": template.id, "periods": periods,
                                                    "reason": reason}).status_code == 302
    )
    assert (
        client.post("/performance/schedule", data={"template_id": template.id, "periods": "2014/15 Q1",
                                                    "reason": reason}).status_code == 302
    )
    dues = db.session.scalars(
        select(ReturnDue).where(ReturnDue.template_id == template.id, ReturnDue.added_reason == reason)
        .order_by(ReturnDue.due_date)).all()
    assert len(dues) == 5 and dues[0].due_date == date(2014, 7, 28)  # 30 June + 28 days; not scheduled twice
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "returns_scheduled")
                                .order_by(AuditEvent.id)).all()
    assert [(e.detail["created"], e.detail["reason"]) for e in events] == [(5, reason), (0, reason)]

    idva = db.session.scalar(select(Agency).where(Agency.slug == "cambridgeshire-idva"))
    _submit(template, idva, "2014/15 Q1", datetime(2014, 7, 20, 10))
    _submit(template, idva, "2014/15 Q2", datetime(2014, 11, 15, 10))
    _submit(template, idva, "2014/15 Q4", datetime(2015, 4, 20, 10), status="superseded")  # first receipt counts
    _submit(template, idva, "2014/15 Q4", datetime(2015, 6, 1, 10))
    db.session.commit()
    view = completeness_view("2014/15 Q4", as_of=date(2016, 1, 1))
    assert [cell["status"] for cell in view.rows[0][2]] == ["received", "late", "missing", "received"]
    assert view.rows[0][2][1]["note"] == "Received 18 days late (due 28 Oct 2014)"
    page = client.get("/performance/completeness?period=2014-15-Q4").get_data(as_text=True)
    for status in ("Received", "Late", "Missing"):
        assert f">{status}</strong>" in page
    future = client.get("/performance/completeness?period=2030-31-Q1").get_data(as_text=True)
    assert ">Not yet due</strong>" in future and "Due 28 Jul 2030" in future


def test_an_admin_sets_how_many_periods_the_direction_of_travel_looks_at(demo, client):
    engagement = demo["% of referrals into the IDVA service that engage with the service"]
    # Its latest figure (2014/15 Q3) is more than a year old on the 2015/16 dashboard: no
    # current direction there; on 2014/15's it is current.
    assert performance_table("2015/16").rows[(engagement.slug, "CAMBS")].direction is None
    assert performance_table("2014/15").rows[(engagement.slug, "CAMBS")].direction == "improving"  # last 4 quarters
    sign_in(client, *ADMIN)
    form = {"name": engagement.name, "slug": engagement.slug, "outcome_id": engagement.outcome_id, "unit": "percent",
            "polarity": "higher_is_better", "aggregation": "none", "decimals": 0, "rag_method": "previous_year",
            "rag_band_kind": "percent", "rag_green_within": 2, "rag_amber_within": 10, "suppress_small_counts": "y"}
    too_few = client.post(f"/admin/indicators/{engagement.id}", data={**form, "trend_periods": 2})
    assert too_few.status_code == 400 and "Enter a number of periods from 3 to 24" in too_few.get_data(as_text=True)
    assert client.post(f"/admin/indicators/{engagement.id}", data={**form, "trend_periods": 8}).status_code == 302
    # Over the last 8 quarters (7 with figures) the rise is 0.5% a quarter: stable.
    assert performance_table("2014/15").rows[(engagement.slug, "CAMBS")].direction == "stable"
