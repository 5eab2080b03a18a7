"""Turn the transcribed seed tables (seed_figures.json) into figures and targets to store.

Flask-free. Ratings (RAG, direction, % change) in the seed are never loaded: the indicator
engine computes them from these values.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from app.demo import DEMO_DIR

DISTRICT_CODES = {
    "Blaby": "B", "Charnwood": "C", "Harborough": "H", "Hinckley & Bosworth": "HB",
    "Melton": "M", "North West Leicestershire": "NW", "Oadby & Wigston": "O",
}
APPENDIX_2_SPAN = "Dec 2015 - Mar 2016"
# Cambridgeshire's per-refuge rows are one indicator each, across the refuges' districts.
CAMBS_ROW_AREAS = {
    "Refuge occupancy rate - Cambridge": ("Refuge occupancy rate", "CAM"),
    "Refuge occupancy rate - Hunts": ("Refuge occupancy rate", "HUNTS"),
    "Refuge occupancy rate - Fenland": ("Refuge occupancy rate", "FEN"),
    "Women housed at the refuges - Cambridge": ("Women housed at the refuges", "CAM"),
}


@dataclass(frozen=True)
class SeedFigure:
    indicator: str  # indicator name as it appears in the seed
    area: str  # area code
    period: str  # period text, read by app.periods.parse_period
    value: float | None
    flag: str = "actual"
    note: str | None = None
    agency: str | None = None  # agency slug that supplies it
    source: str = ""


@dataclass(frozen=True)
class SeedTarget:
    indicator: str
    area: str
    period: str
    value: float


def load_seed(path: Path | None = None) -> dict:
    return json.loads((path or DEMO_DIR / "seed_figures.json").read_text(encoding="utf-8"))


def _percent(text_or_number) -> float:
    return float(str(text_or_number).rstrip("%"))


def _dashboard_agency(name: str) -> str:
    lowered = name.lower()
    if "young offenders" in lowered or "first time entrants" in lowered:
        return "leicestershire-youth-offending-service"
    if any(word in lowered for word in ("crime", "burglary", "violence", "hate", "iom")):
        return "leicestershire-police"
    return "leicestershire-county-council"


def seed_figures(seed: dict) -> list[SeedFigure]:
    out: list[SeedFigure] = []
    # Leicestershire Appendix 1: county figures, previous and latest year.
    dash = seed["leicestershire_dashboard_2015_16_q4"]
    for outcome in dash["outcomes"]:
        for ind in outcome["indicators"]:
            agency = _dashboard_agency(ind["name"])
            prev_period = ind.get("previous_period", "2014-15")
            latest_period = ind.get("latest_period", "2015-16")
            out.append(SeedFigure(ind["name"], "LC", prev_period, ind["previous"], agency=agency, source="Appendix 1"))
            flag = ind.get("latest_flag", "actual")
            note = ind.get("note") if flag != "actual" else None
            out.append(SeedFigure(ind["name"], "LC", latest_period, ind["latest"], flag, note, agency, "Appendix 1"))
    # Appendix 2 Table 1: districts, county total (as supplied), LLR figure.
    app2 = seed["leicestershire_da_sv_service_dec2015_mar2016"]
    codes = [DISTRICT_CODES[a] for a in app2["columns"][:7]] + ["LC", "LLR"]
    for name, row in app2["rows"].items():
        for code, value in zip(codes, row[:9]):
            out.append(
                SeedFigure(name, code, APPENDIX_2_SPAN, value, agency="living-without-abuse", source="Appendix 2")
            )
    # Table 2: county percentages, with 'not available' reasons.
    for row in seed["leicestershire_da_sv_outcomes_dec2015_mar2016"]["rows"]:
        if row["performance"] is None:
            out.append(
                SeedFigure(
                    row["outcome"],
                    "LC",
                    APPENDIX_2_SPAN,
                    None,
                    "not_available",
                    row["not_available_reason"],
                    "living-without-abuse",
                    "Table 2",
                )
            )
        else:
            out.append(
                SeedFigure(
                    row["outcome"],
                    "LC",
                    APPENDIX_2_SPAN,
                    row["performance"],
                    agency="living-without-abuse",
                    source="Table 2",
                )
            )
    # Cambridgeshire: quarters of 2014/15 and 2013/14; "not yet released" where the seed says so.
    cambs = seed["cambridgeshire_da_quarterly_2014_15"]["indicators"]
    for row_label, ind in cambs.items():
        name, area = CAMBS_ROW_AREAS.get(row_label, (row_label, "CAMBS"))
        not_released = "not yet released" in ind.get("note", "")
        for year in ("2014/15", "2013/14"):
            for q, value in enumerate(ind.get(year) or [], start=1):
                period = f"{year} Q{q}"
                if value is not None:
                    out.append(
                        SeedFigure(name, area, period, value, agency="cambridgeshire-idva", source="Cambridgeshire MI")
                    )
                elif not_released and year == "2014/15" and q in (2, 3):
                    out.append(
                        SeedFigure(
                            name,
                            area,
                            period,
                            None,
                            "not_released",
                            "Q2 and Q3 data not yet released",
                            "cambridgeshire-idva",
                            "Cambridgeshire MI",
                        )
                    )
        if "total_2013_14" in ind:
            out.append(
                SeedFigure(
                    name,
                    area,
                    "2013/14",
                    ind["total_2013_14"],
                    agency="cambridgeshire-idva",
                    source="Cambridgeshire MI",
                )
            )
    # Rotherham Table 4: rolling 12 months to October 2016 and 2017, and year to date.
    roth = seed["rotherham_da_table4_2017"]
    periods = ["12 months to 31st October 2016", "12 months to 31st October 2017", None, "Year to Date Apr - Oct 2017"]
    for name, row in roth["rows"].items():
        for period, value in zip(periods, row):
            if period is None:  # the "% Change" column is computed, never loaded
                continue
            number = _percent(value) if isinstance(value, str) else float(value)
            out.append(SeedFigure(name, "ROTH", period, number, agency="rotherham-council", source="Rotherham Table 4"))
    return out


def seed_targets(seed: dict) -> list[SeedTarget]:
    out = []
    for name, row in seed["leicestershire_da_sv_service_dec2015_mar2016"]["rows"].items():
        out.append(SeedTarget(name, "LLR", APPENDIX_2_SPAN, row[9]))
    for row in seed["leicestershire_da_sv_outcomes_dec2015_mar2016"]["rows"]:
        out.append(SeedTarget(row["outcome"], "LC", APPENDIX_2_SPAN, row["target"]))
    return out
