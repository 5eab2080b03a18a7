"""``flask demo load`` records the returns its board papers' figures came in on: Appendix 2
received 25 April 2016 (on time), the police's 2015/16 crime rates 3 May (3 days late), Table 2
9 May (11 days late), each a submission whose figures point to their sheet and cell, as an
upload's do; the returns the papers have no figures for are still outstanding."""
import re
from datetime import date

from sqlalchemy import func, select

from app.extensions import db
from app.models import Area, DataValue, Indicator, Period, ReturnDue, Submission, Target
from tests.conftest import DEMO_LWA_OFFICER, DEMO_MANAGER, signed_in


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)).split()).replace("&#39;", "'")


def figure(indicator_name: str, area_code: str, period_key: str) -> DataValue:
    return db.session.scalar(select(DataValue).join(Indicator).join(Area).join(Period).where(
        Indicator.name == indicator_name, Area.code == area_code, Period.key == period_key,
        DataValue.is_current.is_(True)))


def test_the_demo_records_its_board_papers_returns_as_received(demo):
    received = {s.template.slug: (s.agency.slug, s.period.key, s.received_on, s.status, s.source)
                for s in db.session.scalars(select(Submission))}
    assert received == {
        "appendix-2-da-sv-outputs": ("living-without-abuse", "2015-12..2016-03", date(2016, 4, 25), "current", "demo"),
        "police-crime-rates": ("leicestershire-police", "2015/16", date(2016, 5, 3), "current", "demo"),
        "table-2-da-sv-outcomes": ("living-without-abuse", "2015-12..2016-03", date(2016, 5, 9), "current", "demo"),
    }


def test_each_seed_figure_of_a_return_points_to_its_submission_sheet_and_cell(demo, seed):
    by_template = {s.template.slug: s for s in db.session.scalars(select(Submission))}
    appendix_2, police, table_2 = (by_template[slug] for slug in (
        "appendix-2-da-sv-outputs", "police-crime-rates", "table-2-da-sv-outcomes"))
    blaby = figure("Helpline calls received", "B", "2015-12..2016-03")
    assert (blaby.value, blaby.submission_id, blaby.sheet, blaby.cell) == (39, appendix_2.id, "Appendix 2", "C6")
    crime = figure("Total Crime rate (per 1,000 population)", "LC", "2015/16")
    assert (crime.value, crime.submission_id, crime.sheet, crime.cell) == (47.21, police.id, "Crime rates", "C6")
    training = figure("Local practitioners report an increase in confidence in dealing with SVDV, post training",
                      "LC", "2015-12..2016-03")
    assert (training.flag, training.note, training.submission_id, training.sheet) == (
        "not_available", "no training courses run yet", table_2.id, "Table 2")
    # Every figure of those returns' periods came in on them: 63 in Appendix 2 (7 rows, 9 areas),
    # 10 in Table 2, 4 crime rates; last year's crime rates stay the seed's.
    counts = dict(db.session.execute(select(DataValue.submission_id, func.count()).where(
        DataValue.is_current.is_(True)).group_by(DataValue.submission_id)).all())
    assert (counts[appendix_2.id], counts[table_2.id], counts[police.id]) == (63, 10, 4)
    assert figure("Total Crime rate (per 1,000 population)", "LC", "2014/15").submission_id is None
    # The LLR targets came in on Appendix 2, Table 2's on Table 2; none is held twice.
    targets = dict(db.session.execute(select(Target.submission_id, func.count()).group_by(Target.submission_id)).all())
    assert targets == {appendix_2.id: 7, table_2.id: 10}
    assert db.session.scalar(select(func.count()).select_from(DataValue).where(DataValue.is_current.is_(False))) == 0


def test_the_schedule_shows_them_received_and_the_rest_outstanding(demo, client):
    signed_in(client, DEMO_MANAGER)
    rates = text_of(client.get("/performance/reporting-rates"))
    assert "3 of 5 expected returns received (60%), 1 on time (20%)" in rates
    home = text_of(client.get("/"))
    assert "2 expected returns have not come in (60% received over the last 8 periods)" in home
    outstanding = {(d.template.slug, d.period.key) for d in db.session.scalars(select(ReturnDue))
                   if d.due_date < date(2016, 6, 8)} - {(s.template.slug, s.period.key)
                                                         for s in db.session.scalars(select(Submission))}
    assert outstanding == {("cambridgeshire-da-quarterly", "2015/16 Q4"), ("rotherham-table-4", "2016-04")}


def test_an_officer_sees_what_the_demo_received_for_them(demo, client):
    signed_in(client, DEMO_LWA_OFFICER)
    submission = db.session.scalar(select(Submission).where(Submission.received_on == date(2016, 4, 25)))
    page = text_of(client.get(f"/returns/submissions/{submission.id}"))
    assert "Received 25 April 2016: recorded by the demo partnership from its board papers" in page
    assert "Appendix 2 of the board paper: on time." in page
