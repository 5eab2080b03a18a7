"""Issue 15: a SUM whose saved result its cells no longer add up to is shown on the upload's
preview as a warning at its cell, and marked on the annotated workbook."""
import io

import openpyxl

from tests.conftest import DEMO_LWA_OFFICER, signed_in
from tests.functional.test_import_web import preview_url, text_of, upload
from tests.unit.ingest.returns import filled
from tests.unit.ingest.test_saved_sums import with_saved_results


def test_the_preview_warns_that_a_total_was_not_recalculated(client, demo):
    officer = signed_in(client, DEMO_LWA_OFFICER)
    data = with_saved_results(filled({"C6": 41, "J6": "=SUM(C6:I6)"}), {"J6": "734"})
    page = officer.get(preview_url(upload(officer, data)))
    assert ("Total in J6 is 734 but the cells it adds up (SUM(C6:I6)) come to 736 — the file may not have been "
            "recalculated") in text_of(page)
    marked = openpyxl.load_workbook(io.BytesIO(officer.get(page.request.path + "/annotated.xlsx").data))
    assert "may not have been recalculated" in marked["Appendix 2"]["J6"].comment.text
