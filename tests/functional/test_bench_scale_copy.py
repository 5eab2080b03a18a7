"""bench/scale and bench/neighbours build their largest databases by copying a county's
figures and kept results by SQL (bench/scale_db.py, ``clone_county``). The copy must be a
database the app could have built itself: its kept results equal what a full recompute
(``flask indicators recompute --all``) makes of it, after the copy and after another
county's returns are imported through the services beside it."""
import sys
from pathlib import Path

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Area, DataValue, Indicator, Period, Submission

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from scale_db import check_clone, clone_county, import_quarters, quarter_keys, set_up  # noqa: E402


@pytest.fixture
def sqlite_only(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("the benches build SQLite databases; the copy uses SQLite's temporary tables")
    return app


def test_a_copied_county_equals_a_full_recompute(sqlite_only):
    assert check_clone(indicators=4, quarters=6) == []


def test_a_copy_has_the_figures_of_its_source_under_its_own_areas_agency_and_submissions(sqlite_only):
    definitions = set_up(3, 2)
    import_quarters(definitions[:1], quarter_keys(2), 1, say=lambda _: None)
    copied = clone_county(1, 2)
    assert copied == {"submission": 2, "data_value": 3 * 8 * 2, "indicator_figure": 3 * 8 * 2,
                      "indicator_result": 3 * 8 * 2}
    rows = db.session.execute(select(Area.code, Indicator.slug, Period.key, DataValue.value, Agency.slug,
                                     Submission.agency_id == DataValue.agency_id)
                              .join(Area, DataValue.area_id == Area.id).join(Indicator).join(Period)
                              .join(Agency, DataValue.agency_id == Agency.id)
                              .join(Submission, DataValue.submission_id == Submission.id)).all()
    first = {(code[2:], slug, key): value for code, slug, key, value, agency, _ in rows if code.startswith("C1")}
    second = {(code[2:], slug, key): value for code, slug, key, value, agency, _ in rows if code.startswith("C2")}
    assert len(first) == 48 and first == second
    assert {(code[:2], agency, same) for code, _, _, _, agency, same in rows} == {
        ("C1", "agency-c1", True), ("C2", "agency-c2", True)}
