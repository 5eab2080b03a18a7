"""The DHR sheets in the consolidated workbook: only for people allowed to see DHR data."""
import html
import io

import openpyxl
from docx import Document
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.services.dashboard_export import DHR_LEFT_OUT
from tests.conftest import DEMO_ADMIN, DEMO_MANAGER, sign_in

DHR_SHEETS = ["DHR Budget", "DHR Cases", "DHR Actions"]


def sheets_of(data: bytes) -> list[str]:
    return openpyxl.load_workbook(io.BytesIO(data), read_only=True).sheetnames


def test_operators_full_export_has_the_dhr_sheets_and_the_public_one_does_not(demo, runner, tmp_path):
    full, public = tmp_path / "full.xlsx", tmp_path / "public.xlsx"
    assert runner.invoke(args=["dashboard", "export", "-o", str(full), "--period", "2015/16"]).exit_code == 0
    assert (
        runner.invoke(args=["dashboard", "export", "-o", str(public), "--period", "2015/16", "--public"]).exit_code == 0
    )
    assert sheets_of(full.read_bytes())[-3:] == DHR_SHEETS
    assert not set(DHR_SHEETS) & set(sheets_of(public.read_bytes()))
    budget = openpyxl.load_workbook(full, data_only=True)["DHR Budget"]
    figures = {c.value for row in budget.iter_rows() for c in row if isinstance(c.value, (int, float))}
    assert 21411 in figures  # the 2016/17 closing reserve, cached beside its live formula


def test_manager_gets_the_dhr_sheets_only_once_granted(demo, client):
    sign_in(client, *DEMO_MANAGER)
    response = client.get("/dashboard/2015-16/download?version=full")
    assert response.status_code == 200
    assert not set(DHR_SHEETS) & set(sheets_of(response.data))
    # Issue 18: told which sheets are left out and why, before choosing and in the file.
    for page in ("download", "report"):
        text = html.unescape(client.get(f"/dashboard/2015-16/{page}").get_data(as_text=True))
        assert DHR_LEFT_OUT in text
    contents = openpyxl.load_workbook(io.BytesIO(response.data))["Contents"]
    assert DHR_LEFT_OUT in [c.value for row in contents.iter_rows() for c in row]
    report = client.get("/dashboard/2015-16/report?version=full")
    assert DHR_LEFT_OUT in [p.text for p in Document(io.BytesIO(report.data)).paragraphs]

    manager = db.session.scalar(select(User).where(User.email == "manager@demo.saferreturns.org.uk"))
    client.post("/sign-out")
    sign_in(client, *DEMO_ADMIN)
    assert sheets_of(client.get("/dashboard/2015-16/download?version=full").data)[-3:] == DHR_SHEETS
    assert client.post(f"/dhr/access/{manager.id}", data={"grant": "yes"}).status_code == 302

    client.post("/sign-out")
    sign_in(client, *DEMO_MANAGER)
    assert sheets_of(client.get("/dashboard/2015-16/download?version=full").data)[-3:] == DHR_SHEETS
    assert DHR_LEFT_OUT not in html.unescape(client.get("/dashboard/2015-16/download").get_data(as_text=True))
    # The public version never has them, whoever asks.
    assert not set(DHR_SHEETS) & set(sheets_of(client.get("/dashboard/2015-16/download?version=public").data))


def test_the_report_downloads_beside_the_workbook_with_its_dhr_summary_only_in_the_full_version(demo, client):
    sign_in(client, *DEMO_ADMIN)
    page = client.get("/dashboard/2015-16").get_data(as_text=True)
    assert 'href="/dashboard/2015-16/download"' in page and 'href="/dashboard/2015-16/report"' in page
    assert client.get("/dashboard/2015-16/report?version=draft").status_code == 400
    headings = {}
    for version in ("full", "public"):
        response = client.get(f"/dashboard/2015-16/report?version={version}")
        assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
        suffix = "_public" if version == "public" else ""
        assert f'filename=report_2015-16{suffix}.docx' in response.headers["Content-Disposition"]
        document = Document(io.BytesIO(response.data))
        headings[version] = [p.text for p in document.paragraphs if p.style.name == "Heading 1"]
    assert "Domestic Homicide Reviews (restricted)" in headings["full"]
    assert "Domestic Homicide Reviews (restricted)" not in headings["public"]
