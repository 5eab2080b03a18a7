"""``flask demo load``: idempotent, and reproduces every figure in seed_figures.json."""
import math

import pytest
from sqlalchemy import select, text

from app.extensions import db
from app.models import Area, DataValue, Indicator, Period, Target, User
from tests.conftest import DEMO_MANAGER, signed_in



# Kept indicator results are rewritten when the demo's figures are: the same rows, but on
# PostgreSQL with new ids (its sequences never reuse one), so they are compared without them.
REWRITTEN = {"indicator_figure", "indicator_result"}


def snapshot() -> dict:
    """Every row of every table, except the audit log (which records each run)."""
    tables = {}
    for table in db.metadata.sorted_tables:
        if table.name == "audit_event":
            continue
        if table.name in REWRITTEN:
            columns = [c for c in table.columns if c.name != "id"]
            rows = db.session.execute(select(*columns)).all()
            tables[table.name] = sorted((tuple(r) for r in rows), key=repr)
            continue
        rows = db.session.execute(select(table).order_by(*table.primary_key.columns)).all()
        tables[table.name] = [tuple(r) for r in rows]
    return tables


@pytest.fixture
def loaded(runner):
    """``flask demo load`` run here, into the empty database (the other tests read the
    suite's copy of what it stores: the ``demo`` fixture)."""
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    return result


def test_demo_load_prints_a_login_per_role(loaded):
    for role in ("admin", "manager", "dhr_coordinator", "officer"):
        assert f"  {role} " in loaded.output
    assert "demo-admin-pass" in loaded.output


def test_demo_load_twice_gives_the_same_database(loaded, runner):
    first = snapshot()
    assert sum(len(rows) for rows in first.values()) > 200
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert snapshot() == first


def test_demo_users_can_sign_in(demo, client):
    signed_in(client, DEMO_MANAGER)
    officer = db.session.scalar(select(User).where(User.email == "police.officer@demo.saferreturns.org.uk"))
    assert officer.role == "officer" and officer.agency.slug == "leicestershire-police"


def stored(indicator_name: str, area_code: str, period_key: str) -> DataValue | None:
    indicator_name = indicator_name.replace("poulation", "population")
    return db.session.scalar(
        select(DataValue)
        .join(Indicator)
        .join(Area)
        .join(Period)
        .where(
            Indicator.name == indicator_name,
            Area.code == area_code,
            Period.key == period_key,
            DataValue.is_current.is_(True),
        )
    )


def assert_figure(name, area, period_key, expected, flag="actual"):
    row = stored(name, area, period_key)
    assert row is not None, f"missing {name} / {area} / {period_key}"
    assert row.flag == flag, (name, area, period_key, row.flag)
    if expected is None:
        assert row.value is None
    else:
        assert math.isclose(row.value, float(expected)), (name, area, period_key, row.value, expected)
    return row


def test_appendix_1_dashboard_figures(demo, seed):
    count = 0
    for outcome in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        for ind in outcome["indicators"]:
            prev_key = ind.get("previous_period", "2014-15").replace("-", "/")
            latest = ind.get("latest_period", "2015-16")
            latest_key = {"Apr-Dec 2015": "2015-04..2015-12"}.get(latest, latest.replace("-", "/"))
            assert_figure(ind["name"], "LC", prev_key, ind["previous"])
            row = assert_figure(ind["name"], "LC", latest_key, ind["latest"], ind.get("latest_flag", "actual"))
            count += 2
            indicator = row.indicator
            assert indicator.polarity == (ind.get("polarity") or "neutral")
            if ind.get("unit"):
                assert indicator.unit == ind["unit"]
            if ind.get("progress"):
                assert (indicator.rag_method, indicator.rag_green_within, indicator.rag_amber_within) == (
                    "previous_year",
                    2,
                    10,
                )
    assert count == 24
    # The 1,400 is an estimate, never an actual.
    assert stored("Number of referrals to domestic abuse support services (adults)", "LC", "2015/16").flag == "estimate"


def test_appendix_2_district_table_and_llr_targets(demo, seed):
    table = seed["leicestershire_da_sv_service_dec2015_mar2016"]
    districts = seed["leicestershire_dashboard_2015_16_q4"]["area_codes"]
    codes = [districts[a] for a in table["columns"][:7]] + ["LC", "LLR"]
    for name, row in table["rows"].items():
        for code, value in zip(codes, row[:9]):
            assert_figure(name, code, "2015-12..2016-03", value)
        target = db.session.scalar(
            select(Target).join(Indicator).join(Area).join(Period)
            .where(Indicator.name == name, Area.code == "LLR", Period.key == "2015-12..2016-03")
        )
        assert target is not None and target.value == row[9]
        # The seed's own check: the county total is the sum of the districts.
        assert sum(row[:7]) == row[7]


def test_table_2_outcomes_with_not_available_reasons(demo, seed):
    for row in seed["leicestershire_da_sv_outcomes_dec2015_mar2016"]["rows"]:
        if row["performance"] is None:
            stored_row = assert_figure(row["outcome"], "LC", "2015-12..2016-03", None, "not_available")
            assert stored_row.note == row["not_available_reason"]
        else:
            assert_figure(row["outcome"], "LC", "2015-12..2016-03", row["performance"])
        target = db.session.scalar(
            select(Target).join(Indicator).where(Indicator.name == row["outcome"])
        )
        assert target.value == row["target"] and target.area.code == "LC"


def test_cambridgeshire_quarters_and_not_released(demo, seed):
    for label, ind in seed["cambridgeshire_da_quarterly_2014_15"]["indicators"].items():
        # "Refuge occupancy rate - Hunts" is the refuge occupancy rate for Huntingdonshire.
        name, area = label, "CAMBS"
        if " - " in label:
            name, place = label.rsplit(" - ", 1)
            area = {"Cambridge": "CAM", "Hunts": "HUNTS", "Fenland": "FEN"}[place]
        for year in ("2014/15", "2013/14"):
            for q, value in enumerate(ind.get(year) or [], start=1):
                key = f"{year} Q{q}"
                if value is not None:
                    assert_figure(name, area, key, value)
                elif "not yet released" in ind.get("note", "") and year == "2014/15" and q in (2, 3):
                    assert_figure(name, area, key, None, "not_released")
                else:
                    # A figure nobody has supplied is absent: never stored as zero.
                    assert stored(name, area, key) is None
        if "total_2013_14" in ind:
            assert_figure(name, area, "2013/14", ind["total_2013_14"])


def test_rotherham_rolling_twelve_months_and_year_to_date(demo, seed):
    keys = ["2015-11..2016-10", "2016-11..2017-10", None, "2017-04..2017-10"]
    for name, row in seed["rotherham_da_table4_2017"]["rows"].items():
        for key, value in zip(keys, row):
            if key is None:
                continue
            expected = float(value.rstrip("%")) if isinstance(value, str) else value
            assert_figure(name, "ROTH", key, expected)


def test_no_missing_figure_is_stored_as_zero(demo):
    zero_rows = db.session.execute(text("SELECT count(*) FROM data_value WHERE value = 0")).scalar()
    # The only true zero in the seeds is NWLDC's business line calls.
    assert zero_rows == 1
    assert stored("Business line calls received", "NW", "2015-12..2016-03").value == 0


def test_district_populations_sum_to_the_county(demo, seed):
    county = db.session.scalar(select(Area).where(Area.code == "LC"))
    districts = [a for a in county.children if a.kind == "district"]
    codes = seed["leicestershire_dashboard_2015_16_q4"]["area_codes"].values()
    assert sorted(a.code for a in districts) == sorted(codes)
    assert sum(a.population_for(2015) for a in districts) == county.population_for(2015)


def test_demo_templates_pass_the_publish_overlap_check(demo, runner, tmp_path):
    """The demo publishes its templates with the check every publication passes: once an
    admin has published another template delivering the DHR budget return's figures for
    Leicestershire County Council, reloading the demo (whose return is the county
    council's) is refused, says why, and changes nothing."""
    import json

    dumped = runner.invoke(args=["templates", "dump", "dhr-budget-return"])
    assert dumped.exit_code == 0, dumped.output
    budget = json.loads(dumped.output)
    # The admin hands the demo's return to Rutland, then publishes the county council's own.
    rutland, county = tmp_path / "rutland.json", tmp_path / "county.json"
    rutland.write_text(json.dumps({**budget, "agencies": ["rutland-county-council"]}))
    county.write_text(json.dumps({**budget, "slug": "county-dhr-budget", "name": "County DHR budget"}))
    for path, line in ((rutland, "dhr-budget-return\tversion 2\tpublished\tloaded"),
                       (county, "county-dhr-budget\tversion 1\tpublished\tloaded")):
        loaded = runner.invoke(args=["templates", "load", str(path)])
        assert loaded.exit_code == 0 and loaded.output.strip() == line, loaded.output
    before = snapshot()

    again = runner.invoke(args=["demo", "load"])

    assert again.exit_code == 1
    assert again.stderr.splitlines()[0].startswith(
        "'Domestic Homicide Review pooled budget' cannot be published: 'County DHR budget' is already published for "
        "Leicestershire County Council and would deliver the same figures. For example, in a return for 2020/21, "
        "'Reserve carried forward from last year' for Leicestershire would come from row")
    assert again.stderr.splitlines()[-1] == "The demo partnership was not loaded: nothing was changed."
    assert "Demo partnership loaded" not in again.output
    db.session.expire_all()
    assert snapshot() == before
