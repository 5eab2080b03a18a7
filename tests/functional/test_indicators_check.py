"""``flask indicators check``: whether the kept indicator results equal a recompute, changing
nothing; after a figure is deleted in SQL (which no write hook sees) it names what differs and
exits 1, and ``flask indicators recompute --all`` puts it right."""
from sqlalchemy import func, select, text

from app.extensions import db
from app.models import Area, DataValue, Indicator, IndicatorFigure, IndicatorResult, Period
from app.services import results
from tests.functional.test_indicator_results import PERIOD


def test_the_check_finds_the_kept_results_equal_after_the_demo_load(demo, runner):
    figures = db.session.scalar(select(func.count(IndicatorFigure.id)))
    rows = db.session.scalar(select(func.count(IndicatorResult.id)))
    checked = runner.invoke(args=["indicators", "check"])
    assert checked.exit_code == 0, checked.output
    assert checked.output == (f"The kept indicator results equal a recompute from the stored figures: {figures:,} "
                              f"figures and {rows:,} dashboard rows.\n")


def test_a_figure_deleted_in_sql_is_named_and_nothing_is_changed_until_a_recompute(demo, runner):
    helpline = db.session.scalar(select(Indicator).where(Indicator.slug == "helpline-calls"))
    blaby = db.session.scalar(select(Area).where(Area.code == "B"))
    value_id = db.session.scalar(select(DataValue.id).join(Period).where(
        DataValue.indicator_id == helpline.id, DataValue.area_id == blaby.id, Period.key == PERIOD.key,
        DataValue.is_current.is_(True)))
    db.session.execute(text("DELETE FROM data_value WHERE id = :id"), {"id": value_id})  # behind the app's back
    db.session.commit()
    kept = results.snapshot()
    db.session.rollback()

    checked = runner.invoke(args=["indicators", "check"])
    assert checked.exit_code == 1, checked.output
    lines = checked.output.splitlines()
    assert lines[0].startswith("The kept indicator results differ from a recompute from the stored figures: ")
    assert f"  Figure: {helpline.name}, Blaby, {PERIOD.label}: kept but not in a recompute" in lines
    # Blaby's row on that quarter's dashboard, and the county's total, moved too.
    assert f"  Dashboard row: {helpline.name}, Blaby, the {PERIOD.label} dashboard: kept but not in a recompute" \
        in lines
    assert lines[-1] == "Run `flask indicators recompute --all` to rebuild them."
    assert results.snapshot() == kept  # the check changed nothing
    db.session.rollback()

    assert runner.invoke(args=["indicators", "recompute", "--all"]).exit_code == 0
    again = runner.invoke(args=["indicators", "check"])
    assert again.exit_code == 0 and again.output.startswith("The kept indicator results equal a recompute")
