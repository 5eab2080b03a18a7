"""The admins' audit page (issue 17): who did what and when, by name, filterable by person,
action and dates, a page at a time, and the filtered rows as CSV safe from formula injection."""
import csv
import html
import io
import re
from datetime import datetime

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, PeerValue
from app.services.audit import csv_safe
from tests.factories import make_indicator, make_user


WHEN = re.compile(r"\d\d (?:January|February|March|April|May|June|July|August|September|October|November|December) "
                  r"\d{4} \d\d:\d\d")  # a row's time, as the page writes it


def text_of(response) -> str:
    page = response.get_data(as_text=True)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page[page.index("<main"):page.index("</main>")])))


def log_of(response) -> str:
    """The audit table's text (after the filters, whose lists name every action)."""
    text = text_of(response)
    return text.split("To what Details", 1)[1] if "To what Details" in text else ""


def _events(client, sign_in_as, people):
    """The manager saves two peer figures (one named like a formula) and the admin removes one."""
    indicator = make_indicator("Total crime rate", slug="total-crime-rate", unit="rate_per_1000")
    db.session.commit()
    sign_in_as("manager")
    for label, value in (("Nottinghamshire", "31"), ("=HYPERLINK(\"http://x\")", "29")):
        assert client.post(f"/performance/indicators/{indicator.id}/peers",
                           data={"period": "2015/16", "label": label, "value": value}).status_code == 302
    sign_in_as("admin")
    peer = db.session.scalar(select(PeerValue).where(PeerValue.label == "Nottinghamshire"))
    assert client.post(f"/performance/peers/{peer.id}/remove").status_code == 302
    # An older event, to filter by date.
    db.session.add(AuditEvent(action="as_at_set", user_id=people["users"]["admin"].id, at=datetime(2016, 6, 1, 9, 30),
                              detail={"before": None, "after": "2016-06-08"}))
    db.session.commit()
    return indicator


def test_the_audit_page_names_who_did_what_and_filters(client, sign_in_as, people):
    _events(client, sign_in_as, people)
    page = text_of(client.get("/admin/audit"))
    assert "Removed a peer figure" in page and "Saved a peer figure" in page and "Set the 'as at' date" in page
    assert "Indicator: Total crime rate" in page and "total-crime-rate" not in page
    assert "Manager" in page and "Admin" in page
    assert "01 June 2016 09:30" in page

    manager = people["users"]["manager"].id
    mine = client.get(f"/admin/audit?person={manager}")
    # The manager signed in once, saved two peer figures and signed out (for the admin).
    assert "4 events" in text_of(mine) and "Signed out" in log_of(mine)
    assert log_of(mine).count("Saved a peer figure") == 2
    assert "Removed a peer figure" not in log_of(mine) and " Admin " not in log_of(mine)
    removed = client.get("/admin/audit?action=peer_value_removed")
    assert "1 event." in text_of(removed) and "Label: Nottinghamshire" in log_of(removed)
    assert "Saved a peer figure" not in log_of(removed)
    june = client.get("/admin/audit?date_from=01/06/2016&date_to=30/06/2016")
    assert "1 event." in text_of(june) and "Set the 'as at' date" in log_of(june)
    assert "1 event." in text_of(client.get("/admin/audit?date_to=01/06/2016"))  # the last day is included
    assert "Nothing in the audit log matches" in text_of(client.get("/admin/audit?date_to=31/05/2016"))
    refused = client.get("/admin/audit?date_from=someday")
    assert refused.status_code == 400 and "Enter the first date as a date" in text_of(refused)


def test_the_csv_is_the_filtered_rows_with_formulas_made_safe(client, sign_in_as, people):
    _events(client, sign_in_as, people)
    manager = people["users"]["manager"].id
    response = client.get(f"/admin/audit.csv?person={manager}&action=peer_value_saved")
    assert response.mimetype == "text/csv"
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["When", "Who", "What was done", "To what", "Details"]
    assert [row[1:3] for row in rows[1:]] == [["Manager", "Saved a peer figure"]] * 2
    details = [row[4] for row in rows[1:]]
    assert any("Label: =HYPERLINK" in d for d in details) and "total-crime-rate" not in response.get_data(as_text=True)
    # A cell that starts like a formula is written as text: a person named "=2+3" (an admin
    # can type any name) shows as '=2+3.
    named = make_user("manager", email="formula@example.org", name="=2+3")
    db.session.add(AuditEvent(action="sign_in", user_id=named.id))
    db.session.commit()
    rows = list(csv.reader(io.StringIO(client.get(f"/admin/audit.csv?person={named.id}").get_data(as_text=True))))
    assert [row[1:3] for row in rows[1:]] == [["'=2+3", "Signed in"]]
    everyone = list(csv.reader(io.StringIO(client.get("/admin/audit.csv").get_data(as_text=True))))
    assert len(everyone) - 1 == db.session.query(AuditEvent).count()


def test_the_audit_log_comes_a_page_at_a_time(client, sign_in_as, people):
    admin = people["users"]["admin"]
    db.session.add_all([AuditEvent(action="sign_in", user_id=admin.id, at=datetime(2016, 5, 1, 8, minute))
                        for minute in range(57)])
    db.session.commit()
    sign_in_as("admin")  # one more sign-in, with its two-factor set-up: 58 events or a few more, 50 a page
    total = db.session.query(AuditEvent).count()
    assert 58 <= total < 100
    first = text_of(client.get("/admin/audit"))
    assert f"{total} events, page 1 of 2" in first and len(WHEN.findall(first)) == 50
    second = text_of(client.get("/admin/audit?page=2"))
    assert "page 2 of 2" in second and len(WHEN.findall(second)) == total - 50 and "01 May 2016 08:00" in second
    assert second.count(" Admin Signed in ") == total - 50
    assert "Older" in first and "Newer" in second


def test_only_admins_see_the_audit_log(client, sign_in_as, people):
    for role in ("manager", "officer", "dhr_coordinator"):
        sign_in_as(role)
        assert client.get("/admin/audit").status_code == 403
        assert client.get("/admin/audit.csv").status_code == 403


def test_a_cell_that_could_run_as_a_formula_is_text():
    assert [csv_safe(t) for t in ("=1+2", "+1", "-1", "@SUM(A1)", "Melton", "")] == \
        ["'=1+2", "'+1", "'-1", "'@SUM(A1)", "Melton", ""]


def test_every_action_the_app_records_has_words_on_the_audit_page():
    """An action recorded anywhere in app/ (``record("…")``) has its own words in
    app.vocabulary.AUDIT_ACTIONS, not a label made from its internal name."""
    from pathlib import Path

    from app.vocabulary import AUDIT_ACTIONS

    recorded = set()
    for path in Path("app").rglob("*.py"):
        text = path.read_text()
        recorded |= set(re.findall(r'record\(\s*"([a-z_]+)"', text))
        recorded |= {name for pair in re.findall(r'record\(\s*"([a-z_]+)" if [^"\n]+ else "([a-z_]+)"', text)
                     for name in pair}
    assert len(recorded) > 40
    assert sorted(recorded - set(AUDIT_ACTIONS)) == []
