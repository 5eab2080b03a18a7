"""Signing in and out, CSRF, and officers kept to their own agency's data."""
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import AuditEvent, DataValue, Indicator, Period, User
from tests.conftest import PASSWORD, csrf_token_from, make_config, sign_in


def test_wrong_password_is_refused_with_a_message(client, people):
    response = sign_in(client, "admin@example.org", "not the password")
    assert response.status_code == 400
    assert b"The email address or password is not right" in response.data
    assert client.get("/").status_code == 302
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "sign_in_failed")) is not None


def test_unknown_email_is_refused_the_same_way(client, people):
    response = sign_in(client, "nobody@example.org")
    assert response.status_code == 400
    assert b"The email address or password is not right" in response.data


def test_empty_form_names_both_fields(client):
    response = client.post("/sign-in", data={})
    assert b"Enter your email address" in response.data
    assert b"Enter your password" in response.data


def test_inactive_user_cannot_sign_in(client, people):
    people["users"]["manager"].active = False
    db.session.commit()
    assert sign_in(client, "manager@example.org").status_code == 400


def test_sign_in_success_and_sign_out(client, people):
    response = sign_in(client, "Manager@Example.org ")  # case and spaces as people type them
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert b"Signed in as Manager" in client.get("/").data
    assert client.post("/sign-out").status_code == 302
    assert client.get("/").status_code == 302


def test_next_only_follows_local_paths(client, people):
    response = client.post(
        "/sign-in?next=https://evil.example/", data={"email": "officer@example.org", "password": PASSWORD}
    )
    assert response.headers["Location"] == "/"
    client.post("/sign-out")
    response = client.post("/sign-in?next=/admin/users", data={"email": "manager@example.org", "password": PASSWORD})
    assert response.headers["Location"] == "/admin/users"


def test_passwords_are_hashed(people):
    user = db.session.scalar(select(User).where(User.email == "admin@example.org"))
    assert PASSWORD not in user.password_hash and user.password_hash.startswith("$argon2id$")


def test_form_posted_without_csrf_token_is_rejected(database_url, migrated, tmp_path, people):
    app = create_app(make_config(database_url, tmp_path, WTF_CSRF_ENABLED=True))
    client = app.test_client()
    response = client.post("/sign-in", data={"email": "admin@example.org", "password": PASSWORD})
    assert response.status_code == 400
    assert b"There is a problem with your request" in response.data
    # With the token from the page, the same post succeeds.
    token = csrf_token_from(client.get("/sign-in").data)
    response = client.post("/sign-in", data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302


def _figure(people, agency, value):
    indicator = db.session.scalar(select(Indicator)) or Indicator(slug="helpline-calls", name="Helpline calls received")
    period = db.session.scalar(select(Period)) or Period(
        key="2015/16",
        kind="year",
        label="2015/16",
        start_date=__import__("datetime").date(2015, 4, 1),
        end_date=__import__("datetime").date(2016, 3, 31),
    )
    row = DataValue(
        indicator=indicator, area=people["county"], period=period, value=value, agency=agency, is_current=True
    )
    # Each agency's figure for a different area so both can be current.
    db.session.add(row)
    return row


def test_officer_sees_only_their_own_agency(client, people, sign_in_as):
    from app.models import Area

    _figure(people, people["police"], 734)
    other_area = Area(name="Blaby", code="B", kind="district")
    db.session.add(other_area)
    row = _figure(people, people["council"], 39)
    row.area = other_area
    db.session.commit()

    sign_in_as("officer")
    own = client.get(f"/agencies/{people['police'].id}/data")
    assert own.status_code == 200 and b"734" in own.data
    # Changing the id in the URL does not reveal another agency's figures.
    other = client.get(f"/agencies/{people['council'].id}/data")
    # ">39<" (a table cell), not "39": the page's random CSRF token may hold those digits.
    assert other.status_code == 403 and b">39<" not in other.data
    listing = client.get("/data")
    assert b"734" in listing.data and b">39<" not in listing.data
    assert b"Blaby District Council" not in listing.data

    sign_in_as("manager")
    assert b"39" in client.get(f"/agencies/{people['council'].id}/data").data
