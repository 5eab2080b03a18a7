"""Issue 14 part 4: a file that fits two templates about equally is not read until the
officer (or the --template option) says which return it is."""
import re
from dataclasses import replace

import pytest
from sqlalchemy import func, select

from app.definition import definition_to_json
from app.extensions import db
from app.models import Indicator, Submission
from app.services.return_templates import load
from tests.conftest import DEMO_SUBMISSIONS, DEMO_LWA_OFFICER as LWA_OFFICER
from tests.conftest import signed_in
from tests.functional.test_import_web import preview_url, text_of, upload
from tests.unit.ingest.test_identify import LABELS, label_template, label_workbook

PERIOD = "2015/16 Q4"
COUNTY, LLR = "Service outputs (county)", "Service outputs (LLR)"


@pytest.fixture
def near_tie(demo):
    """Two quarterly label/value returns of Living Without Abuse, one for the county and one
    for LLR, whose row labels differ in one row (so a file of either fits both)."""
    indicators = list(db.session.scalars(select(Indicator.slug).order_by(Indicator.slug)))[:len(LABELS)]
    for slug, name, labels, area in (("outputs-county", COUNTY, LABELS, "LC"),
                                     ("outputs-llr", LLR, LABELS[:-1] + ["Self-referrals"], "LLR")):
        defn = replace(label_template(slug, name, labels), frequency="quarterly")
        defn.sheets[0].default_area = area
        for row, indicator in zip(defn.sheets[0].rows, indicators, strict=True):
            row.indicator = indicator
        load(definition_to_json(defn), None)
    return label_workbook(LABELS)


def test_the_officer_chooses_and_the_same_file_is_read(app, client, near_tie):
    officer = signed_in(client, LWA_OFFICER)
    response = upload(officer, near_tie, "outputs.xlsx", period=PERIOD)
    choose = preview_url(response)
    assert choose.endswith("/choose")
    page = officer.get(choose)
    shown = text_of(page)
    assert page.status_code == 200
    assert "This file could be either of these returns" in shown
    assert f"{COUNTY} It matches 12 of 12 row labels on sheet 'Outputs'." in shown
    assert f"{LLR} It matches 11 of 12 row labels on sheet 'Outputs'." in shown
    assert "outputs-county" in page.data.decode() and "outputs-county" not in shown  # slugs are values, not text
    token = choose.split("/")[-2]
    # The preview of an unchosen near-tie goes back to the choice.
    assert officer.get(f"/returns/uploads/{token}").headers["Location"].endswith("/choose")

    missing = officer.post(choose, data={})
    assert missing.status_code == 400 and "Choose which of these returns the file is" in text_of(missing)
    wrong = officer.post(choose, data={"template": "appendix-2-da-sv-outputs"})
    assert wrong.status_code == 400 and "Choose which of these returns the file is" in text_of(wrong)

    chosen = officer.post(choose, data={"template": "outputs-county"})
    preview = officer.get(preview_url(chosen))
    shown = text_of(preview)
    assert preview.status_code == 200
    assert f"{COUNTY}, version 1, as chosen for this upload" in shown  # its name, not its slug
    assert "Read 12 figures, 0 warnings, 0 errors" in shown
    assert re.search(r"Outputs!B2 Referrals from source 1 .* 2", shown)
    assert officer.get(f"/returns/uploads/{token}/choose").headers["Location"].endswith(f"/uploads/{token}")
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS


def test_the_command_line_lists_the_candidates_and_exits_1(runner, tmp_path, near_tie):
    path = tmp_path / "outputs.xlsx"
    path.write_bytes(near_tie)
    args = ["returns", "import", str(path), "--agency", "living-without-abuse", "--period", PERIOD]
    result = runner.invoke(args=args)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0] == "Template: not recognised: it could be any of 2 templates"
    assert lines[-4:] == [
        "This file could be either of these returns (nothing in it says which):",
        f"  outputs-county: {COUNTY} (matches 12 of 12 row labels on sheet 'Outputs')",
        f"  outputs-llr: {LLR} (matches 11 of 12 row labels on sheet 'Outputs')",
        "Nothing was read or stored: run the command again with --template and the short name of the one it is.",
    ]
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS

    chosen = runner.invoke(args=[*args, "--template", "outputs-county"])
    assert chosen.exit_code == 0, chosen.output
    assert chosen.output.splitlines()[0] == f"Template: {COUNTY} (outputs-county), version 1, as chosen for this upload"
    assert chosen.output.splitlines()[-1] == f"stored as submission #{DEMO_SUBMISSIONS + 1}"
    assert db.session.scalar(select(Submission).order_by(Submission.id.desc())).template.slug == "outputs-county"
