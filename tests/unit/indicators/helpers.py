"""Builders shared by the indicator tests."""
import pandas as pd

from app.indicators import AreaSpec

LEICESTERSHIRE = [
    ("B", "Blaby", 94_000), ("C", "Charnwood", 175_000), ("H", "Harborough", 88_000),
    ("HB", "Hinckley & Bosworth", 108_000), ("M", "Melton", 51_000),
    ("NW", "North West Leicestershire", 98_000), ("O", "Oadby & Wigston", 56_000),
]
CODES = [code for code, _, _ in LEICESTERSHIRE]


def leicestershire_areas() -> list[AreaSpec]:
    """The seven districts (populations for 2014 and 2015) and the county, which has no
    population of its own so its rates use the districts' total."""
    districts = [
        AreaSpec(code, name, "district", "LEI", {2014: pop - 1000, 2015: pop}) for code, name, pop in LEICESTERSHIRE
    ]
    return [*districts, AreaSpec("LEI", "Leicestershire", "county")]


def values_frame(rows) -> pd.DataFrame:
    """A values frame from (indicator, area, period, value[, flag]) tuples."""
    rows = [tuple(r) + ("actual",) * (5 - len(r)) for r in rows]
    return pd.DataFrame(rows, columns=["indicator", "area", "period", "value", "flag"])
