"""The DHR sheets in the consolidated workbook: only for people allowed to see DHR data."""
import io

import openpyxl
from sqlalchemy import select

from app.extensions import db
from app.models import User
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

    manager = db.session.scalar(select(User).where(User.email == "manager@demo.saferreturns.org.uk"))
    client.post("/sign-out")
    sign_in(client, *DEMO_ADMIN)
    assert sheets_of(client.get("/dashboard/2015-16/download?version=full").data)[-3:] == DHR_SHEETS
    assert client.post(f"/dhr/access/{manager.id}", data={"grant": "yes"}).status_code == 302

    client.post("/sign-out")
    sign_in(client, *DEMO_MANAGER)
    assert sheets_of(client.get("/dashboard/2015-16/download?version=full").data)[-3:] == DHR_SHEETS
    # The public version never has them, whoever asks.
    assert not set(DHR_SHEETS) & set(sheets_of(client.get("/dashboard/2015-16/download?version=public").data))
