"""Issue 18: ``flask dashboard report -o F.docx [--period P] [--public]``, the board's
performance report as a Word document, read back with python-docx."""
from docx import Document




def appendix_rows(document) -> list[list[str]]:
    """The rows of Appendix 1's tables (one per outcome)."""
    return [[cell.text for cell in row.cells] for table in document.tables
            if table.rows[0].cells[0].text == "Supporting indicator" for row in table.rows[1:]]


def test_the_report_for_a_period_is_appendix_1_with_its_figures_and_reds(demo, runner, tmp_path, seed):
    path = tmp_path / "report.docx"
    result = runner.invoke(args=["dashboard", "report", "-o", str(path), "--period", "2015/16 Q4", "--public"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"Wrote {path}: the public performance report for 2015/16 Q4."
    document = Document(path)
    rows = {row[0]: row for row in appendix_rows(document)}
    for outcome in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]:
        for item in outcome["indicators"]:
            row = rows[item["name"].replace("poulation", "population")]
            progress = {"R": "R Red", "A": "A Amber", "G": "G Green", None: "Not rated"}[item["progress"]]
            assert row[6] == progress, row
    crime = rows["Total Crime rate (per 1,000 population)"]
    assert crime[1:5] == ["2014/15", "45.79", "2015/16", "47.21"]
    referrals = rows["Number of referrals to domestic abuse support services (adults)"]
    assert referrals[3:5] == ["2015/16 (estimate)", "1,400"]
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert "Domestic Homicide Reviews (restricted)" not in headings  # public
    text = "\n".join(p.text for p in document.paragraphs)
    assert "Version: Public version" in text
    # Each red with its reason: Domestic Burglary 3.10 -> 3.53 is 13.9% worse.
    burglary = headings.index("Domestic Burglary rate (per 1,000 population)")
    assert headings[burglary - 1] in ("Indicators rated red", "Vehicle Crime rate (per 1,000 population)",
                                      "Reported hate incidents (per 1,000 population)")
    assert "Why red: Worse than last year by 13.9% (more than 10%): Red" in text


def test_the_report_is_written_by_its_suffix(demo, runner, tmp_path):
    result = runner.invoke(args=["dashboard", "report", "-o", str(tmp_path / "report.pdf")])
    assert result.exit_code == 1 and "name the file .docx (for example report.docx)" in result.output
    result = runner.invoke(args=["dashboard", "report", "-o", str(tmp_path / "missing" / "report.docx")])
    assert result.exit_code == 1 and "does not exist" in result.output
