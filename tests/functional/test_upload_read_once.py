"""Issue 16: a web upload is read once; what was read is kept beside the held file (in the
same store) for its preview and its confirmation, which redo only the checks against the
database. A template published or a name added in between makes the confirmation read the
file again, and the figures stored are those ``flask returns import`` stores."""
import gzip
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

import app.ingest.pipeline as pipeline
from app.extensions import db
from app.models import PeriodSignOff, Submission
from app.store.reference import period_row
from app.store.submissions import submission_figures, submission_targets
from tests.conftest import DEMO_ADMIN as ADMIN, DEMO_LWA_OFFICER as LWA_OFFICER, DEMO_SUBMISSIONS, signed_in
from tests.functional.test_import_web import held_files, preview_url, text_of, upload
from tests.functional.test_vocabulary import NEW_NAME, area, area_form, expected_column, renamed, stored_column
from tests.unit.ingest.returns import APPENDIX_2_SLUG, SEED_PERIOD, filled

LWA = "living-without-abuse"


@pytest.fixture
def reads(monkeypatch):
    """Every workbook the pipeline reads (the real reader, counted)."""
    read = []
    real = pipeline.read_workbook

    def counted(data, *args, **kwargs):
        read.append(len(data))
        return real(data, *args, **kwargs)

    monkeypatch.setattr(pipeline, "read_workbook", counted)
    return read


def kept_reading(app) -> dict:
    """The reading kept beside the held upload (there is one held upload)."""
    [name] = [f for f in held_files(app) if f.endswith(".read.json.gz")]
    with open(f"{app.config['UPLOAD_FOLDER']}/{name}", "rb") as fh:
        return json.loads(gzip.decompress(fh.read()))


def stored(submission_id: int) -> list[tuple]:
    """Every figure and target of a submission: what it is of, what it says, where it was."""
    return [(f.indicator_slug, f.area_code, f.period_key, f.value, f.flag, f.note, f.sheet, f.cell, f.measure)
            for f in submission_figures(submission_id) + submission_targets(submission_id)]


def latest_submission() -> Submission:
    return db.session.scalar(select(Submission).order_by(Submission.id.desc()).limit(1))


def test_an_upload_is_read_once_and_stores_what_the_command_line_stores(app, client, runner, demo, reads,
                                                                       tmp_path):
    # A row the template does not have: a warning, so the confirmation needs a comment.
    def extra_row(workbook):
        workbook["Appendix 2"]["A20"], workbook["Appendix 2"]["C20"] = "Calls about something else", 5

    data = filled(change=extra_row)
    officer = signed_in(client, LWA_OFFICER)
    url = preview_url(upload(officer, data, "Appendix 2.xlsx"))
    assert reads == [len(data)]
    kept = kept_reading(app)  # JSON beside the held file, in the same store
    assert kept["template"][0] == APPENDIX_2_SLUG and len(kept["values"]["value"]) == 63

    officer.get(url)  # (the first page after signing in also says so)
    first, again = text_of(officer.get(url)), text_of(officer.get(url))
    assert first == again and "The row 'Calls about something else' is not part of this return" in first
    assert "1 warning, 0 errors" in first
    assert officer.get(url + "/annotated.xlsx").status_code == 200
    confirmed = officer.post(url + "/confirm", data={"comment": "Column H is North West Leicestershire"})
    assert confirmed.status_code == 302, text_of(confirmed)[:2000]
    assert reads == [len(data)]  # upload, two previews, the marked-up file and the confirmation: one read
    assert not [f for f in held_files(app) if f.startswith("pending/")]  # the held file and its reading go
    web = latest_submission()

    path = tmp_path / "Appendix 2.xlsx"
    path.write_bytes(data)
    result = runner.invoke(args=["returns", "import", str(path), "--agency", LWA, "--comment", "again"])
    assert result.exit_code == 0, result.output
    command_line = latest_submission()
    assert command_line.supersedes_id == web.id
    assert stored(web.id) and stored(command_line.id) == stored(web.id)
    assert command_line.warnings == web.warnings and len(web.warnings) == 1
    assert (command_line.sha256, command_line.size_bytes) == (web.sha256, web.size_bytes)


def test_a_name_added_between_upload_and_confirm_makes_the_confirm_read_the_file_again(client, demo, reads):
    officer = signed_in(client, LWA_OFFICER)
    url = preview_url(upload(officer, renamed("H5", NEW_NAME)))
    assert f"Column H headed '{NEW_NAME}' is not part of this return" in text_of(officer.get(url))
    assert len(reads) == 1

    admin = signed_in(client, ADMIN)
    nwl = area("NW")
    assert admin.post(f"/admin/areas/{nwl.id}", data=area_form(nwl, NEW_NAME)).status_code == 302

    officer = signed_in(client, LWA_OFFICER)
    # Read with the kept reading, it would still have its warning and need a comment.
    confirmed = officer.post(url + "/confirm", data={"comment": ""})
    assert confirmed.status_code == 302, text_of(confirmed)[:2000]
    assert len(reads) == 2
    assert stored_column("H") == expected_column("H", "NW") != {}
    assert latest_submission().warnings is None


def test_a_template_published_between_upload_and_confirm_makes_the_confirm_read_the_file_again(
        app, client, runner, demo, reads, tmp_path):
    def unversioned(workbook):  # no record of its version: read with the published one
        del workbook.defined_names["SR_VERSION"]
        for row in workbook["_meta"].iter_rows():
            if row[0].value == "template_version":
                row[1].value = None

    data = filled(change=unversioned)
    officer = signed_in(client, LWA_OFFICER)
    url = preview_url(upload(officer, data))
    assert "version 1" in text_of(officer.get(url)) and "0 errors" in text_of(officer.get(url)) and len(reads) == 1

    # The administrator publishes a version whose first row allows nothing over 1.
    definition = json.loads(runner.invoke(args=["templates", "dump", APPENDIX_2_SLUG]).output)
    definition["sheets"][0]["rows"][0]["rule"] = {**definition["sheets"][0]["rows"][0].get("rule", {}), "max": 1}
    (tmp_path / "template.json").write_text(json.dumps(definition))
    published = runner.invoke(args=["templates", "load", str(tmp_path / "template.json")])
    assert "version 2\tpublished" in published.output, published.output

    path = tmp_path / "return.xlsx"
    path.write_bytes(data)
    fresh = runner.invoke(args=["returns", "import", str(path), "--agency", LWA, "--dry-run"])
    assert fresh.exit_code == 1 and "version 2" in fresh.output and "rejected" in fresh.output, fresh.output
    errors = [line.split(": ", 1)[1] for line in fresh.output.splitlines() if line.startswith("Appendix 2!")]
    assert len(errors) == 9, fresh.output

    before = db.session.scalar(select(Submission.id).order_by(Submission.id.desc()).limit(1))
    refused = officer.post(url + "/confirm", data={"comment": ""})
    assert refused.status_code == 400 and len(reads) == 3  # the dry run, and the confirmation read it again
    shown = text_of(refused)
    assert "This return has errors, so it cannot be stored" in shown
    assert all(error in shown for error in errors)
    assert db.session.scalar(select(Submission.id).order_by(Submission.id.desc()).limit(1)) == before


def test_the_checks_against_the_database_are_made_again_without_reading_the_file(client, demo, reads):
    officer = signed_in(client, LWA_OFFICER)
    url = preview_url(upload(officer, filled()))
    assert "0 errors" in text_of(officer.get(url))
    # The period is signed off after the upload: the kept reading is used, and still refused.
    db.session.add(PeriodSignOff(period=period_row(SEED_PERIOD), locked=True))
    db.session.commit()
    refused = officer.post(url + "/confirm", data={"comment": "please"})
    assert refused.status_code == 400 and len(reads) == 1
    assert "This period has been signed off; ask an administrator to unlock it" in text_of(refused)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS


def test_an_upload_held_without_its_reading_is_read_again_once(app, client, demo, reads):
    officer = signed_in(client, LWA_OFFICER)
    url = preview_url(upload(officer, filled()))
    [name] = [f for f in held_files(app) if f.endswith(".read.json.gz")]
    (Path(app.config["UPLOAD_FOLDER"]) / name).unlink()  # held before readings were kept, or lost
    assert "0 errors" in text_of(officer.get(url)) and len(reads) == 2
    assert name in held_files(app)  # kept again
    assert officer.post(url + "/confirm", data={"comment": ""}).status_code == 302 and len(reads) == 2
