"""A pytest plugin: every upload the suite maps with an older-layout template is read a
second time with the same sheets compiled to tables (``app.definition.as_tables``), and
any figure that differs is written to $SHADOW_TABLES_OUT (JSON lines, one per upload that
differs, naming the test).

    SHADOW_TABLES_OUT=/tmp/shadow.jsonl .venv/bin/python -m pytest -q -p tests.shadow_tables

Not a test itself: the evidence that the one model reads every template the suite uses
exactly as the older mapper does (tests/unit/ingest/test_one_model.py holds the demo's).
"""
import json
import os

import pytest

from app.definition import TemplateDefinition
from app.definition.as_tables import definition_as_tables
from app.ingest import map as map_module
from app.ingest import pipeline
from app.ingest.validate import check_cells


def figure_rows(cells) -> list[tuple]:
    return sorted(((v.indicator, v.area or "", v.period_key, v.measure, v.value if v.value is not None else "",
                    v.flag, v.note or "", v.sheet, v.cell) for v in cells.values + cells.targets), key=repr)


@pytest.fixture(autouse=True)
def shadow_tables(monkeypatch):
    out = os.environ.get("SHADOW_TABLES_OUT")
    if not out:
        yield
        return
    original = map_module.map_workbook

    def shadowed(workbook, plans):
        problems = original(workbook, plans)
        if plans and any(p.table_cells is None for p in plans):
            defn = TemplateDefinition(slug="shadow", name="shadow", sheets=[p.layout for p in plans])
            shadow = map_module.plan_sheets(definition_as_tables(defn), plans[0].period,
                                            max_figure=plans[0].max_figure)
            original(workbook, shadow)
            before, after = figure_rows(check_cells(plans)), figure_rows(check_cells(shadow))
            with open(out, "a") as f:
                f.write(json.dumps({"test": os.environ.get("PYTEST_CURRENT_TEST", ""), "same": before == after,
                                    "only_old": [r for r in before if r not in after][:20],
                                    "only_new": [r for r in after if r not in before][:20]}, default=str) + "\n")
        return problems

    monkeypatch.setattr(pipeline, "map_workbook", shadowed)
    yield
