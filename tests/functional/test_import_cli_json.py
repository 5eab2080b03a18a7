"""``flask returns import --json``: one JSON document on standard output (the template,
agency, period, file, outcome, every figure read with its names, every problem), the same
exit codes as the summary, and nothing else on standard output."""
import json

from sqlalchemy import func, select

from app.extensions import db
from app.models import DataValue, Submission
from tests.conftest import DEMO_SUBMISSIONS
from tests.functional.test_import_cli import demo_appendix_2, run, submissions
from tests.unit.ingest.returns import LWA, blank, edit, filled

PERIOD = {"key": "2015-12..2016-03", "label": "Dec 2015 – Mar 2016"}
TEMPLATE = {"slug": "appendix-2-da-sv-outputs",
            "name": "Domestic Abuse & Sexual Violence Support Service: output indicators", "version": 1}
KEYS = ["template", "agency", "period", "file", "outcome", "submission_id", "supersedes", "figures", "problems"]


def run_json(runner, tmp_path, data: bytes, *args, name="return.xlsx") -> tuple[int, dict]:
    """(exit code, the document); standard output must be that document and nothing else."""
    result = run(runner, tmp_path, data, "--json", *args, name=name)
    return result.exit_code, json.loads(result.stdout)


def figure(indicator: str, slug: str, area: str, code: str, value, cell: str, measure: str = "value") -> dict:
    return {"indicator": indicator, "indicator_slug": slug, "area": area, "area_code": code,
            "period": "Dec 2015 – Mar 2016", "period_key": "2015-12..2016-03", "measure": measure, "value": value,
            "flag": "actual", "reason": None, "note": None, "sheet": "Appendix 2", "cell": cell}


def by_cell(document: dict) -> dict[str, dict]:
    return {f["cell"]: f for f in document["figures"]}


def stored_values() -> int:
    """Figures stored by the returns a test imports (not by the returns the demo recorded)."""
    return db.session.scalar(select(func.count()).select_from(DataValue).where(
        DataValue.submission_id.in_(select(Submission.id).where(Submission.source.is_distinct_from("demo")))))


def test_a_dry_run_then_a_store_then_a_resubmission(runner, tmp_path, demo):
    data = filled()
    code, dry = run_json(runner, tmp_path, data, "--agency", LWA, "--dry-run", name="a2.xlsx")
    assert code == 0
    assert list(dry) == KEYS
    assert (dry["template"], dry["agency"], dry["period"]) == (TEMPLATE, LWA, PERIOD)
    assert dry["file"]["name"] == "a2.xlsx" and dry["file"]["size_bytes"] == len(data)
    assert len(dry["file"]["sha256"]) == 64
    assert (dry["outcome"], dry["submission_id"], dry["supersedes"], dry["problems"]) == ("dry_run", None, None, [])
    assert len(dry["figures"]) == 70
    cells = by_cell(dry)
    assert cells["C6"] == figure("Helpline calls received", "helpline-calls", "Blaby", "B", 39, "C6")
    assert cells["J6"] == figure("Helpline calls received", "helpline-calls", "Leicestershire", "LC", 734, "J6")
    assert cells["I7"] == figure("New callers to the helpline", "helpline-new-callers", "Oadby & Wigston", "O", 71,
                                 "I7")
    assert cells["D8"] == figure("Business line calls received", "business-line-calls", "Charnwood", "C", 36, "D8")
    assert cells["K12"] == figure("Face to face contacts with existing service users", "face-to-face-contacts",
                                  "Leicester, Leicestershire & Rutland", "LLR", 881, "K12")
    assert cells["L6"] == figure("Helpline calls received", "helpline-calls", "Leicester, Leicestershire & Rutland",
                                 "LLR", 3000, "L6", measure="target")
    assert sum(f["measure"] == "target" for f in dry["figures"]) == 7
    assert submissions() == DEMO_SUBMISSIONS and stored_values() == 0

    code, stored = run_json(runner, tmp_path, data, "--agency", LWA, "--period", "Dec 2015 to Mar 2016")
    assert code == 0
    first, second = DEMO_SUBMISSIONS + 1, DEMO_SUBMISSIONS + 2
    assert (stored["outcome"], stored["submission_id"], stored["supersedes"]) == ("stored", first, demo_appendix_2())
    assert stored["figures"] == dry["figures"]
    assert stored_values() == 63  # the 7 targets are stored as targets

    code, again = run_json(runner, tmp_path, filled({"C6": 40, "J6": 735}), "--agency", LWA, "--comment", "Blaby")
    assert code == 0
    assert (again["outcome"], again["submission_id"], again["supersedes"]) == ("stored", second, first)
    assert (by_cell(again)["C6"]["value"], by_cell(again)["J6"]["value"]) == (40, 735)


def test_a_rejected_return_lists_its_problems_and_the_figures_it_could_read(runner, tmp_path, demo):
    result = run(runner, tmp_path, filled({"C7": "lots", "J6": 735, "D8": None}), "--agency", LWA, "--json",
                 "--dry-run")
    assert result.exit_code == 1
    document = json.loads(result.stdout)
    assert (document["outcome"], document["submission_id"], document["supersedes"]) == ("rejected", None, None)
    assert [(p["sheet"], p["cell"], p["severity"]) for p in document["problems"]] == [
        ("Appendix 2", "C7", "error"), ("Appendix 2", "D8", "error"), ("Appendix 2", "J6", "error")]
    assert document["problems"][0]["message"] == ("'lots' is not a number. Enter a whole number such as 12, or N/A "
                                                  "with a reason.")
    assert len(document["figures"]) == 68
    cells = by_cell(document)
    assert "C7" not in cells and "D8" not in cells
    assert cells["J6"] == figure("Helpline calls received", "helpline-calls", "Leicestershire", "LC", 735, "J6")
    assert submissions() == DEMO_SUBMISSIONS


def test_strict_refuses_a_warning_and_lists_it(runner, tmp_path, demo):
    data = filled(change=lambda wb: wb["Appendix 2"].__setitem__("N6", 12))
    warning = {"sheet": "Appendix 2", "cell": "N5", "severity": "warning",
               "message": "Column N is not part of this return, so its entries were not imported. If it should be, "
                          "give it the heading it has in the blank return."}
    code, strict = run_json(runner, tmp_path, data, "--agency", LWA, "--strict")
    assert code == 1
    assert (strict["outcome"], strict["problems"], len(strict["figures"])) == ("rejected", [warning], 70)
    assert submissions() == DEMO_SUBMISSIONS
    code, accepted = run_json(runner, tmp_path, data, "--agency", LWA)
    assert code == 0
    assert (accepted["outcome"], accepted["submission_id"], accepted["problems"]) == (
        "stored", DEMO_SUBMISSIONS + 1, [warning])


def test_a_file_that_is_not_a_return(runner, tmp_path, demo):
    code, document = run_json(runner, tmp_path, b"Area,Calls\nBlaby,39\n", "--agency", LWA, name="calls.csv")
    assert code == 1
    assert (document["template"], document["period"], document["outcome"], document["figures"]) == (
        None, None, "rejected", [])
    [problem] = document["problems"]
    assert (problem["sheet"], problem["cell"], problem["severity"]) == (None, None, "error")
    assert "is a CSV or text file" in problem["message"]


def test_wrong_arguments_go_to_standard_error_only(runner, tmp_path, demo):
    nobody = run(runner, tmp_path, filled(), "--agency", "nobody", "--json")
    assert nobody.exit_code == 1 and nobody.stdout == ""
    assert "agency: There is no agency 'nobody'." in nobody.stderr
    missing = runner.invoke(args=["returns", "import", str(tmp_path / "missing.xlsx"), "--agency", LWA, "--json"])
    assert missing.exit_code == 1 and missing.stdout == "" and "Cannot read" in missing.stderr
    usage = runner.invoke(args=["returns", "import", str(tmp_path / "missing.xlsx"), "--json"])
    assert usage.exit_code == 2 and usage.stdout == "" and "--agency" in usage.stderr


def test_a_not_available_figure_has_its_flag_and_reason(runner, tmp_path, demo):
    def outcomes(workbook):
        ws = workbook["Table 2"]
        for row in range(6, 16):
            ws[f"C{row}"] = 75
            ws[f"D{row}"] = 70
        ws["D6"] = "75%"
        ws["D8"] = "N/A - no training courses run yet"
        ws["D10"] = " 65 (estimate) "
        ws["E6"] = "Exit questionnaires"

    code, document = run_json(runner, tmp_path, edit(blank("table-2-da-sv-outcomes"), outcomes), "--agency", LWA)
    assert code == 0, document["problems"]
    cells = {f["cell"]: f for f in document["figures"] if f["sheet"] == "Table 2"}
    assert {key: cells["D8"][key] for key in ("value", "flag", "reason", "note")} == {
        "value": None, "flag": "not_available", "reason": "no training courses run yet", "note": None}
    assert {key: cells["D6"][key] for key in ("value", "flag", "reason", "note")} == {
        "value": 75, "flag": "actual", "reason": None, "note": "Exit questionnaires"}
    assert (cells["D10"]["value"], cells["D10"]["flag"]) == (65, "estimate")
    assert cells["D8"]["indicator"] and cells["D8"]["area"]
