"""The published tables in the seed papers, reproduced from their figures.

Leicestershire Appendix 1 (Progress RAG by the previous-year rule), Table 2 (outcome
measures against target) and Rotherham Table 4 (% change column).
"""
import math

import pandas as pd
import pytest

from app.indicators import (
    LEICESTERSHIRE_RULE,
    TABLE_2_RULE,
    AreaSpec,
    IndicatorSpec,
    RagRule,
    change,
    compute_dashboard,
    format_change,
    outcome_rag,
    rate,
)

RATE_WORDS = ("rate", "per 1,000")


def _dashboard_specs(seed, rule=LEICESTERSHIRE_RULE):
    """(spec, seed row) for every supporting indicator of Appendix 1."""
    out = []
    outcomes = seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]
    for o, outcome in enumerate(outcomes):
        for i, row in enumerate(outcome["indicators"]):
            unit = row.get("unit") or ("rate_per_1000" if "per 1,000" in row["name"] else "ratio")
            spec = IndicatorSpec(
                f"o{o}i{i}", row["name"], unit=unit, polarity=row["polarity"] or "neutral", decimals=2, rag=rule
            )
            out.append((spec, row))
    return out


def test_appendix_1_has_eleven_rated_indicators_and_one_unrated_estimate(seed):
    rows = [row for _, row in _dashboard_specs(seed)]
    assert len(rows) == 12
    assert sum(row["progress"] is not None for row in rows) == 11


def test_appendix_1_progress_column_comes_out_exactly(seed):
    for spec, row in _dashboard_specs(seed):
        result = rate(spec, row["latest"], row["previous"], flag=row.get("latest_flag", "actual"))
        assert result.rag == row["progress"], (row["name"], result.reason)


def test_appendix_1_reasons_quote_the_published_changes(seed):
    by_name = {row["name"]: rate(spec, row["latest"], row["previous"], flag=row.get("latest_flag", "actual"))
               for spec, row in _dashboard_specs(seed)}
    assert by_name["Total Crime rate (per 1,000 population)"].reason == (
        "Worse than last year by 3.1% (more than 2%, within 10%): Amber"
    )
    assert by_name["Domestic Burglary rate (per 1,000 population)"].reason == (
        "Worse than last year by 13.9% (more than 10%): Red"
    )
    assert by_name["Vehicle Crime rate (per 1,000 population)"].reason.startswith("Worse than last year by 11.3%")
    assert by_name["Reported hate incidents (per 1,000 population)"].reason == (
        "Worse than last year by 14.7% (more than 10%): Red"
    )
    asb = "% of people stating that they have been a victim of anti-social behaviour in the past year"
    assert by_name[asb].reason == "Worse than last year by 1.9% (within 2%): Green"
    unrated = by_name["Number of referrals to domestic abuse support services (adults)"]
    assert unrated.rag is None and "neither higher nor lower" in unrated.reason


def test_hate_incidents_fall_is_red_only_because_higher_is_better(seed):
    spec, row = next((s, r) for s, r in _dashboard_specs(seed) if r["name"].startswith("Reported hate"))
    assert rate(spec, row["latest"], row["previous"]).rag == "R"
    flipped = IndicatorSpec(spec.slug, spec.name, spec.unit, "lower_is_better", rag=spec.rag)
    assert rate(flipped, row["latest"], row["previous"]).rag == "G"


def test_percentage_indicators_rate_the_same_read_relatively_or_in_points(seed):
    """The two percentage indicators that moved the wrong way or little (MARAC repeats,
    ASB victims) are Green either way; the relative reading is the documented one."""
    points_rule = RagRule("previous_year", "absolute", 2, 10)
    for spec, row in _dashboard_specs(seed):
        if spec.unit != "percent":
            continue
        in_points = IndicatorSpec(spec.slug, spec.name, spec.unit, spec.polarity, rag=points_rule)
        assert rate(in_points, row["latest"], row["previous"]).rag == row["progress"] == "G"


def test_appendix_1_through_the_dashboard_and_a_changed_figure_changes_its_rating(seed):
    county = [AreaSpec("LEI", "Leicestershire", "county")]
    specs_rows = _dashboard_specs(seed)
    rows = []
    for spec, row in specs_rows:
        rows.append((spec.slug, "LEI", "2014/15", row["previous"], "actual"))
        rows.append((spec.slug, "LEI", "2015/16", row["latest"], row.get("latest_flag", "actual")))
    values = pd.DataFrame(rows, columns=["indicator", "area", "period", "value", "flag"])
    specs = [s for s, _ in specs_rows]
    table = compute_dashboard(values, None, specs, county, "2015/16").set_index("indicator")
    for spec, row in specs_rows:
        assert table.loc[spec.slug, "rag"] == row["progress"], row["name"]

    burglary = next(s.slug for s, r in specs_rows if r["name"].startswith("Domestic Burglary"))
    values.loc[(values["indicator"] == burglary) & (values["period"] == "2015/16"), "value"] = 3.15
    table = compute_dashboard(values, None, specs, county, "2015/16").set_index("indicator")
    assert table.loc[burglary, "rag"] == "G"
    assert table.loc[burglary, "rag_reason"] == "Worse than last year by 1.6% (within 2%): Green"


def test_overall_outcome_rags_follow_the_documented_rule(seed):
    outcomes = seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]
    crime, reoffending, prevent = outcomes[0], outcomes[1], outcomes[4]
    assert [i["progress"] for i in crime["indicators"]] == ["A", "R", "R", "G"]
    assert outcome_rag(i["progress"] for i in crime["indicators"]).rag == crime["overall_rag"] == "A"
    assert outcome_rag(i["progress"] for i in reoffending["indicators"]).rag == reoffending["overall_rag"] == "G"
    # Prevent's Amber is a manager's override of the calculated Red (see outcome_rag).
    assert outcome_rag(i["progress"] for i in prevent["indicators"]).rag == "R"
    assert prevent["overall_rag"] == "A"


# ---- Table 2: outcome measures against target ----------------------------------------

def _table_2(seed):
    spec = IndicatorSpec("t2", "Outcome measure", "percent", "higher_is_better", "none", decimals=2, rag=TABLE_2_RULE)
    for row in seed["leicestershire_da_sv_outcomes_dec2015_mar2016"]["rows"]:
        flag = "not_available" if row["performance"] is None else "actual"
        yield row, rate(spec, row["performance"], target=row["target"], flag=flag)


def test_table_2_every_measured_outcome_meets_its_target_and_is_green(seed):
    rated = [(row, result) for row, result in _table_2(seed) if row["performance"] is not None]
    assert len(rated) == 8
    for row, result in rated:
        assert row["performance"] >= row["target"]
        assert result.rag == "G", row["outcome"]
    ethnicity = next(r for row, r in rated if row["outcome"].startswith("Service user ethnicity"))
    assert ethnicity.reason == "Better than the target of 12 by 8%: Green"


def test_table_2_not_available_rows_get_no_rating(seed):
    unrated = [(row, result) for row, result in _table_2(seed) if row["performance"] is None]
    assert [row["not_available_reason"] for row, _ in unrated] == [
        "no training courses run yet",
        "survey not yet carried out",
    ]
    for _, result in unrated:
        assert result.rag is None
        assert result.reason == "There is no figure for this period, so it is not rated."


@pytest.mark.parametrize(
    ("performance", "expected"),
    [(88.0, "G"), (83.6, "A"), (83.59, "R"), (70.0, "R")],
)
def test_table_2_amber_band_is_within_five_percent_of_target(performance, expected):
    spec = IndicatorSpec("t2", "Feels safer", "percent", "higher_is_better", "none", rag=TABLE_2_RULE)
    assert rate(spec, performance, target=88).rag == expected


# ---- Rotherham Table 4 -------------------------------------------------------------------

ROTHERHAM_UNITS = {
    "Domestic Crimes": "count",
    "Outcome Rate": "percent",
    "No. of referrals to the MARAC": "count",
    "Repeat cases heard at the MARAC": "count",
    "Proportion of cases heard at the MARAC that are repeats": "percent",
    "Satisfaction Rate (DA Victim Satisfaction Survey)": "percent",
}


def _number(cell) -> float:
    return float(str(cell).rstrip("%"))


def test_rotherham_change_column_rounds_to_the_published_figures(seed):
    rows = seed["rotherham_da_table4_2017"]["rows"]
    assert set(rows) == set(ROTHERHAM_UNITS)
    for name, (previous, latest, published, _ytd) in rows.items():
        value = change(_number(latest), _number(previous), ROTHERHAM_UNITS[name])
        assert math.floor(value + 0.5) == _number(published), name


def test_rotherham_change_text():
    rows = [
        (1902, 3179, "count", "+67%"),
        (29, 19, "percent", "-10 points"),
        (527, 470, "count", "-11%"),
        (188, 163, "count", "-13%"),
        (36, 35, "percent", "-1 point"),
        (82, 74, "percent", "-8 points"),
    ]
    for previous, latest, unit, text in rows:
        assert format_change(change(latest, previous, unit), unit) == text
