"""The rules the tree's layout promises (issue 13), checked on every run rather than by eye."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = [*ROOT.joinpath("app").rglob("*.py"), *ROOT.joinpath("tests").rglob("*.py"),
           *(ROOT / "bench" / name for name in ("annotate", "export", "import", "indicators", "start", "history",
                                                 "scale", "neighbours", "scale_db.py"))]
PIPELINE = ["app/ingest", "app/definition", "app/indicators", "app/dhr", "app/plans", "app/export", "app/periods.py",
            "app/vocabulary.py", "app/policy.py", "app/errors.py"]


def test_no_private_name_is_imported_across_modules():
    found = [f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}"
             for path in SOURCES for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
             if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(("app", "tests"))
             for alias in node.names if alias.name.startswith("_")]
    assert found == []


def test_the_web_reads_and_writes_through_services_only():
    assert [str(p.relative_to(ROOT)) for p in ROOT.joinpath("app/web").rglob("*.py") if "db.session" in p.read_text()] \
        == []


def test_pipeline_modules_are_flask_free():
    paths = [p for part in PIPELINE for p in ([ROOT / part] if part.endswith(".py") else (ROOT / part).rglob("*.py"))]
    assert [str(p.relative_to(ROOT)) for p in paths
            if re.search(r"^(from flask|import flask)\b", p.read_text(), re.M)] == []


def test_flags_units_and_rags_are_defined_once():
    definitions = [f"{p.relative_to(ROOT)}: {m[0]}" for p in ROOT.joinpath("app").rglob("*.py")
                   for m in re.finditer(r"^(FLAGS|UNITS|RAGS|POLARITIES) = ", p.read_text(), re.M)]
    assert sorted(definitions) == ["app/vocabulary.py: FLAGS = ", "app/vocabulary.py: POLARITIES = ",
                                   "app/vocabulary.py: RAGS = ", "app/vocabulary.py: UNITS = "]


def test_number_fields_of_forms_are_the_bounded_ones():
    """A form's number field is app.web.forms' IntegerField or DecimalField, which refuse NaN,
    infinity and numbers no column holds with a message (issue 15), never WTForms' own."""
    found = [f"{p.relative_to(ROOT)}:{node.lineno} {alias.name}" for p in ROOT.joinpath("app/web").rglob("*.py")
             for node in ast.walk(ast.parse(p.read_text(encoding="utf-8")))
             if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("wtforms")
             for alias in node.names if alias.name in ("IntegerField", "DecimalField", "FloatField")]
    assert found == []
