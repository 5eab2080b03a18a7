"""Issue 14's corpus of returns written by LibreOffice (tests/fixtures/corpus): the parts
that need no reading engine. Each file opens with openpyxl, was written by LibreOffice,
and every cell its expected figures name holds the expected raw value; each template and
expected file names only sheets, indicators, areas, agencies and periods that exist.

The import itself (one template per file, value by value) is tests/functional/test_corpus.py."""
import json
import math
import zipfile
from pathlib import Path

import openpyxl
import pytest

from app.periods import parse_period

CORPUS_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "corpus"
CORPUS = sorted(p.name.removesuffix(".expected.json") for p in CORPUS_DIR.glob("*.expected.json"))
PARTNERSHIP = json.loads((Path(__file__).resolve().parents[2] / "app" / "demo" / "partnership.json").read_text())
EXTRA_INDICATORS = json.loads((CORPUS_DIR / "indicators.json").read_text())
FLAGS = {"actual", "estimate", "provisional", "not_available", "not_released"}


def expected_of(name: str) -> dict:
    return json.loads((CORPUS_DIR / f"{name}.expected.json").read_text(encoding="utf-8"))


def template_of(name: str) -> dict:
    return json.loads((CORPUS_DIR / f"{name}.template.json").read_text(encoding="utf-8"))


def test_the_corpus_has_at_least_twelve_returns_each_listed_in_the_readme():
    assert len(CORPUS) >= 12
    readme = (CORPUS_DIR / "README.md").read_text(encoding="utf-8")
    for name in CORPUS:
        assert (CORPUS_DIR / f"{name}.xlsx").is_file() and (CORPUS_DIR / f"{name}.template.json").is_file()
        assert f"`{name}.xlsx`" in readme, name


@pytest.mark.parametrize("name", CORPUS)
def test_each_file_was_written_by_libreoffice_and_holds_the_expected_raw_values(name):
    expected = expected_of(name)
    path = CORPUS_DIR / expected["file"]
    with zipfile.ZipFile(path) as archive:
        assert "LibreOffice" in archive.read("docProps/app.xml").decode()
    workbook = openpyxl.load_workbook(path, data_only=True)
    assert expected["figures"]
    seen = set()
    for figure in expected["figures"]:
        where = f"{figure['sheet']}!{figure['cell']}"
        assert where not in seen, f"{where} expected twice"
        seen.add(where)
        assert figure["sheet"] in workbook.sheetnames, where
        raw = workbook[figure["sheet"]][figure["cell"]].value
        if isinstance(figure["raw"], (int, float)):
            assert isinstance(raw, (int, float)) and math.isclose(raw, figure["raw"], abs_tol=1e-9), (where, raw)
        else:
            assert raw == figure["raw"], (where, raw)
        assert figure["flag"] in FLAGS and figure["measure"] in ("value", "target"), where
        assert (figure["value"] is None) == (figure["flag"] in ("not_available", "not_released")), where
        assert parse_period(figure["period"]).key == figure["period"], where
    for warning in expected["warnings"]:
        assert warning["sheet"] in workbook.sheetnames and warning["contains"]
        assert workbook[warning["sheet"]][warning["cell"]].value is not None, warning


@pytest.mark.parametrize("name", CORPUS)
def test_each_template_names_what_exists(name):
    expected, template = expected_of(name), template_of(name)
    workbook = openpyxl.load_workbook(CORPUS_DIR / expected["file"], read_only=True)
    agencies = {a["slug"] for a in PARTNERSHIP["agencies"]}
    areas = {a["code"] for a in PARTNERSHIP["areas"]}
    indicators = {i["slug"] for i in PARTNERSHIP["indicators"]} | {i["slug"] for i in EXTRA_INDICATORS["indicators"]}
    assert template["slug"] == expected["template"] and template["agencies"] == [expected["agency"]]
    assert expected["agency"] in agencies
    parse_period(expected["period"])
    for sheet in template["sheets"]:
        assert sheet["layout"] == "tables" and sheet["rows"] == [] and sheet["columns"] == [] and sheet["tables"]
        assert sheet["name"] in workbook.sheetnames
        for table in sheet["tables"]:
            assert table["row_dimension"] != table["column_dimension"]
            dims = {table["row_dimension"]: table["rows"], table["column_dimension"]: table["columns"]}
            if table["block"] and table["block"].get("block_values"):
                dims[table["block"]["dimension"]] = table["block"]["block_values"]
            for dimension, headers in dims.items():
                for h in headers:
                    if h["value"] is None:
                        continue
                    if dimension == "indicator":
                        assert h["value"] in indicators, h
                    elif dimension == "area":
                        assert h["value"] in areas, h
                    elif dimension == "measure":
                        assert h["value"] in ("value", "target", "comment"), h
            if "area" in table["fixed"]:
                assert table["fixed"]["area"] in areas
            if "indicator" in table["fixed"]:
                assert table["fixed"]["indicator"] in indicators
    for figure in expected["figures"]:
        assert figure["indicator"] in indicators and figure["area"] in areas, figure
