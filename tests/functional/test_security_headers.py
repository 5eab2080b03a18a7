"""Security headers on every response (issue 21): every route without arguments is
walked from the url_map, as the demo administrator and as nobody, and a few with
arguments (a DHR case, the dashboard and its full workbook, a static file, a 404)."""
import re

import pytest
from flask import g
from sqlalchemy import select

from app.extensions import db
from app.models import DhrCase
from tests.conftest import DEMO_ADMIN, signed_in


def check_headers(response, url: str) -> None:
    headers = response.headers
    policy = headers.get("Content-Security-Policy", "")
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy, url
    assert "default-src 'self'" in policy and "frame-ancestors 'none'" in policy, url
    assert "script-src 'self' 'nonce-" in policy and "style-src 'self'" in policy, url
    assert headers.get("X-Frame-Options") == "DENY", url
    assert headers.get("X-Content-Type-Options") == "nosniff", url
    assert headers.get("Referrer-Policy") == "same-origin", url
    assert headers.get("Strict-Transport-Security", "").startswith("max-age=31536000"), url
    if not url.startswith("/static/"):
        assert headers.get("Cache-Control") == "no-store", url
    if response.mimetype == "text/html" and response.status_code == 200:
        page = response.get_data(as_text=True)
        nonce = re.search(r"'nonce-([^']+)'", policy).group(1)
        inline_scripts = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", page)
        assert inline_scripts and all(f'nonce="{nonce}"' in attrs for attrs in inline_scripts), url
        assert not re.search(r"<[^>]+\sstyle=", page), f"{url}: a style attribute the policy would block"


def plain_get_urls(app) -> list[str]:
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments)


@pytest.mark.parametrize("who", ["nobody", "admin"])
def test_every_route_without_arguments_sends_the_headers(app, demo, client, who):
    if who == "admin":
        signed_in(client, DEMO_ADMIN)
    urls = plain_get_urls(app)
    assert len(urls) > 30
    for url in urls:
        g.pop("_login_user", None)
        check_headers(client.get(url), url)


def test_routes_with_arguments_send_the_headers_and_restricted_data_is_not_stored(demo, client):
    signed_in(client, DEMO_ADMIN)
    case = db.session.scalar(select(DhrCase))
    for url in (f"/dhr/cases/{case.id}", "/dashboard/2015-16", "/dashboard/2015-16/download?version=full",
                "/static/govuk/govuk-frontend.min.js", "/no-such-page"):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        check_headers(response, url)
    workbook = client.get("/dashboard/2015-16/download?version=full")
    assert workbook.mimetype.endswith("spreadsheetml.sheet") and workbook.headers["Cache-Control"] == "no-store"
    assert client.get("/static/govuk/govuk-frontend.min.js").headers.get("Cache-Control") != "no-store"
