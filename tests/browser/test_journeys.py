"""The four journeys of issue 21 in a real browser (Chromium), every page screenshotted and
checked with axe-core: an admin builds a template; an officer downloads the blank return,
uploads it with an error, reads the preview, downloads the marked-up file, fixes it and
confirms; a manager views the dashboard and downloads the workbook; a DHR co-ordinator
opens a case."""
import io
import re
from pathlib import Path

import openpyxl
import pytest

from tests.browser.pages import checked, sign_in
from tests.conftest import DEMO_ADMIN, DEMO_DHR, DEMO_LWA_OFFICER, DEMO_MANAGER
from tests.unit.ingest.returns import filled

pytestmark = [pytest.mark.slow, pytest.mark.filterwarnings("ignore::pytest.PytestRemovedIn10Warning")]


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


def test_an_admin_builds_a_template(page, live_server):
    sign_in(page, live_server, DEMO_ADMIN)
    page.goto(f"{live_server}/templates/")
    checked(page, "admin templates")
    page.goto(f"{live_server}/templates/new")
    checked(page, "admin new template")
    page.get_by_label("Name", exact=True).fill("Helpline figures (browser)")
    page.get_by_label("Short name").fill("helpline-browser")
    page.get_by_label("How often it is returned").select_option("quarterly")
    page.get_by_label("Living Without Abuse").check()
    page.get_by_role("button", name="Save settings").click()
    checked(page, "admin template created")
    assert page.url.endswith("/templates/helpline-browser")
    page.get_by_role("link", name="Add a sheet").click()
    checked(page, "admin new sheet")
    page.get_by_label("Sheet name").fill("Helpline")
    page.get_by_label("Layout").select_option("indicator_by_area")
    page.get_by_role("button", name="Save sheet").click()
    checked(page, "admin sheet added")
    page.get_by_role("link", name="Add a row").click()
    checked(page, "admin new row")
    page.get_by_label("Row label").fill("Calls received")
    page.get_by_label("Indicator", exact=True).select_option(index=1)
    page.get_by_role("button", name=re.compile("Save")).click()
    checked(page, "admin row added")
    page.get_by_role("link", name="Add a column").click()
    checked(page, "admin new column")
    page.get_by_label("Column header").fill("District")
    page.get_by_label("The column holds").select_option("area")
    area = page.locator("select[name=area]")
    area.select_option(index=1)
    page.get_by_role("button", name=re.compile("Save")).click()
    checked(page, "admin column added")
    shown = page.inner_text("main")
    assert "Helpline figures (browser)" in shown and "Calls received" in shown and "District" in shown
    assert "Saved as a draft" in shown


def test_an_officer_downloads_fills_fixes_and_confirms_a_return(page, live_server, tmp_path):
    sign_in(page, live_server, DEMO_LWA_OFFICER)
    page.goto(f"{live_server}/")
    checked(page, "officer start")
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile("Download the blank return")).first.click()
    blank = saved(download.value, tmp_path)
    assert "Appendix 2" in openpyxl.load_workbook(io.BytesIO(blank)).sheetnames

    wrong = tmp_path / "our return.xlsx"
    wrong.write_bytes(filled({"C6": "lots"}, data=blank))
    page.goto(f"{live_server}/returns/upload")
    checked(page, "officer upload")
    page.get_by_label("The filled return (.xlsx)").set_input_files(str(wrong))
    page.get_by_role("button", name="Upload and check").click()
    checked(page, "officer preview with an error")
    shown = " ".join(page.inner_text("main").split())
    assert "C6" in shown and "1 error" in shown
    assert page.get_by_role("button", name="Submit the return").count() == 0  # an error: nothing to confirm

    with page.expect_download() as download:
        page.get_by_role("link", name="Download your workbook with each problem marked on its cell").click()
    marked = openpyxl.load_workbook(io.BytesIO(saved(download.value, tmp_path)))
    assert marked["Appendix 2"]["C6"].comment is not None

    fixed = tmp_path / "our return, fixed.xlsx"
    fixed.write_bytes(filled(data=blank))
    page.goto(f"{live_server}/returns/upload")
    page.get_by_label("The filled return (.xlsx)").set_input_files(str(fixed))
    page.get_by_role("button", name="Upload and check").click()
    checked(page, "officer preview fixed")
    assert "0 errors" in " ".join(page.inner_text("main").split())
    page.get_by_label("Comment").fill("Checked against the helpline's call log.")
    page.get_by_role("button", name="Submit the return").click()
    checked(page, "officer submission stored")
    assert "Your return is stored as submission" in page.inner_text("main")


def test_a_dhr_coordinator_opens_a_case(page, live_server):
    sign_in(page, live_server, DEMO_DHR)
    page.goto(f"{live_server}/dhr/cases")
    checked(page, "dhr cases")
    first = page.locator("main table a").first
    name = first.inner_text()
    first.click()
    checked(page, "dhr case")
    assert re.search(r"/dhr/cases/\d+$", page.url) and name in page.inner_text("main")
