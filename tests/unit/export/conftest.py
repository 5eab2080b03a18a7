"""Fixtures for the dashboard workbook tests: a DashboardData built from the published
seed tables (app/demo/seed_figures.json, the ``seed`` fixture), so the workbook can be checked against
the figures the boards actually received."""
import re
from datetime import datetime

import pytest

from app.export.dashboard_data import (
    CompletenessRow, CompletenessTable, DashboardData, DashboardRow, DistrictRow, DistrictTable,
    IndicatorDefinition, MeasureRow, MeasureTable, OutcomeBlock, RollingRow, RollingTable, SubmissionRef,
    TrendRow, TrendTable,
)

# The dashboard's district colours did not survive transcription of the seed; these
# RAGs are made up, one pattern per row, so the district columns have something to show.
DISTRICT_PATTERNS = ["GAGRGAG", "RAAGRGA", "AGGRAGG", "GGGAGGR"]
UNIT_DECIMALS = {"count": 0, "rate": 2, "percent": 1}
POLARITY_LABELS = {"lower_is_better": "Lower is better", "higher_is_better": "Higher is better", None: "No polarity"}
RAG_RULE = ("Against the previous year, by polarity: better or worse by up to 2% green, "
            "worse by more than 2% and up to 10% amber, worse by more than 10% red")
# Cambridgeshire: the seed's sections, grouped by theme and unit as the workbook shows them.
TREND_THEMES = [
    ("Prevent: reporting", "count", ["Total number of domestic abuse incidents reported to the Police"]),
    ("Protect: engagement and repeats", "percent", [
        "% of referrals into the IDVA service that engage with the service",
        "% of IDVA clients that are 'repeat' clients",
        "% of cases heard at MARAC that were repeats (resubmitted within 12 months)"]),
    ("Pursue: court", "count", ["Total number of domestic abuse cases that went to court"]),
    ("Protect: home security", "count", ["Bobby Scheme interventions to increase home security"]),
    ("Recover: refuges", "percent", ["Refuge occupancy rate - Cambridge", "Refuge occupancy rate - Hunts",
                                     "Refuge occupancy rate - Fenland"]),
    ("Recover: women housed", "count", ["Women housed at the refuges - Cambridge"]),
]


def _unit(indicator: dict) -> str:
    return indicator.get("unit") or "rate"


def _reason(indicator: dict) -> str | None:
    previous, latest = indicator["previous"], indicator["latest"]
    if indicator["progress"] is None or previous in (None, 0):
        return None
    change = (latest / previous - 1) * 100
    return f"Latest is {change:+.1f}% on the previous year"


def dashboard_outcomes(seed: dict) -> list[OutcomeBlock]:
    dashboard = seed["leicestershire_dashboard_2015_16_q4"]
    codes = list(dashboard["area_codes"].values())
    blocks = []
    pattern = 0
    for outcome in dashboard["outcomes"]:
        rows = []
        for indicator in outcome["indicators"]:
            unit = _unit(indicator)
            rags = DISTRICT_PATTERNS[pattern % len(DISTRICT_PATTERNS)]
            pattern += 1
            rows.append(DashboardRow(
                indicator=indicator["name"], unit=unit, decimals=UNIT_DECIMALS[unit],
                previous=indicator["previous"], previous_label=indicator.get("previous_period", "2014-15"),
                latest=indicator["latest"], latest_label=indicator.get("latest_period", "2015-16"),
                latest_flag=indicator.get("latest_flag"), direction=indicator.get("direction"),
                rag=indicator["progress"], rag_reason=_reason(indicator),
                peer_comparison=indicator.get("county_comparison"),
                district_rags=dict(zip(codes, rags)),
            ))
        blocks.append(OutcomeBlock(
            name=outcome["outcome"], overall_rag=outcome["overall_rag"], overall_rag_overridden=False,
            overall_comment=outcome["comment"], comment_internal=False, rows=rows))
    return blocks


def district_table(seed: dict) -> DistrictTable:
    areas = seed["leicestershire_dashboard_2015_16_q4"]["area_codes"]
    table = seed["leicestershire_da_sv_service_dec2015_mar2016"]
    codes = list(areas.values())
    rows = []
    for name, figures in table["rows"].items():
        *districts, total, llr, target = figures
        rows.append(DistrictRow(
            indicator=name, values=dict(zip(codes, districts)), total=total, total_status="complete",
            wider=llr, target=target,
            note="District and county figures are Q4 only." if name.endswith("calls received") else None))
    return DistrictTable(
        title="Domestic Abuse & Sexual Violence Support Service: output indicators",
        period_label="December 2015 to March 2016", area_columns=[(code, name) for name, code in areas.items()],
        total_column="Total Leics County", wider_column="LLR figure", target_column="LLR target", rows=rows)


def measure_table(seed: dict) -> MeasureTable:
    rows = []
    for row in seed["leicestershire_da_sv_outcomes_dec2015_mar2016"]["rows"]:
        performance = row["performance"]
        rag = None if performance is None else ("G" if performance >= row["target"] else "R")
        rows.append(MeasureRow(outcome=row["outcome"], target=row["target"], performance=performance,
                               na_reason=row.get("not_available_reason"), rag=rag))
    return MeasureTable(title="Outcome measures: Leicestershire County, December 2015 to March 2016", rows=rows)


def trend_tables(seed: dict) -> list[TrendTable]:
    indicators = seed["cambridgeshire_da_quarterly_2014_15"]["indicators"]
    tables = []
    for theme, unit, names in TREND_THEMES:
        rows = []
        for name in names:
            figures = indicators[name]
            this_year = list(figures["2014/15"])
            last_year = list(figures.get("2013/14", [None] * 4))
            flags = ["not_yet_released" if name.startswith("Total number of domestic abuse cases") and index in (1, 2)
                     else None for index in range(3)] + ["not_yet_due"]
            rows.append(TrendRow(indicator=name, this_year=this_year, last_year=last_year, this_year_flags=flags,
                                 note=figures.get("note")))
        tables.append(TrendTable(theme=theme, unit=unit, year_label="2014/15", prev_year_label="2013/14", rows=rows))
    return tables


def _rotherham_figure(text):
    if isinstance(text, str):
        return float(text.rstrip("%")), "percent"
    return text, "count"


def rolling_table(seed: dict) -> RollingTable:
    table = seed["rotherham_da_table4_2017"]
    rows = []
    for name, (previous, latest, change, ytd) in table["rows"].items():
        previous_value, unit = _rotherham_figure(previous)
        rows.append(RollingRow(indicator=name, unit=unit, previous=previous_value,
                               latest=_rotherham_figure(latest)[0], change_text=change,
                               ytd=_rotherham_figure(ytd)[0]))
    return RollingTable(title="Table 4: Domestic Abuse", columns=table["columns"], rows=rows)


def definitions(blocks: list[OutcomeBlock], seed: dict) -> list[IndicatorDefinition]:
    polarity = {indicator["name"]: indicator.get("polarity")
                for outcome in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]
                for indicator in outcome["indicators"]}
    return [IndicatorDefinition(
        name=row.indicator, outcome=block.name, definition=f"{row.indicator}, for Leicestershire County.",
        source="Leicestershire Police" if "crime" in row.indicator.lower() else "Partner agencies",
        unit_label={"rate": "rate per 1,000 population", "percent": "percent", "count": "count"}[row.unit],
        polarity_label=POLARITY_LABELS[polarity[row.indicator]], rag_rule=RAG_RULE)
        for block in blocks for row in block.rows]


def seed_dashboard_data(seed: dict, **changes) -> DashboardData:
    blocks = dashboard_outcomes(seed)
    areas = seed["leicestershire_dashboard_2015_16_q4"]["area_codes"]
    periods = ["2015/16 Q1", "2015/16 Q2", "2015/16 Q3", "2015/16 Q4"]
    fields = dict(
        title="Safer Communities Performance Dashboard 2015/16 Q4",
        partnership="Leicestershire Safer Communities Strategy Board",
        period_label="2015/16 Q4",
        data_as_at=datetime(2016, 5, 20, 9, 0),
        generated_at=datetime(2016, 6, 1, 10, 30),
        public=False,
        outcomes=blocks,
        district_tables=[district_table(seed)],
        measure_tables=[measure_table(seed)],
        trend_tables=trend_tables(seed),
        rolling_tables=[rolling_table(seed)],
        completeness=CompletenessTable(
            periods=periods,
            rows=[
                CompletenessRow("Leicestershire Police", "Crime quarterly return", ["received"] * 4),
                CompletenessRow(
                    "Living Without Abuse", "DA support service return", ["received", "late", "received", "missing"]
                ),
                CompletenessRow(
                    "Youth Offending Service", "Re-offending return", ["received", "received", "late", "not yet due"]
                ),
            ],
        ),
        definitions=definitions(blocks, seed),
        submissions=[
            SubmissionRef("Leicestershire Police", "Crime quarterly return", 2, datetime(2016, 4, 28, 14, 5)),
            SubmissionRef("Living Without Abuse", "DA support service return", 1, datetime(2016, 5, 3, 11, 40)),
        ],
        areas=[(code, name) for name, code in areas.items()],
    )
    fields.update(changes)
    return DashboardData(**fields)


@pytest.fixture
def seed_data(seed) -> DashboardData:
    return seed_dashboard_data(seed)


def percent_text_to_number(text: str) -> float:
    return float(re.sub(r"[%,]", "", text))
