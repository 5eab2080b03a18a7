"""The annotated-workbook download (issue 15, Bounds): a return with many empty formatted
rows below its table is marked up from its used range, quickly and in little memory
(tests/unit/ingest/test_annotate.py takes a million, bench/annotate measures it), and
nothing the upload accepted or refused makes the download fail."""
import io

import openpyxl

from tests.conftest import DEMO_LWA_OFFICER, signed_in
from tests.functional.test_import_web import preview_url, text_of, upload
from tests.unit.ingest.builders import rezip, with_empty_formatted_rows
from tests.unit.ingest.returns import bad_files, filled


def test_a_return_with_many_empty_formatted_rows_is_marked_up_from_its_table(client, demo):
    # 100,000 rows here, to keep the suite quick: the unit test and bench/annotate take a million.
    officer = signed_in(client, DEMO_LWA_OFFICER)
    data = with_empty_formatted_rows(filled({"C7": "lots", "J6": 735}), 100_000, "Appendix 2")
    page = officer.get(preview_url(upload(officer, data)))
    assert "'lots' is not a number" in text_of(page)
    download = officer.get(page.request.path + "/annotated.xlsx")
    assert download.status_code == 200, text_of(download)[:500]
    ws = openpyxl.load_workbook(io.BytesIO(download.data))["Appendix 2"]
    assert (ws.max_row, ws.max_column) == (12, 13)
    assert "'lots' is not a number" in ws["C7"].comment.text and "Total Leics County is 735" in ws["J6"].comment.text


def test_no_file_the_upload_accepted_or_refused_makes_the_download_fail(client, demo):
    officer = signed_in(client, DEMO_LWA_OFFICER)
    # Its figures are read (we do not read the document properties) but openpyxl cannot load it.
    unloadable = rezip(filled({"C7": "lots"}), replace={"docProps/core.xml": b"<cp:coreProperties"})
    page = officer.get(preview_url(upload(officer, unloadable)))
    assert "'lots' is not a number" in text_of(page)
    download = officer.get(page.request.path + "/annotated.xlsx", follow_redirects=True)
    assert download.status_code == 200 and "This workbook could not be marked up" in text_of(download)
    for kind, (data, _) in bad_files().items():
        page = officer.get(preview_url(upload(officer, data)))
        download = officer.get(page.request.path + "/annotated.xlsx", follow_redirects=True)
        assert download.status_code == 200, kind
        assert download.mimetype != "text/html" or "marked up" in text_of(download), kind
