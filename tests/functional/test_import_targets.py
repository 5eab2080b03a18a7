"""Issue 14: targets read from a return keep their provenance (submission, sheet, cell) and
their history (a newer target supersedes the old one, which is kept, never overwritten), as
figures do; the dashboard uses the current one."""
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Area, Indicator, Period, Target
from app.services.dashboard import performance_table
from app.store.indicator_inputs import targets
from tests.conftest import DEMO_ADMIN, DEMO_SUBMISSIONS, signed_in
from tests.functional.test_corpus import CORPUS_DIR, add_corpus_indicators, expected_of, load_template
from tests.functional.test_import_cli import demo_appendix_2, run
from tests.unit.ingest.returns import LWA, filled

SPAN = "2015-12..2016-03"  # the period of the Appendix 2 demo return
LLR_TARGET_CELLS = {f"L{row}" for row in range(6, 13)}  # column L: the LLR targets, one per indicator row


def stored_targets(indicator: str, area: str, period: str) -> list[Target]:
    """Every target stored for indicator × area × period, oldest first."""
    return list(db.session.scalars(
        select(Target).join(Indicator, Target.indicator_id == Indicator.id).join(Area, Target.area_id == Area.id)
        .join(Period, Target.period_id == Period.id)
        .where(Indicator.slug == indicator, Area.code == area, Period.key == period).order_by(Target.id)))


def submission_targets(submission_id: int) -> dict[str, Target]:
    """Cell → target of one submission."""
    return {t.cell: t for t in db.session.scalars(select(Target).where(Target.submission_id == submission_id))}


def test_targets_from_a_return_keep_their_cells_and_a_resubmission_supersedes_them(runner, tmp_path, demo):
    # The demo's target came in on the Appendix 2 it recorded as received (25 April 2016).
    demo_return = demo_appendix_2()
    demo_target = stored_targets("helpline-calls", "LLR", SPAN)
    assert [(t.value, t.submission_id, t.is_current) for t in demo_target] == [(3000, demo_return, True)]

    first_id, second_id = DEMO_SUBMISSIONS + 1, DEMO_SUBMISSIONS + 2
    first = run(runner, tmp_path, filled(), "--agency", LWA)
    assert first.exit_code == 0 and first.output.splitlines()[-1] == (
        f"stored as submission #{first_id}, superseding #{demo_return}"), first.output
    read = submission_targets(first_id)
    assert set(read) == LLR_TARGET_CELLS
    assert all((t.sheet, t.is_current, t.area.code, t.period.key) == ("Appendix 2", True, "LLR", SPAN)
               for t in read.values())
    assert (read["L6"].indicator.slug, read["L6"].value, read["L6"].created_at is not None) == (
        "helpline-calls", 3000, True)
    # The demo's target is kept, superseded by the return's.
    assert [(t.value, t.submission_id, t.cell, t.is_current) for t in stored_targets("helpline-calls", "LLR", SPAN)] \
        == [(3000, demo_return, "L6", False), (3000, first_id, "L6", True)]

    again = run(runner, tmp_path, filled({"L6": 3200}), "--agency", LWA, "--comment", "Target raised")
    assert again.exit_code == 0 and again.output.splitlines()[-1] == (
        f"stored as submission #{second_id}, superseding #{first_id}")
    history = stored_targets("helpline-calls", "LLR", SPAN)
    assert [(t.value, t.submission_id, t.sheet, t.cell, t.is_current) for t in history] == [
        (3000, demo_return, "Appendix 2", "L6", False), (3000, first_id, "Appendix 2", "L6", False),
        (3200, second_id, "Appendix 2", "L6", True)]
    # Every target of the first return is history now; the second's are current.
    assert not any(t.is_current for t in submission_targets(first_id).values())
    assert set(submission_targets(second_id)) == LLR_TARGET_CELLS
    assert all(t.is_current for t in submission_targets(second_id).values())

    # The engine reads the current target only.
    current = targets()
    helpline = current[(current["indicator"] == "helpline-calls") & (current["area"] == "LLR")
                       & (current["period"] == SPAN)]
    assert helpline["value"].tolist() == [3200]
    assert performance_table(SPAN).rows[("helpline-calls", "LLR")].target == 3200


def test_the_submission_pages_list_targets_and_what_changed(runner, tmp_path, client, demo):
    run(runner, tmp_path, filled(), "--agency", LWA)
    run(runner, tmp_path, filled({"L6": 3200}), "--agency", LWA)
    admin = signed_in(client, DEMO_ADMIN)
    second = DEMO_SUBMISSIONS + 2  # after the demo's three
    page = admin.get(f"/returns/submissions/{second}").get_data(as_text=True)
    assert "Targets (7)" in page and "Appendix 2!L6" in page
    changes = admin.get(f"/returns/submissions/{second}/changes").get_data(as_text=True)
    assert "Helpline calls received (target)" in changes and "3,200" in changes


def test_loading_the_demo_again_leaves_a_target_from_a_return(runner, tmp_path, demo):
    run(runner, tmp_path, filled({"L6": 3200}), "--agency", LWA)
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    current = [t for t in stored_targets("helpline-calls", "LLR", SPAN) if t.is_current]
    assert [(t.value, t.submission_id) for t in current] == [(3200, DEMO_SUBMISSIONS + 1)]


@pytest.mark.parametrize("name", ["refuge_occupancy"])
def test_a_corpus_target_row_is_stored_with_its_cells(name, runner, demo):
    expected = expected_of(name)
    wanted = [f for f in expected["figures"] if f["measure"] == "target"]
    assert wanted, "the corpus file has a target row"
    add_corpus_indicators()
    load_template(runner, name)
    result = runner.invoke(args=["returns", "import", str(CORPUS_DIR / expected["file"]),
                                 "--agency", expected["agency"], "--period", expected["period"]])
    assert result.exit_code == 0, result.output
    for figure in wanted:
        [target] = [t for t in stored_targets(figure["indicator"], figure["area"], figure["period"]) if t.is_current]
        assert (target.value, target.sheet, target.cell) == (figure["value"], figure["sheet"], figure["cell"])
        assert target.submission_id is not None
