"""The built front-end assets (``make assets``) exist, use Arial, and the pages link them."""
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
APP_CSS = STATIC / "css" / "app.css"


@pytest.fixture(scope="module")
def app_css() -> str:
    assert APP_CSS.is_file(), f"{APP_CSS} is missing: run `make assets`"
    return APP_CSS.read_text(encoding="utf-8")


def static_file_for(url: str) -> Path:
    assert url.startswith("/static/"), f"{url} is not served by the app"
    return STATIC / url.removeprefix("/static/").split("?")[0]


def test_stylesheet_is_set_in_arial_without_gds_transport(app_css):
    assert "arial" in app_css.lower()
    assert "GDS Transport" not in app_css
    assert "@font-face" not in app_css
    assert ".woff" not in app_css
    assert "/fonts/" not in app_css


def test_stylesheet_has_the_layout_and_rag_styles(app_css):
    for selector in (".app-account-bar", ".app-inline-form", ".app-button--small", ".app-inline-list li",
                     ".app-footer", ".app-rag--R", ".app-rag--A", ".app-rag--G"):
        assert selector + "{" in app_css, f"{selector} is not in app.css"


def test_every_file_the_stylesheet_refers_to_exists(app_css):
    urls = set(re.findall(r'url\("?([^")]+)"?\)', app_css))
    for url in urls:
        if url.startswith("data:"):
            continue
        assert static_file_for(url).is_file(), f"app.css refers to {url}, which is not built"


def test_sign_in_page_links_built_css_and_javascript(client):
    html = client.get("/sign-in").get_data(as_text=True)
    stylesheets = re.findall(r'<link rel="stylesheet" href="([^"]+)"', html)
    scripts = re.findall(r'<script[^>]*\bsrc="([^"]+)"', html) + re.findall(r'import [^;]* from "([^"]+)"', html)

    assert "/static/css/app.css" in stylesheets
    assert "/static/govuk/govuk-frontend.min.js" in scripts
    for url in stylesheets + scripts:
        assert static_file_for(url).is_file(), f"the page links {url}, which is not built"


@pytest.mark.parametrize(
    "url, content_types",
    [
        ("/static/css/app.css", {"text/css"}),
        # Which of the two a system's mime.types gives varies; browsers accept both.
        ("/static/govuk/govuk-frontend.min.js", {"text/javascript", "application/javascript"}),
    ],
)
def test_built_assets_are_served(client, url, content_types):
    response = client.get(url)
    try:
        assert response.status_code == 200
        assert response.mimetype in content_types
        assert len(response.get_data()) > 1000
    finally:
        response.close()
