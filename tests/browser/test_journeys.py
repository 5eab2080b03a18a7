"""The four journeys of issue 21 in a real browser (Chromium), every page screenshotted and
checked with axe-core: an admin builds a template; an officer downloads the blank return,
uploads it with an error, reads the preview, downloads the marked-up file, fixes it and
confirms; a manager views the dashboard and downloads the workbook; a DHR co-ordinator
opens a case."""
import io
from pathlib import Path

import openpyxl
import pytest

from tests.browser.pages import checked, sign_in
from tests.conftest import DEMO_ADMIN, DEMO_DHR, DEMO_LWA_OFFICER, DEMO_MANAGER
from tests.unit.ingest.returns import APPENDIX_2_SLUG, SEED_PERIOD, filled

pytestmark = pytest.mark.slow


def saved(download, tmp_path: Path) -> bytes:
    path = tmp_path / download.suggested_filename
    download.save_as(path)
    return path.read_bytes()


def test_a_manager_views_the_dashboard_and_downloads_the_workbook(page, live_server, tmp_path):
    sign_in(page, live_server, DEMO_MANAGER)
    page.goto(f"{live_server}/dashboard/")
    checked(page, "manager dashboard")
    assert page.get_by_role("heading", level=1).inner_text().startswith("Dashboard")
    page.goto(page.url.split("?")[0] + "/download")
    checked(page, "manager download choice")
    page.get_by_label("Full").check()
    with page.expect_download() as download:
        page.get_by_role("button", name="Download").click()
    body = saved(download.value, tmp_path)
    workbook = openpyxl.load_workbook(io.BytesIO(body), read_only=True)
    assert len(workbook.sheetnames) > 1 and download.value.suggested_filename.endswith(".xlsx")
