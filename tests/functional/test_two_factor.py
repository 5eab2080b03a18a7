"""Two-factor sign-in (issue 21): required for everyone who can see DHR data, set up on
the first sign-in (QR code shown once), a code from the app each time after, recovery
codes shown once and each usable once."""
import re

import pyotp
from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent, RecoveryCode, User
from tests.conftest import DEMO_ADMIN, DEMO_MANAGER, PASSWORD

SET_UP = "/two-factor/set-up"
CODE = "/sign-in/code"


def password_step(client, email: str, password: str = PASSWORD):
    return client.post("/sign-in", data={"email": email, "password": password})


def user(email: str) -> User:
    found = db.session.scalar(select(User).where(User.email == email))
    db.session.refresh(found)
    return found


def code_at(email: str, moment: float) -> str:
    return pyotp.TOTP(user(email).totp_secret).at(moment)


def set_up(client, email: str, clock) -> list[str]:
    """Through the set-up page as the person would; the recovery codes it showed."""
    page = client.get(SET_UP).get_data(as_text=True)
    assert '<svg' in page and user(email).totp_secret in page
    response = client.post(SET_UP, data={"code": code_at(email, clock.now)})
    assert response.status_code == 200
    return re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))


def home(client) -> int:
    g.pop("_login_user", None)
    return client.get("/").status_code


def test_an_admin_sets_up_two_factor_on_first_sign_in_and_then_signs_in_with_a_code(client, people, clock):
    response = password_step(client, "admin@example.org")
    assert response.status_code == 302 and response.headers["Location"] == SET_UP
    assert home(client) == 302  # the password alone does not sign in

    page = client.get(SET_UP).get_data(as_text=True)
    secret = user("admin@example.org").totp_secret
    assert '<svg' in page and 'class="segno"' in page and f'id="totp-secret">{secret}<' in page
    assert user("admin@example.org").two_factor_since is None

    wrong = client.post(SET_UP, data={"code": "000000" if code_at("admin@example.org", clock.now) != "000000"
                                      else "111111"})
    assert wrong.status_code == 400 and b"The code is not right" in wrong.data
    assert b"<svg" not in wrong.data and b"start again with a new QR code" in wrong.data  # the QR is not shown again

    response = client.post(SET_UP, data={"code": code_at("admin@example.org", clock.now)})
    assert response.status_code == 200 and b"These codes are shown once" in response.data
    codes = re.findall(r"<li><code>([a-z0-9-]+)</code></li>", response.get_data(as_text=True))
    assert len(codes) == 10 and len(set(codes)) == 10
    assert home(client) == 200
    # Kept hashed, never as typed; and the QR code is never shown again.
    stored = db.session.scalars(select(RecoveryCode.code_hash).where(
        RecoveryCode.user_id == user("admin@example.org").id)).all()
    assert len(stored) == 10 and not set(codes) & set(stored)
    response = client.get(SET_UP)
    assert response.status_code == 302 and b"<svg" not in response.data

    client.post("/sign-out")
    response = password_step(client, "admin@example.org")
    assert response.status_code == 302 and response.headers["Location"] == CODE
    assert home(client) == 302
    # The code already used for setting up does not work twice...
    replayed = client.post(CODE, data={"code": code_at("admin@example.org", clock.now)})
    assert replayed.status_code == 400 and b"The code is not right" in replayed.data
    # ...the app's next code does.
    clock.move(0.5)
    response = client.post(CODE, data={"code": code_at("admin@example.org", clock.now)})
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert home(client) == 200
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.user_id == user("admin@example.org").id))
    assert {"two_factor_enabled", "two_factor_sign_in", "two_factor_code_wrong"} <= set(actions)


def test_a_recovery_code_signs_in_once(client, people, clock):
    password_step(client, "dhr_coordinator@example.org")
    codes = set_up(client, "dhr_coordinator@example.org", clock)
    client.post("/sign-out")

    password_step(client, "dhr_coordinator@example.org")
    response = client.post(CODE, data={"code": codes[3].upper()})  # as someone might type it
    assert response.status_code == 302 and home(client) == 200
    client.post("/sign-out")

    password_step(client, "dhr_coordinator@example.org")
    response = client.post(CODE, data={"code": codes[3]})
    assert response.status_code == 400 and b"The code is not right" in response.data
    assert client.post(CODE, data={"code": codes[4]}).status_code == 302
    used = db.session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None))).all()
    assert len(used) == 2


def test_wrong_codes_count_towards_the_lockout(client, people, clock):
    password_step(client, "admin@example.org")
    set_up(client, "admin@example.org", clock)
    client.post("/sign-out")
    password_step(client, "admin@example.org")
    right = code_at("admin@example.org", clock.now + 30)
    wrong = next(c for c in ("123456", "654321", "111111") if c != right)
    for _ in range(5):
        assert client.post(CODE, data={"code": wrong}).status_code == 400
    response = client.post(CODE, data={"code": right})
    assert response.status_code == 400 and b"too many attempts" in response.data
    assert home(client) == 302


def test_someone_still_to_set_it_up_is_sent_to_set_up_from_the_code_step_and_nothing_is_counted(
        client, people, clock):
    password_step(client, "admin@example.org")
    for _ in range(6):  # more than the lockout allows
        response = client.post(CODE, data={"code": "123456"})
        assert response.status_code == 302 and response.headers["Location"] == SET_UP
    assert client.get(CODE).headers["Location"] == SET_UP
    set_up(client, "admin@example.org", clock)  # not locked out: the set-up still takes a right code
    assert home(client) == 200


def test_the_half_way_state_expires(client, people, clock):
    password_step(client, "admin@example.org")
    clock.move(11)
    response = client.get(SET_UP)
    assert response.status_code == 302 and response.headers["Location"] == "/sign-in"


def test_a_manager_signs_in_without_a_second_factor_and_may_turn_it_on(client, people, clock):
    response = password_step(client, "manager@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    set_up(client, "manager@example.org", clock)
    client.post("/sign-out")
    response = password_step(client, "manager@example.org")
    assert response.headers["Location"] == CODE


def test_a_manager_granted_dhr_access_must_use_it(client, people):
    people["users"]["manager"].dhr_access = True
    db.session.commit()
    assert password_step(client, "manager@example.org").headers["Location"] == SET_UP


def test_the_demo_admin_walks_the_set_up_on_first_sign_in(demo, client, clock):
    assert password_step(client, *DEMO_ADMIN).headers["Location"] == SET_UP
    assert set_up(client, DEMO_ADMIN[0], clock)
    assert home(client) == 200
    client.post("/sign-out")
    assert password_step(client, *DEMO_MANAGER).headers["Location"] == "/"
