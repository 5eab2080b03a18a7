"""Issue 15, "Peer comparison empty in the demo": ``flask demo load`` stores Appendix 1's
County Comparison as published positions, and an admin uploads peer figures (or
published positions) as a CSV file or a workbook — every bad row reported with its row
number, nothing half-stored."""
import html
import io
import re

import openpyxl
import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import AuditEvent, PeerPosition, PeerValue
from tests.conftest import DEMO_ADMIN as ADMIN
from tests.conftest import DEMO_MANAGER as MANAGER
from tests.conftest import sign_in

HATE = "Reported hate incidents (per 1,000 population)"


@pytest.fixture
def demo(demo):
    return demo


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def post_file(client, content: bytes, filename: str):
    return client.post("/admin/peer-figures", data={"file": (io.BytesIO(content), filename)},
                       content_type="multipart/form-data")


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(response.get_data(as_text=True)))


def row_html(text: str, name: str) -> str:
    # In the outcomes' tables: the RAG summary above them names the red rows too.
    start = text.index(f">{name}", text.index("id=\"outcome-1\""))
    return text[start:text.index("</tr>", start)]


def test_the_demo_reproduces_appendix_1s_county_comparison(demo, client, seed):
    published = {item["name"].replace("poulation", "population"): item["county_comparison"]
                 for block in seed["leicestershire_dashboard_2015_16_q4"]["outcomes"]
                 for item in block["indicators"] if item.get("county_comparison")}
    assert published["Total Crime rate (per 1,000 population)"] == "Top" and len(published) == 6
    assert count(PeerPosition) == 6
    sign_in(client, *MANAGER)
    page = text_of(client.get("/dashboard/2015-16"))
    for name, position in published.items():
        assert f"Peers: {position} (as published: County comparison, Appendix 1)" in row_html(page, name), name


def test_an_admin_uploads_peer_figures_as_csv_and_the_dashboard_compares_with_them(demo, client):
    sign_in(client, *ADMIN)
    assert b"Upload peer figures" in client.get("/admin/indicators").data
    csv = ("Indicator,Period,Peer,Figure\n"
           f'"{HATE}",2015/16,England average,0.9\n'
           f'hate-incidents-rate,2015/16,Most similar group,"0.80"\n'
           ",,,\n"  # a blank row is skipped
           "\"Total Crime rate (per 1,000 population)\",2015/16,England average,61.5\n")
    response = post_file(client, csv.encode(), "peers.csv")
    assert response.status_code == 302, text_of(response)
    assert "Stored 3 peer figures and 0 published positions." in text_of(client.get(response.headers["Location"]))
    assert count(PeerValue) == 3
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "peer_figures_uploaded")) is not None
    page = text_of(client.get("/dashboard/2015-16"))
    # 0.58 against the average of 0.9 and 0.8: higher is better, so Bottom.
    assert "Peers: Bottom (against the average of 2 peer figures)" in row_html(page, HATE)
    # The peers' figures win over the position published for the period: 47.21 v 61.5 is Top.
    assert "Peers: Top (against the average of 1 peer figure)" in row_html(
        page, "Total Crime rate (per 1,000 population)")
    # The same indicator, period and peer again replaces the figure.
    assert post_file(client, f'Indicator,Period,Peer,Figure\n"{HATE}",2015/16,England average,0.5\n'.encode(),
                     "again.csv").status_code == 302
    assert count(PeerValue) == 3
    assert sorted(db.session.scalars(select(PeerValue.value))) == [0.5, 0.8, 61.5]


def test_every_bad_row_is_reported_by_number_and_nothing_is_stored(demo, client):
    sign_in(client, *ADMIN)
    csv = ("Peer,Indicator,Period,Figure,Position\n"
           f'England average,"{HATE}",2015/16,0.9,\n'  # good, but not stored: others are bad
           "England average,Burglaries of sheds,2015/16,3,\n"
           f'England average,"{HATE}",2015/16 Q5,3,\n'
           f',"{HATE}",2015/16,3,\n'
           f'England average,"{HATE}",2014/15,lots,\n'
           f'England average,"{HATE}",2014/15,1E+160,\n'
           f'MSG,"{HATE}",2015/16,,Middling\n'
           f'MSG,"{HATE}",2015/16,2,Top\n'
           f'England average,"{HATE}",2015/16,0.7,\n')
    response = post_file(client, csv.encode(), "peers.csv")
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was stored: 8 rows need correcting." in page
    for expected in ("Row 3: there is no indicator called 'Burglaries of sheds'.",
                     "Row 4: the period '2015/16 Q5' cannot be read",
                     "Row 5: the peer is blank",
                     "Row 6: the figure 'lots' is not a number.",
                     "Row 7: the figure 1E+160 is beyond any sane size",
                     "Row 8: the position 'Middling' is not Top, Average or Bottom.",
                     "Row 9: give a figure or a position, not both.",
                     "Row 10: it repeats row 2 (the same indicator, period and peer)."):
        assert expected in page, expected
    assert count(PeerValue) == 0 and count(PeerPosition) == 6  # the demo's six, untouched

    missing = post_file(client, b"Indicator,Period,Value\nx,2015/16,1\n", "peers.csv")
    assert missing.status_code == 400 and "Row 1: there is no column headed Peer." in text_of(missing)
    empty = post_file(client, b"", "peers.csv")
    assert empty.status_code == 400
    broken = post_file(client, b"PK\x03\x04 not really a workbook", "peers.xlsx")
    assert broken.status_code == 400 and "There is a problem" in text_of(broken)
    nul = post_file(client, f'Indicator,Period,Peer,Figure\n"{HATE}",2015/16,Eng\x00land,1\n'.encode(), "n.csv")
    assert nul.status_code == 400 and "Row 2: a cell contains a control character" in text_of(nul)
    assert count(PeerValue) == 0


def test_a_workbook_of_peer_figures_and_published_positions(demo, client):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Indicator", "Period", "Peer", "Figure", "Position"])
    sheet.append([HATE, "2015/16", "England average", 0.9, None])
    sheet.append([HATE, "2014/15", "Most similar group", None, "average"])
    buffer = io.BytesIO()
    book.save(buffer)
    sign_in(client, *ADMIN)
    response = post_file(client, buffer.getvalue(), "peers.xlsx")
    assert response.status_code == 302, text_of(response)
    assert count(PeerValue) == 1
    assert db.session.scalar(select(PeerPosition.position).where(PeerPosition.label == "Most similar group")) \
        == "Average"


def test_only_an_admin_uploads_peer_figures(demo, client):
    sign_in(client, *MANAGER)
    assert client.get("/admin/peer-figures").status_code == 403
    assert post_file(client, b"Indicator,Period,Peer,Figure\n", "p.csv").status_code == 403
