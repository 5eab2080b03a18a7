"""Issue 14, "Done when": each return of the LibreOffice-written corpus (tests/fixtures/corpus)
is read by ONE template — its ``NAME.template.json`` in the "tables" layout — with every
figure, flag and cell exactly as ``NAME.expected.json`` says, through ``flask returns
import`` and through the web upload, and gives the warnings it lists.

The checks that need no engine (the files, cells and raw values) are in
tests/functional/test_corpus_files.py and pass today."""
import math

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Area, DataValue, Indicator, Outcome, Period, Submission, Target
from tests.conftest import DEMO_ADMIN, signed_in
from tests.functional.test_corpus_files import CORPUS, CORPUS_DIR, EXTRA_INDICATORS, expected_of
from tests.functional.test_import_web import preview_url, text_of, upload



def add_corpus_indicators():
    outcome = Outcome(name=EXTRA_INDICATORS["outcome"], sort_order=90)
    db.session.add(outcome)
    db.session.flush()
    for i, item in enumerate(EXTRA_INDICATORS["indicators"]):
        db.session.add(Indicator(slug=item["slug"], name=item["name"], unit=item["unit"],
                                 polarity=item["polarity"], aggregation=item["aggregation"],
                                 outcome_id=outcome.id, sort_order=900 + i))
    db.session.commit()


def load_template(runner, name):
    result = runner.invoke(args=["templates", "load", str(CORPUS_DIR / f"{name}.template.json")])
    assert result.exit_code == 0, result.output


def stored_values(submission_id: int) -> dict:
    """(indicator, area, period) → (value, flag, sheet, cell) of this submission's current figures."""
    rows = db.session.execute(
        select(Indicator.slug, Area.code, Period.key, DataValue.value, DataValue.flag, DataValue.sheet, DataValue.cell)
        .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id)
        .where(DataValue.submission_id == submission_id, DataValue.is_current.is_(True))
    ).all()
    got = {}
    for slug, code, period, value, flag, sheet, cell in rows:
        assert (slug, code, period) not in got, f"two current figures for {slug} {code} {period}"
        got[(slug, code, period)] = (value, flag, sheet, cell)
    return got


def stored_target(indicator: str, area: str, period: str):
    return db.session.scalar(
        select(Target).join(Indicator, Target.indicator_id == Indicator.id).join(Area, Target.area_id == Area.id)
        .join(Period, Target.period_id == Period.id)
        .where(Indicator.slug == indicator, Area.code == area, Period.key == period, Target.is_current.is_(True))
    )


def same_number(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-6)


def assert_stored_as_expected(name: str, submission: Submission):
    expected = expected_of(name)
    values = stored_values(submission.id)
    wanted = {}
    for figure in expected["figures"]:
        key = (figure["indicator"], figure["area"], figure["period"])
        where = f"{figure['sheet']}!{figure['cell']}"
        if figure["measure"] == "target":
            target = stored_target(*key)
            assert target is not None, f"{where}: no target stored for {key}"
            assert same_number(target.value, figure["value"]), (where, target.value, figure["value"])
            # Issue 14: targets from a return keep their provenance, as figures do.
            assert (target.submission_id, target.sheet, target.cell) == (submission.id, figure["sheet"],
                                                                         figure["cell"]), where
            continue
        wanted[key] = figure
    missing = sorted(set(wanted) - set(values))
    extra = sorted(set(values) - set(wanted))
    assert not missing and not extra, f"missing {missing}; stored but not expected {extra}"
    for key, figure in wanted.items():
        value, flag, sheet, cell = values[key]
        where = f"{figure['sheet']}!{figure['cell']}"
        assert same_number(value, figure["value"]), (where, key, value, figure["value"])
        assert flag == figure["flag"], (where, key, flag)
        assert (sheet, cell) == (figure["sheet"], figure["cell"]), (where, key, sheet, cell)
    warnings = submission.warnings or []
    for warning in expected["warnings"]:
        assert any(w["sheet"] == warning["sheet"] and w["cell"] == warning["cell"]
                   and warning["contains"].casefold() in w["message"].casefold() for w in warnings), (warning, warnings)


@pytest.mark.parametrize("name", CORPUS)
def test_each_corpus_file_imports_from_the_command_line(name, app, runner, demo):
    expected = expected_of(name)
    add_corpus_indicators()
    load_template(runner, name)
    result = runner.invoke(args=["returns", "import", str(CORPUS_DIR / expected["file"]),
                                 "--agency", expected["agency"], "--period", expected["period"]])
    assert result.exit_code == 0, result.output
    assert f"({expected['template']})" in result.output.splitlines()[0], result.output
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission is not None and submission.template.slug == expected["template"]
    assert_stored_as_expected(name, submission)


@pytest.mark.parametrize("name", CORPUS)
def test_each_corpus_file_imports_through_the_web_upload(name, app, client, runner, demo):
    expected = expected_of(name)
    add_corpus_indicators()
    load_template(runner, name)
    admin = signed_in(client, DEMO_ADMIN)
    data = (CORPUS_DIR / expected["file"]).read_bytes()
    page = admin.get(preview_url(upload(admin, data, expected["file"], agency=expected["agency"],
                                        period=expected["period"])))
    assert page.status_code == 200, text_of(page)[:2000]
    assert "0 errors" in text_of(page), text_of(page)[:3000]
    confirmed = admin.post(page.request.path + "/confirm", data={"comment": "Corpus file, as the agency sent it."})
    assert confirmed.status_code == 302, text_of(confirmed)[:2000]
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission.filename == expected["file"] and submission.template.slug == expected["template"]
    assert_stored_as_expected(name, submission)
