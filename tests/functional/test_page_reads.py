"""Issue 16 (bench/load): the pages a board manager reads most (the dashboard, which
returns have come in, the reporting rates and the start page) read the database a fixed
number of times, however many templates and agencies owe returns, and a page that finds
the return schedule up to date writes nothing (before: each template's agencies, versions
and "as at" date were read one by one, and every page view committed)."""
import json
from contextlib import contextmanager

from sqlalchemy import event, select

from app.definition import RowSpec, SheetLayout, TemplateDefinition, decimal_rule
from app.extensions import db
from app.models import ReturnDue, ReturnTemplate
from tests.conftest import DEMO_ADMIN, DEMO_MANAGER, signed_in

PAGES = ["/performance/completeness", "/performance/completeness?period=2015-16", "/performance/reporting-rates",
         "/", "/dashboard/2015-16", "/dashboard/2015-16?area=LC"]
AGENCIES = ["blaby-district-council", "charnwood-borough-council", "harborough-district-council",
            "melton-borough-council"]


@contextmanager
def counted():
    """Statements sent and transactions committed while inside."""
    found = {"statements": 0, "commits": 0}

    def statement(*_args):
        found["statements"] += 1

    def commit(*_args):
        found["commits"] += 1

    event.listen(db.engine, "before_cursor_execute", statement)
    event.listen(db.engine, "commit", commit)
    try:
        yield found
    finally:
        event.remove(db.engine, "before_cursor_execute", statement)
        event.remove(db.engine, "commit", commit)


def reads(client) -> dict[str, dict]:
    out = {}
    for page in PAGES:
        with counted() as found:
            response = client.get(page)
        assert response.status_code == 200, (page, response.status_code)
        out[page] = found
    return out


def another_template(runner, tmp_path, slug: str, indicator: str) -> None:
    """A quarterly return of one indicator published for four district councils."""
    definition = TemplateDefinition(
        slug=slug, name=f"Return {slug}", frequency="quarterly", agencies=AGENCIES, due_days=28,
        instructions="Enter the figure for the quarter.",
        sheets=[SheetLayout(name="Return", layout="label_value", default_area="LC", rows=[
            RowSpec(label="The figure", indicator=indicator, rule=decimal_rule())])])
    path = tmp_path / f"{slug}.json"
    path.write_text(json.dumps(definition.to_dict()))
    result = runner.invoke(args=["templates", "load", str(path)])
    assert result.exit_code == 0 and "published" in result.output, result.output


def test_the_managers_pages_read_as_often_with_more_templates_and_write_nothing(demo, client, runner, tmp_path):
    signed_in(client, DEMO_MANAGER)
    reads(client)  # the schedule brought up to date, if it was not
    before = reads(client)
    assert {page: found["commits"] for page, found in before.items()} == {page: 0 for page in PAGES}

    for slug, indicator in (("district-return-a", "hate-incidents-rate"), ("district-return-b", "asb-victims-pct")):
        another_template(runner, tmp_path, slug, indicator)
    signed_in(client, DEMO_ADMIN)
    for slug in ("district-return-a", "district-return-b"):
        template_id = db.session.scalar(select(ReturnTemplate.id).where(ReturnTemplate.slug == slug))
        response = client.post("/performance/schedule/start", data={"template_id": template_id,
                                                                    "schedule_from": "2014/15 Q1"})
        assert response.status_code == 302
    owed = db.session.scalar(select(db.func.count(ReturnDue.id)).join(ReturnTemplate)
                             .where(ReturnTemplate.slug.like("district-return-%")))
    assert owed >= 2 * 4 * 8  # each agency, every quarter from 2014/15 Q1 to the demo's "as at" date

    signed_in(client, DEMO_MANAGER)
    after = reads(client)
    assert {page: found["statements"] for page, found in after.items()} == \
        {page: found["statements"] for page, found in before.items()}
    assert {page: found["commits"] for page, found in after.items()} == {page: 0 for page in PAGES}


def test_a_schedule_row_another_worker_added_a_moment_before_does_not_fail_the_page(demo, client, monkeypatch):
    """Two workers bringing the schedule up to date at once: the second's rows are refused by
    the unique key; it reads again what is still missing (nothing) and shows the page."""
    from app.services import schedule

    signed_in(client, DEMO_MANAGER)
    assert client.get(PAGES[0]).status_code == 200  # the schedule up to date
    latest = db.session.scalar(select(db.func.max(ReturnDue.period_id)))
    gone = [(r.template_id, r.agency_id, r.period_id, r.due_date)
            for r in db.session.scalars(select(ReturnDue).where(ReturnDue.period_id == latest))]
    assert gone
    db.session.execute(ReturnDue.__table__.delete().where(ReturnDue.period_id == latest))
    db.session.commit()

    real, calls = schedule._missing_due_returns, []

    def raced(until=None):
        missing = real(until)
        calls.append(len(missing))
        if len(calls) == 1:  # another worker commits the same rows before this one does
            with db.engine.begin() as other_worker:
                other_worker.execute(ReturnDue.__table__.insert(), [
                    {"template_id": t, "agency_id": a, "period_id": p, "due_date": d} for t, a, p, d in gone])
        return missing

    monkeypatch.setattr(schedule, "_missing_due_returns", raced)
    assert client.get(PAGES[0]).status_code == 200
    assert calls == [len(gone), 0]
    assert db.session.scalar(select(db.func.count(ReturnDue.id)).where(ReturnDue.period_id == latest)) == len(gone)
