"""The indicator results kept in the database stay right (issue 16): after every write a
partnership makes (imports, resubmissions, overrides, target edits, sign-offs, population
and rule edits) the kept figures and rows equal a recompute from scratch, a page read
right after a commit shows the new figure, and ``flask indicators recompute`` and
migration 0013 rebuild them."""
import flask_migrate
from sqlalchemy import delete, func, select

from app.extensions import db
from app.models import Area, DataValue, Indicator, IndicatorFigure, IndicatorResult, Period, Target, User
from app.periods import parse_period
from app.services import admin, ratings, results, sign_off, targets
from app.services.dashboard import period_slug, performance_table
from app.services.returns import import_return
from tests.conftest import DEMO_ADMIN, DEMO_MANAGER, signed_in
from tests.unit.ingest.returns import LWA, SEED_PERIOD, filled

PERIOD = parse_period(SEED_PERIOD)  # Appendix 2's Dec 2015 – Mar 2016


def user(login) -> User:
    return db.session.scalar(select(User).where(User.email == login[0]))


def assert_equal_to_a_recompute(step: str) -> None:
    """The kept results equal those worked out from scratch (which are then thrown away,
    so the next step starts from what the writes themselves kept)."""
    kept = results.snapshot()
    assert kept["rows"], step
    results.recompute()
    fresh = results.snapshot()
    db.session.rollback()
    assert kept["figures"].keys() == fresh["figures"].keys(), step
    assert kept["figures"] == fresh["figures"], step
    assert kept["rows"].keys() == fresh["rows"].keys(), step
    different = [key for key in fresh["rows"] if kept["rows"][key] != fresh["rows"][key]]
    assert not different, (step, different[:3])


def helpline_row(period=PERIOD.key, area="B"):
    return performance_table(period).rows[("helpline-calls", area)]


def test_kept_results_equal_a_recompute_after_every_write(demo, client):
    assert_equal_to_a_recompute("demo load")
    assert helpline_row().latest == 39

    # An import: Appendix 2 from Living Without Abuse, with a figure and a target.
    import_return(filled({"C6": 4321, "J6": 734 - 39 + 4321}), "first.xlsx", agency_slug=LWA)
    assert_equal_to_a_recompute("import")
    assert helpline_row().latest == 4321 and helpline_row(area="LC").latest == 5016
    with signed_in(client, DEMO_MANAGER):
        page = client.get(f"/dashboard/{period_slug(PERIOD)}?area=B").get_data(as_text=True)
    assert "4,321" in page

    # A resubmission supersedes it: the page read right after shows the corrected figure.
    import_return(filled({"C6": 40, "J6": 735}), "second.xlsx", agency_slug=LWA)
    assert_equal_to_a_recompute("resubmission")
    with signed_in(client, DEMO_MANAGER):
        page = client.get(f"/dashboard/{period_slug(PERIOD)}?area=B").get_data(as_text=True)
    assert "4,321" not in page and ">40<" in page.replace(" ", "").replace("\n", "")
    assert (helpline_row().latest, helpline_row(area="LC").latest) == (40, 735)

    # A manager's override: shown on the row, the kept engine rating unchanged.
    helpline = db.session.scalar(select(Indicator).where(Indicator.slug == "helpline-calls"))
    before = helpline_row(area="LC")
    ratings.set_rating(SEED_PERIOD, helpline.id, "LC", "override", "A", "Calls moved to the new line",
                       user(DEMO_MANAGER))
    assert_equal_to_a_recompute("override")
    after = helpline_row(area="LC")
    assert (after.rag, after.rag_overridden, after.calculated) == ("A", True, before.calculated)

    # A target edit through the targets page's service: the row is rated against the new value.
    target = db.session.scalar(select(Target).join(Indicator).where(Target.is_current.is_(True),
                                                                    Indicator.rag_method == "target"))
    slug, code, key, value = target.indicator.slug, target.area.code, target.period.key, target.value * 2 + 7
    targets.set_target(target.indicator_id, target.area_id, target.period.label, value, None, None, user(DEMO_ADMIN))
    assert_equal_to_a_recompute("target edit")
    assert performance_table(key).rows[(slug, code)].target == value

    # A sign-off, then a population and a rule edit through the admin service.
    sign_off.sign_off("2015/16", user(DEMO_MANAGER))
    assert_equal_to_a_recompute("sign-off")
    county = db.session.scalar(select(Area).where(Area.code == "LC"))
    admin.save_area({"name": county.name, "code": county.code, "kind": county.kind, "parent_id": county.parent_id,
                     "population": 700000, "population_year": 2015}, user(DEMO_ADMIN), county)
    assert_equal_to_a_recompute("population")
    burglary = db.session.scalar(select(Indicator).where(Indicator.slug == "domestic-burglary-rate"))
    row = performance_table("2015/16").rows[("domestic-burglary-rate", "LC")]
    assert (row.rag, row.rag_reason) == ("R", "Worse than last year by 13.9% (more than 10%): Red")
    burglary.rag_amber_within = 20  # an admin's rule edit, as the indicator page's service writes it
    db.session.commit()
    assert_equal_to_a_recompute("rule edit")
    row = performance_table("2015/16").rows[("domestic-burglary-rate", "LC")]
    assert (row.rag, row.rag_reason) == ("A", "Worse than last year by 13.9% (more than 2%, within 20%): Amber")


def test_a_one_area_view_reads_only_that_area_and_completeness_reads_no_engine(demo, monkeypatch):
    full = performance_table("2015/16")
    county = performance_table("2015/16", area="LC")
    districts = {a.code for a in full.areas if a.parent == "LC"}
    assert {area for _, area in county.rows} <= {"LC"} | districts
    for key, row in county.rows.items():
        assert (row.latest, row.rag, row.strip) == (full.rows[key].latest, full.rows[key].rag, full.rows[key].strip)

    # Completeness lists incomplete totals from the kept rows: the engine is never called.
    from app.indicators import rows as engine

    def refuse(*_args, **_kwargs):
        raise AssertionError("the engine ran")

    monkeypatch.setattr(engine, "engine_rows", refuse)
    monkeypatch.setattr(engine, "result_rows", refuse)
    from app.services.schedule import completeness_view
    view = completeness_view("2015/16")
    assert view.gaps == [(full.indicators[r.indicator].name, full.area_by_code[r.area].name, r.aggregate_message)
                         for r in full.in_order(full.rows.values())
                         if r.aggregate_status == "incomplete" and r.aggregate_message]
    performance_table("2015/16", area="LC")  # the dashboard reads kept rows too


def test_flask_indicators_recompute_rebuilds_what_is_lost(demo, runner):
    kept = results.snapshot()
    db.session.execute(delete(IndicatorResult))
    db.session.execute(delete(IndicatorFigure))
    db.session.commit()
    output = runner.invoke(args=["indicators", "recompute", "--all"])
    assert output.exit_code == 0, output.output
    figures = db.session.scalar(select(func.count(IndicatorFigure.id)))
    rows = db.session.scalar(select(func.count(IndicatorResult.id)))
    periods = db.session.scalar(select(func.count(Period.id)).where(
        Period.id.in_(select(DataValue.period_id).where(DataValue.is_current.is_(True)))))
    assert f"Rebuilt the indicator results: {figures:,} figures and {rows:,} dashboard rows over {periods:,} " \
           "periods." in output.output
    assert results.snapshot() == kept

    one = runner.invoke(args=["indicators", "recompute", "--indicator", "helpline-calls"])
    assert one.exit_code == 0 and results.snapshot() == kept
    unknown = runner.invoke(args=["indicators", "recompute", "--indicator", "no-such-thing"])
    assert unknown.exit_code == 1 and "There is no indicator with the short name no-such-thing." in unknown.output
    neither = runner.invoke(args=["indicators", "recompute"])
    assert neither.exit_code == 2 and "Say what to rebuild: --all, or --indicator" in neither.output


def test_migration_0013_fills_the_results_from_what_is_stored(demo):
    kept = results.snapshot()
    db.session.remove()  # no session holding locks that would block DDL on PostgreSQL
    flask_migrate.downgrade(revision="0013_indicator_results-1")  # the revision before it
    flask_migrate.upgrade()
    assert results.snapshot() == kept
    db.session.remove()


def test_a_new_quarter_reads_the_years_its_rows_use_and_they_equal_a_recompute(app, monkeypatch):
    """Issue 16: an import pays for its rows without re-reading the whole history. Six
    years of quarterly burglaries in two districts; a new quarter reads about two years of
    them (the same quarter last year and a four-quarter trend), and an indicator whose
    latest figure is five years old is still read far enough back to show it."""
    from app.store.reference import period_row
    from tests.factories import make_area, make_indicator

    county = make_area("Shire", "SH", kind="county")
    districts = [make_area(name, code, parent_id=county.id) for name, code in (("North", "N"), ("South", "S"))]
    burglary = make_indicator("Burglaries", polarity="lower_is_better", aggregation="sum",
                              rag_method="previous_year")
    cohort = make_indicator("Offenders engaged", polarity="higher_is_better", aggregation="sum")
    quarters = [f"{y}/{(y + 1) % 100:02d} Q{q}" for y in range(2010, 2016) for q in (1, 2, 3, 4)]

    def store(indicator, key, values):
        period = period_row(key)
        db.session.add_all(DataValue(indicator_id=indicator.id, area_id=area.id, period_id=period.id, value=value)
                           for area, value in zip(districts, values))
        db.session.commit()

    for key in quarters[:4]:
        store(cohort, key, (12, 15))
    for n, key in enumerate(quarters[:-1]):
        store(burglary, key, (40 + n % 4, 30 + n % 3))
    reads = []
    real = results.read_figures

    def counted(*args, **kwargs):
        frame = real(*args, **kwargs)
        reads.append(frame)
        return frame

    monkeypatch.setattr(results, "read_figures", counted)
    store(burglary, quarters[-1], (44, 29))
    monkeypatch.undo()
    read_burglary = {p for frame in reads for p in frame.loc[frame["indicator"] == burglary.slug, "period"]}
    assert read_burglary and min(read_burglary, key=lambda k: parse_period(k).start) >= "2013/14 Q1"
    assert len(read_burglary) < len(quarters) / 2  # two years or so of six
    newest = performance_table(quarters[-1]).rows
    assert newest[(burglary.slug, "N")].latest == 44 and newest[(burglary.slug, "N")].previous == 40 + 19 % 4
    assert newest[(cohort.slug, "SH")].latest == 27 and newest[(cohort.slug, "SH")].period == "2010/11 Q4"
    assert_equal_to_a_recompute("a new quarter after six years")


def test_an_imports_refresh_costs_the_database_no_more_after_eight_years_than_after_two(app, monkeypatch):
    """Issue 16: the queries that bring the kept results up to date look figures, rows,
    targets and notes up by period, so a new quarter's refresh (and a resubmission of it)
    costs the database about the same after 32 quarters of history as after 8. Measured
    as SQLite's virtual-machine steps (they do not depend on how busy the machine is);
    a query reading every figure an indicator ever had grows four-fold."""
    import pytest
    from app.store.reference import period_row
    from tests.factories import make_area, make_indicator

    if db.engine.dialect.name != "sqlite":
        pytest.skip("counts SQLite's virtual-machine steps")
    county = make_area("Shire", "SH", kind="county")
    districts = [make_area(f"District {n}", f"D{n}", parent_id=county.id) for n in range(6)]
    indicators = [make_indicator(f"Count {n}", polarity="lower_is_better", aggregation="sum",
                                 rag_method="previous_year") for n in range(8)]
    quarters = [f"{y}/{(y + 1) % 100:02d} Q{q}" for y in range(2008, 2017) for q in (1, 2, 3, 4)]

    def store(keys, base=0):
        for key in keys:
            period = period_row(key)
            db.session.add_all(
                DataValue(indicator_id=i.id, area_id=a.id, period_id=period.id, value=10 + base + n + m,
                          note="Counted by hand" if (n, m) == (0, 0) else None)
                for n, i in enumerate(indicators) for m, a in enumerate(districts))
            db.session.add_all(Target(indicator_id=i.id, area_id=county.id, period_id=period.id, value=50)
                               for i in indicators)
        db.session.commit()

    steps = [0]

    def counted(*args, **kwargs):
        raw = db.session.connection().connection.driver_connection

        def step():
            steps[0] += 1
            return 0
        raw.set_progress_handler(step, 100)
        try:
            return real(*args, **kwargs)
        finally:
            raw.set_progress_handler(None, 0)

    def refresh_steps(key):
        """Steps of the refreshes of a new quarter's figures, then of their resubmission."""
        monkeypatch.setattr(results, "results_changed", counted)
        steps[0] = 0
        store([key])
        period = period_row(key)
        db.session.execute(delete(DataValue).where(DataValue.period_id == period.id))  # replaced, as a correction
        db.session.execute(delete(Target).where(Target.period_id == period.id))
        results.results_changed([i.id for i in indicators], [period.id], [a.id for a in districts + [county]])
        assert results.kept_rows(period.id) is None  # left with no figures, the period has no dashboard rows
        store([key], base=1)
        monkeypatch.undo()
        return steps[0]

    real = results.results_changed
    store(quarters[:8])
    after_two_years = refresh_steps(quarters[8])
    store(quarters[9:32])
    after_eight_years = refresh_steps(quarters[32])
    assert after_two_years > 0 and after_eight_years / after_two_years < 1.3, (after_two_years, after_eight_years)
    assert_equal_to_a_recompute("a new quarter after eight years")


def test_completeness_of_a_period_with_nothing_stored_reads_kept_rows_that_give_the_engines_gaps(demo, monkeypatch):
    """A period nothing is stored for yet (the demo's 2016/17 Q1, due in July 2016) has no
    kept dashboard: its incomplete totals are those of the kept dashboard with the same
    latest figures, exactly what the engine would work out, and the engine is not run."""
    periods = list(db.session.scalars(select(Period).order_by(Period.end_date, Period.start_date)))
    expected = {}
    for period in periods:
        spec = parse_period(period.key)
        expected[period.key] = [(r["indicator"], r["area"], r["aggregate_message"])
                                for r in results.compute_rows(spec) if r["aggregate_status"] == "incomplete"]
    unkept = [p.key for p in periods if db.session.scalar(
        select(func.count(IndicatorResult.id)).where(IndicatorResult.period_id == p.id)) == 0]
    assert "2016-04..2016-06" in unkept or "2016/17 Q1" in [parse_period(k).label for k in unkept], unkept
    assert any(expected[key] for key in unkept)  # some carry incomplete totals forward

    from app.indicators import rows as engine

    def refuse(*_args, **_kwargs):
        raise AssertionError("the engine ran")

    for name in ("engine_rows", "result_rows", "result_rows_for", "result_columns_for"):
        monkeypatch.setattr(engine, name, refuse)
    for period in periods:
        found = results.incomplete_totals(parse_period(period.key), period.id)
        assert [(r["indicator"], r["area"], r["aggregate_message"]) for r in found] == expected[period.key], period.key


def test_a_period_with_nothing_stored_breaks_a_tie_of_ends_as_the_engine_does(app):
    """A year and its last quarter end the same day: the year has both districts' figures
    (the county's total is complete), the quarter only one (incomplete). A quarter with
    nothing stored yet shows the quarter's figures, a year the year's, on the engine's
    dashboard and so on the completeness page."""
    from app.store.reference import period_row
    from tests.factories import make_area, make_indicator

    county = make_area("Shire", "SH", kind="county")
    north, south = (make_area(name, code, parent_id=county.id) for name, code in (("North", "N1"), ("South", "S1")))
    burglary = make_indicator("Burglaries", polarity="lower_is_better", aggregation="sum")
    year, quarter = period_row("2015/16"), period_row("2015/16 Q4")
    db.session.add_all(DataValue(indicator_id=burglary.id, area_id=area.id, period_id=year.id, value=value)
                       for area, value in ((north, 40), (south, 60)))
    db.session.add(DataValue(indicator_id=burglary.id, area_id=north.id, period_id=quarter.id, value=12))
    db.session.commit()
    for key, incomplete in (("2016/17 Q1", True), ("2016/17", False)):
        spec = parse_period(key)
        period = period_row(key)
        db.session.commit()
        engine = [(r["indicator"], r["area"], r["aggregate_message"])
                  for r in results.compute_rows(spec) if r["aggregate_status"] == "incomplete"]
        kept = [(r["indicator"], r["area"], r["aggregate_message"]) for r in results.incomplete_totals(spec, period.id)]
        assert kept == engine, key
        assert bool(kept) is incomplete, (key, kept)


def test_a_new_quarter_for_one_county_works_out_its_rows_and_keeps_the_others_as_a_recompute_would(app, monkeypatch):
    """Issue 16: a new quarter (the first figures of that period anywhere) costs the
    county that sends it, not every county in the database. Two counties of three
    districts: a new quarter for one while the other has only older figures (their
    direction of travel goes stale on it, and the headline of an indicator the other
    county alone had moves to the first county), then the reverse, a new quarter after a
    gap, one in the middle of the history, and new periods a month ending the same day as
    a quarter or lying between two quarters make a difference to: after each, the kept
    results equal a recompute, and a copy's rows are worked out for the sending county's
    areas only."""
    from app.store.reference import period_row
    from tests.factories import make_area, make_indicator

    counties = {}
    for code in ("AA", "BB"):
        counties[code] = make_area(f"Shire {code}", code, kind="county")
        for n in (1, 2, 3):
            make_area(f"{code} district {n}", f"{code[0]}{n}", parent_id=counties[code].id)
    area = {a.code: a for a in db.session.scalars(select(Area))}
    burglary = make_indicator("Burglaries", polarity="lower_is_better", aggregation="sum", rag_method="previous_year",
                              rag_green_within=5, rag_amber_within=10)
    cohort = make_indicator("Offenders engaged", polarity="higher_is_better", aggregation="sum",
                            comparison_basis="latest_earlier_period", rag_method="previous_year")
    late = make_indicator("Refuge places", polarity="higher_is_better", aggregation="sum")
    split = make_indicator("Cases by district", polarity="higher_is_better", aggregation="none")
    solo = make_indicator("Cases in one district", polarity="higher_is_better", aggregation="none")

    def store(indicator, key, values, note=None):
        period = period_row(key)
        db.session.add_all(DataValue(indicator_id=indicator.id, area_id=area[code].id, period_id=period.id,
                                     value=value, note=note if code == "B1" else None)
                           for code, value in values.items())
        db.session.commit()

    quarters = [f"{y}/{(y + 1) % 100:02d} Q{q}" for y in (2014, 2015, 2016, 2017) for q in (1, 2, 3, 4)]
    for n, key in enumerate(quarters[:8]):  # AA: 2014/15 Q1 – 2015/16 Q4
        store(burglary, key, {"A1": 40 + n % 4, "A2": 30 + n % 3, "A3": 20 + n})
    store(burglary, "2015/16", {"A1": 170, "A2": 125, "A3": 100})  # a year ending with its last quarter
    for n, key in enumerate(quarters[:5]):  # BB: only older figures, to 2015/16 Q1; B3 none in it
        store(burglary, key, {"B1": 50 - n, "B2": 35 + n, **({"B3": 25 + 2 * n} if n < 4 else {})},
              note="Counted by hand" if n == 4 else None)
    store(burglary, "2014/15", {"B1": 190})
    db.session.add(Target(indicator_id=burglary.id, area_id=counties["BB"].id, period_id=period_row(quarters[4]).id,
                          value=80))
    db.session.commit()
    for key, values in (("2013/14", (12, 15, 9)), ("2014/15", (14, 13, 11))):
        store(cohort, key, dict(zip(("A1", "A2", "A3"), values)))
        store(cohort, key, dict(zip(("B1", "B2", "B3"), values[::-1])))
    for key in quarters[2:5]:
        store(late, key, {"B1": 3, "B2": 4, "B3": 5})
        store(split, key, {"B1": 7, "B2": 9, "B3": 8})
        store(solo, key, {"B2": 2})
    assert_equal_to_a_recompute("two counties' history")

    reads = []
    real = results.read_figures

    def counted(*args, **kwargs):
        reads.append(kwargs.get("areas"))
        return real(*args, **kwargs)

    def new_quarter(county, key, values, copied=True):
        """Store ``county``'s figures of a period nothing is stored for yet; return the
        areas the refresh read figures for (None: every area)."""
        assert db.session.scalar(select(func.count(IndicatorResult.id)).join(Period).where(Period.key == key)) == 0
        reads.clear()
        monkeypatch.setattr(results, "read_figures", counted)
        for indicator, by_district in values.items():
            store(indicator, key, {f"{county[0]}{n}" if isinstance(n, int) else n: value
                                   for n, value in by_district.items()})
        monkeypatch.undo()
        assert_equal_to_a_recompute(f"{key} for {county}")
        tree = {county} | {f"{county[0]}{n}" for n in (1, 2, 3)}
        if copied:
            assert reads and all(areas is not None and set(areas) <= tree for areas in reads), reads
        else:
            assert None in reads  # worked out for every area

    def row(key, indicator, code):
        return performance_table(key).rows[(indicator.slug, code)]

    # A new quarter for AA while BB's latest figures are a year old.
    new_quarter("AA", "2016/17 Q1", {burglary: {1: 44, 2: 29, 3: 31}, late: {1: 6, 2: 2, 3: 7},
                                     split: {1: 5, 2: 6, 3: 4}, solo: {3: 1}})
    before, after = row("2015/16 Q4", burglary, "B1"), row("2016/17 Q1", burglary, "B1")
    assert (before.period, after.period) == ("2015/16 Q1", "2015/16 Q1")
    assert before.direction is not None and after.direction is None and after.rag == before.rag
    assert after.note == "Counted by hand" and row("2016/17 Q1", burglary, "BB").aggregate_status == "incomplete"
    assert row("2015/16 Q4", late, "BB").headline and not row("2016/17 Q1", late, "BB").headline
    assert row("2016/17 Q1", late, "AA").headline and row("2016/17 Q1", late, "B2").district_comparison == "Average"
    was, now = performance_table("2015/16 Q4").rows, performance_table("2016/17 Q1").rows
    assert was[(split.slug, "B1")].several and (split.slug, "A1") not in was  # shown district by district
    assert now[(split.slug, "A1")].several and not now[(split.slug, "B1")].several
    assert was[(solo.slug, "B2")].headline and not was[(solo.slug, "B2")].several
    assert now[(solo.slug, "A3")].headline and not now[(solo.slug, "B2")].headline

    # The reverse: a new quarter for BB while AA's are older; then AA after a gap of a year.
    new_quarter("BB", "2016/17 Q2", {burglary: {1: 41, 2: 43, 3: 30}})
    new_quarter("AA", "2017/18 Q2", {burglary: {1: 39, 2: 28, 3: 33}, cohort: {1: 16, 2: 10, 3: 12}})
    assert row("2016/17 Q2", burglary, "AA").direction is not None
    # A quarter nobody had, in the middle: the later dashboard's rows reworked as well.
    new_quarter("BB", "2016/17 Q3", {burglary: {1: 40, 2: 44, 3: 28}})
    # A month ending the day a quarter does (no earlier month: worked out for every area);
    # then a quarter after both, and a month after a quarter ending between the months.
    new_quarter("AA", "2017-09", {burglary: {1: 13, 2: 9, 3: 11}}, copied=False)
    new_quarter("BB", "2017/18 Q3", {burglary: {1: 38, 2: 45, 3: 27}})
    new_quarter("AA", "2018-01", {burglary: {1: 12, 2: 10, 3: 11}}, copied=False)
    new_quarter("AA", "2018-02", {burglary: {1: 14, 2: 8, 3: 10}})
    new_quarter("BB", "2017/18 Q4", {burglary: {1: 37, 2: 46, 3: 26}}, copied=False)
    # A county's own figure alone: its districts' rows are copied, and are its strip.
    new_quarter("AA", "2018/19 Q1", {burglary: {"AA": 100}})
    assert row("2018/19 Q1", burglary, "AA").strip_codes == ["A1", "A2", "A3"]
    # Two spans ending the same day (a calendar year, a year to date): on the year to
    # date's own dashboard it is BB's latest, on a later span's the longer one is.
    new_quarter("BB", "2018-01..2018-12", {burglary: {1: 150, 2: 170, 3: 110}}, copied=False)
    new_quarter("BB", "2018-04..2018-12", {burglary: {1: 111, 2: 130, 3: 80}}, copied=False)
    new_quarter("AA", "2018-04..2019-01", {burglary: {1: 120, 2: 95, 3: 99}}, copied=False)
    assert row("2018-04..2019-01", burglary, "B1").period == "2018-01..2018-12"

    def new_quarters(county, figures, copied):
        """Store ``county``'s figures of several periods nothing is stored for yet in one
        write (a return carrying two quarters), as ``new_quarter`` does one."""
        reads.clear()
        monkeypatch.setattr(results, "read_figures", counted)
        for key, by_district in figures.items():
            period = period_row(key)
            db.session.add_all(DataValue(indicator_id=burglary.id, area_id=area[f"{county[0]}{n}"].id,
                                         period_id=period.id, value=value) for n, value in by_district.items())
        db.session.commit()
        monkeypatch.undo()
        assert_equal_to_a_recompute(f"{', '.join(figures)} for {county} in one write")
        tree = {county} | {f"{county[0]}{n}" for n in (1, 2, 3)}
        assert all(areas is not None and set(areas) <= tree for areas in reads) is copied, reads

    # Two new quarters in one write: the later one's rows copied from the earlier one's
    # copy; then two whose later one's period was made first (and so is taken first: it
    # has a period in between with figures, and is worked out for every area).
    new_quarter("AA", "2018/19 Q4", {burglary: {1: 10, 2: 11, 3: 12}}, copied=False)  # spans in between
    new_quarters("BB", {"2019/20 Q1": {1: 36, 2: 47, 3: 25}, "2019/20 Q2": {1: 35, 2: 48, 3: 24}}, copied=True)
    assert row("2019/20 Q2", burglary, "A1").period == "2018/19 Q4" and row("2019/20 Q2", burglary, "B1").latest == 35
    period_row("2019/20 Q4")
    db.session.commit()
    new_quarters("AA", {"2019/20 Q3": {1: 11, 2: 12, 3: 13}, "2019/20 Q4": {1: 14, 2: 15, 3: 16}}, copied=False)


def test_a_headline_moves_as_a_recompute_would_when_the_first_row_goes(app):
    """Issue 16: when a write takes an indicator's first row away, its headline moves to
    the next area's rows, which the write did not touch: those of the next county
    (shown district by district) or of a district in no county."""
    from app.store.reference import period_row
    from tests.factories import make_area, make_indicator

    loose = make_area("Loose district", "Z1")  # in no county, ahead of the one below
    counties = [make_area(f"Shire {code}", code, kind="county") for code in ("AA", "BB")]
    districts = {f"{c.code[0]}{n}": make_area(f"{c.code} district {n}", f"{c.code[0]}{n}", parent_id=c.id)
                 for c in counties for n in (1, 2)}
    other = make_area("Other loose district", "Z2")
    split = make_indicator("Cases by district", polarity="higher_is_better", aggregation="none")
    zoned = make_indicator("Cases outside the counties", polarity="higher_is_better", aggregation="sum")
    period = period_row("2015/16 Q4")
    db.session.add_all([*(DataValue(indicator_id=split.id, area_id=districts[code].id, period_id=period.id, value=v)
                          for code, v in (("A1", 3), ("B1", 4), ("B2", 6))),
                        *(DataValue(indicator_id=zoned.id, area_id=area.id, period_id=period.id, value=v)
                          for area, v in ((loose, 5), (other, 7)))])
    db.session.commit()
    rows = performance_table("2015/16 Q4").rows
    assert rows[(split.slug, "A1")].headline and not rows[(split.slug, "B1")].headline
    assert rows[(zoned.slug, "Z1")].headline and not rows[(zoned.slug, "Z2")].headline
    for indicator, area in ((split, districts["A1"]), (zoned, loose)):
        db.session.delete(db.session.scalar(select(DataValue).where(DataValue.indicator_id == indicator.id,
                                                                    DataValue.area_id == area.id)))
        db.session.commit()
        assert_equal_to_a_recompute(f"{indicator.slug} retired in {area.code}")
    rows = performance_table("2015/16 Q4").rows
    assert rows[(split.slug, "B1")].several and rows[(split.slug, "B2")].several
    assert rows[(zoned.slug, "Z2")].headline
