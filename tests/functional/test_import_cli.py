"""``flask returns import``: the summary, every problem on its own line, exit codes, and the
same checks as the web upload (it calls the same service)."""
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, DataValue, Submission
from tests.conftest import DEMO_SUBMISSIONS
from tests.unit.ingest.returns import bad_files, blank, cells_of, edit, filled

LWA = "living-without-abuse"
TEMPLATE_LINE = ("Template: Domestic Abuse & Sexual Violence Support Service: output indicators "
                 "(appendix-2-da-sv-outputs), version 1, recognised from the workbook's own record of its template")


def run(runner, tmp_path, data: bytes, *args, name="return.xlsx"):
    path = tmp_path / name
    path.write_bytes(data)
    return runner.invoke(args=["returns", "import", str(path), *args])


def submissions() -> int:
    return db.session.scalar(select(func.count()).select_from(Submission))


def demo_appendix_2() -> int:
    """The Appendix 2 the demo recorded as received on 25 April 2016: an import for its
    period replaces it."""
    return db.session.scalar(select(Submission.id).where(
        Submission.source == "demo", Submission.template.has(slug="appendix-2-da-sv-outputs")))


def test_dry_run_import_and_resubmission(runner, tmp_path, demo):
    data = filled()
    dry = run(runner, tmp_path, data, "--agency", LWA, "--dry-run", name="a2.xlsx")
    lines = dry.output.splitlines()
    assert dry.exit_code == 0, dry.output
    assert lines[0] == TEMPLATE_LINE
    assert lines[1:3] == ["Agency: living-without-abuse", "Period: Dec 2015 – Mar 2016"]
    assert lines[3].startswith(f"File: a2.xlsx ({len(data):,} bytes, SHA-256 ")
    assert lines[4:] == ["70 values, 0 warnings, 0 errors", "dry run: nothing stored"]
    assert submissions() == DEMO_SUBMISSIONS

    first, second = DEMO_SUBMISSIONS + 1, DEMO_SUBMISSIONS + 2
    stored = run(runner, tmp_path, data, "--agency", LWA, "--period", "Dec 2015 to Mar 2016")
    assert stored.exit_code == 0 and stored.output.splitlines()[-1] == (
        f"stored as submission #{first}, superseding #{demo_appendix_2()}")
    again = run(runner, tmp_path, filled({"C6": 40, "J6": 735}), "--agency", LWA, "--comment", "Blaby corrected")
    assert again.exit_code == 0 and again.output.splitlines()[-1] == (
        f"stored as submission #{second}, superseding #{first}")
    latest = db.session.get(Submission, second)
    assert (latest.comment, latest.uploaded_by_id, latest.supersedes_id) == ("Blaby corrected", None, first)


def test_a_rejected_return_prints_every_problem_and_exits_1(runner, tmp_path, demo):
    result = run(runner, tmp_path, filled({"C7": "lots", "J6": 735, "D8": None}), "--agency", LWA)
    assert result.exit_code == 1
    assert result.output.splitlines()[4:] == [
        "68 values, 0 warnings, 3 errors",
        "Appendix 2!C7: 'lots' is not a number. Enter a whole number such as 12, or N/A with a reason.",
        "Appendix 2!D8: Enter the figure for 'Business line calls received' (Charnwood): it is required, and an empty "
        "cell is not read as 0.",
        "Appendix 2!J6: Total Leics County is 735, but Blaby, Charnwood, Harborough, Hinckley & Bosworth, Melton, "
        "North West Leicestershire and Oadby & Wigston (C6:I6) add up to 734. "
        "Correct the total or the figures that make it up.",
        "rejected: nothing stored (correct the errors listed above)",
    ]
    assert submissions() == DEMO_SUBMISSIONS
    rejected = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "submission_rejected"))
    assert rejected.detail["errors"] == 3 and rejected.detail["agency"] == LWA


def test_warnings_are_accepted_unless_strict(runner, tmp_path, demo):
    data = filled(change=lambda wb: wb["Appendix 2"].__setitem__("N6", 12))
    warning = ("Appendix 2!N5: Column N is not part of this return, so its entries were not imported. If it should be, "
               "give it the heading it has in the blank return.")
    strict = run(runner, tmp_path, data, "--agency", LWA, "--strict")
    assert strict.exit_code == 1
    assert strict.output.splitlines()[-2:] == [warning, "rejected: nothing stored (correct the warnings (--strict) "
                                                        "listed above)"]
    accepted = run(runner, tmp_path, data, "--agency", LWA)
    stored = DEMO_SUBMISSIONS + 1
    assert accepted.exit_code == 0 and accepted.output.splitlines()[-2:] == [
        warning, f"stored as submission #{stored}, superseding #{demo_appendix_2()}"]
    assert db.session.get(Submission, stored).warnings == [
        {"sheet": "Appendix 2", "cell": "N5", "message": warning[15:]}]
    assert "--strict" in runner.invoke(args=["returns", "import", "--help"]).output


def test_bad_files_get_a_clear_message_and_exit_1(runner, tmp_path, people):
    for kind, (data, phrase) in bad_files().items():
        result = run(runner, tmp_path, data, "--agency", "police", "--period", "2016/17 Q1")
        assert result.exit_code == 1, kind
        problem = result.output.splitlines()[5]
        assert problem.startswith("File: ") and phrase in problem, kind
        assert "Traceback" not in result.output


def test_the_agency_the_file_and_the_template_must_be_right(runner, tmp_path, demo):
    nobody = run(runner, tmp_path, filled(), "--agency", "nobody")
    assert nobody.exit_code == 1 and "agency: There is no agency 'nobody'. Choose one from the list." in nobody.output
    missing = runner.invoke(args=["returns", "import", str(tmp_path / "missing.xlsx"), "--agency", LWA])
    assert missing.exit_code == 1 and "Cannot read" in missing.output
    other = run(runner, tmp_path, filled(), "--agency", "leicestershire-police")
    assert other.exit_code == 1
    assert ("File: This workbook is the return of agency 'living-without-abuse', but it is being uploaded for "
            "'leicestershire-police'.") in other.output


def test_a_workbook_without_its_record_needs_the_template_and_period(runner, tmp_path, demo):
    def strip(workbook):
        del workbook["_meta"]
        for name in list(workbook.defined_names):
            del workbook.defined_names[name]
        workbook["Appendix 2"].title = "Sheet1"
        for row in (7, 8, 9):  # an old copy: three rows had other labels then
            workbook["Sheet1"].cell(row, 1).value = f"Old label {row}"

    data = filled(change=strip)
    unknown = run(runner, tmp_path, data, "--agency", LWA, "--period", "Dec 2015 - Mar 2016")
    assert unknown.exit_code == 1 and "File: We could not tell which return this is" in unknown.output
    chosen = run(runner, tmp_path, data, "--agency", LWA, "--period", "Dec 2015 - Mar 2016", "--template",
                 "appendix-2-da-sv-outputs", "--dry-run")
    assert "as chosen for this upload" in chosen.output.splitlines()[0]
    assert "Sheet1: The row 'New callers to the helpline' is missing" in chosen.output


def stored_cells(sheet: str) -> dict[str, tuple]:
    """Cell → (value, flag, note) of the current figures read from a sheet."""
    rows = db.session.execute(select(DataValue.cell, DataValue.value, DataValue.flag, DataValue.note).where(
        DataValue.sheet == sheet, DataValue.is_current.is_(True), DataValue.submission_id.is_not(None)))
    return {cell: (value, flag, note) for cell, value, flag, note in rows}


def test_messy_values_land_in_the_database_as_meant(runner, tmp_path, demo):
    def outcomes(workbook):
        ws = workbook["Table 2"]
        for row in range(6, 16):
            ws[f"C{row}"] = 75
            ws[f"D{row}"] = 70
        ws["D6"] = "75%"
        ws["D7"] = 0.8
        ws["D7"].number_format = "0%"
        ws["D8"] = "N/A - no training courses run yet"
        ws["D9"] = "n/a*"
        ws["A18"] = "* Survey not yet carried out"
        ws["D10"] = " 65 (estimate) "
        ws["D11"] = "1,400 (provisional)"
        ws["E6"] = "Exit questionnaires"

    table_2 = edit(blank("table-2-da-sv-outcomes"), outcomes)
    rejected = run(runner, tmp_path, table_2, "--agency", LWA)
    assert rejected.exit_code == 1
    assert ("Table 2!D11: 1,400% is more than 100%, the highest figure allowed for 'Service users experience improved "
            "health and well-being' (Performance). Check the figure.") in rejected.output
    fixed = edit(table_2, lambda wb: wb["Table 2"].__setitem__("D11", "40 (provisional)"))
    result = run(runner, tmp_path, fixed, "--agency", LWA)
    assert result.exit_code == 0, result.output
    figures = stored_cells("Table 2")
    assert [figures[f"D{row}"] for row in range(6, 12)] == [
        (75, "actual", "Exit questionnaires"),
        (80, "actual", None),
        (None, "not_available", "no training courses run yet"),
        (None, "not_available", "Survey not yet carried out"),
        (65, "estimate", None),
        (40, "provisional", None),
    ]

    def budget(workbook):
        ws = workbook["DHR budget"]
        for row, typed in enumerate(["£25,500", " 16,000 ", "£0", "£3,000.50", "8,500", "2", "£4,250"], start=6):
            ws[f"C{row}"] = typed

    money = edit(blank("dhr-budget-return", "2016/17", "leicestershire-county-council"), budget)
    result = run(runner, tmp_path, money, "--agency", "leicestershire-county-council")
    assert result.exit_code == 0, result.output
    assert sorted(value for value, _, _ in stored_cells("DHR budget").values()) == [0, 2, 3000.5, 4250, 8500, 16000,
                                                                                     25500]


def test_n_a_not_yet_released_as_the_template_says_is_stored_as_not_released(runner, tmp_path, demo):
    """Cambridgeshire's court cases: its instructions say to write "N/A - not yet released"."""
    slug, period = "cambridgeshire-da-quarterly", "2015/16 Q3"
    cells = cells_of(slug, period)
    court_cases = [ref for field_id, (_, ref) in cells.items()
                   if "went-to-court" in field_id and "note" not in field_id]

    def fill(workbook):
        sheet = workbook["Quarterly MI"]
        for field_id, (_, ref) in cells.items():
            sheet[ref] = "N/A - not yet released" if ref in court_cases else (30 if "percent" not in field_id else 50)

    data = edit(blank(slug, period, "cambridgeshire-idva"), fill)
    result = run(runner, tmp_path, data, "--agency", "cambridgeshire-idva")
    assert result.exit_code == 0, result.output
    current = db.session.scalars(select(DataValue).where(DataValue.is_current))
    stored = {v.cell: (v.value, v.flag, v.note) for v in current}
    # Every quarter and the same quarter a year earlier: stored as not released, never "not available".
    assert {ref: stored[ref][:2] for ref in court_cases} == {ref: (None, "not_released") for ref in court_cases}
    assert len(court_cases) == 8


def test_a_figure_beyond_any_sane_size_is_refused_naming_its_cell(runner, tmp_path, demo):
    result = run(runner, tmp_path, filled({"C6": 1e160, "J6": 1e160}), "--agency", LWA)
    assert result.exit_code == 1
    assert ("Appendix 2!C6: 1E+160 is more than 1,000,000,000,000, the highest figure allowed for "
            "'Helpline calls received' (Blaby). Check the figure.") in result.output.splitlines()
    assert submissions() == DEMO_SUBMISSIONS


def test_a_return_with_a_dde_link_is_refused_and_nothing_is_kept(runner, tmp_path, demo, app):
    def add_dde(workbook):
        workbook["Appendix 2"]["Z1"] = "=cmd|' /C calc'!A0"

    result = run(runner, tmp_path, filled(change=add_dde), "--agency", LWA)
    assert result.exit_code == 1
    assert "contains a DDE link: a formula that asks another program to run" in result.output
    assert submissions() == DEMO_SUBMISSIONS
    kept = Path(app.config["UPLOAD_FOLDER"])
    assert not kept.exists() or not any(kept.rglob("*.xlsx"))  # the original is not served, as it is not kept
