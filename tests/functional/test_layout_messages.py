"""A return turned round is told so in one message, by ``flask returns import`` and on the
upload preview (issue 14 part 5)."""
from sqlalchemy import func, select

from app.extensions import db
from app.models import Submission
from tests.conftest import DEMO_LWA_OFFICER as LWA_OFFICER, DEMO_SUBMISSIONS
from tests.conftest import signed_in
from tests.functional.test_import_cli import run
from tests.functional.test_import_web import preview_url, text_of, upload
from tests.unit.ingest.test_layout_diagnosis import TRANSPOSED_APPENDIX_2, transposed_return

LWA = "living-without-abuse"


def test_the_command_prints_the_one_diagnosis_and_exits_1(runner, tmp_path, demo):
    result = run(runner, tmp_path, transposed_return(), "--agency", LWA)
    assert result.exit_code == 1, result.output
    assert result.output.splitlines()[4:] == [
        "0 values, 0 warnings, 1 error",
        TRANSPOSED_APPENDIX_2,
        "rejected: nothing stored (correct the errors listed above)",
    ]
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS


def test_the_upload_preview_shows_the_diagnosis(client, demo):
    officer = signed_in(client, LWA_OFFICER)
    shown = text_of(officer.get(preview_url(upload(officer, transposed_return()))))
    assert TRANSPOSED_APPENDIX_2.split(": ", 1)[1] in shown
    assert "This return cannot be stored yet" in shown and "is missing" not in shown
