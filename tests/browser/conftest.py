"""Browser tests (issue 21): pytest-playwright driving Debian's Chromium (Playwright's own
browser download is not available here) against a live server of the app on a free
loopback port, with the demo partnership loaded. Run by ``make test-browser`` (and last by
``make test``): ``pytest --browser-tests tests/browser``; without ``--browser-tests`` the
suite skips this folder.

Every page a journey reaches is screenshotted into tests/browser/artifacts/ (git-ignored)
and checked with axe-core for WCAG 2 A and AA violations (``tests/browser/pages.py``)."""
import os
import shutil
import threading
from pathlib import Path

import flask_migrate
import pytest
from werkzeug.serving import make_server

from app import create_app
from app.extensions import db
from tests.browser.pages import ARTIFACTS
from tests.conftest import make_config

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        pytest.fail(f"No Chromium at {CHROMIUM}: apt-get install chromium (make test-browser does), or set CHROMIUM")
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "accept_downloads": True, "viewport": {"width": 1280, "height": 900}}


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    """The app with the demo loaded, served by werkzeug on a free loopback port in a thread
    (CSRF on, as in production); yields its base URL."""
    folder = tmp_path_factory.mktemp("live")
    app = create_app(make_config(f"sqlite:///{folder}/live.db", folder, WTF_CSRF_ENABLED=True))
    with app.app_context():
        flask_migrate.upgrade()
        result = app.test_cli_runner().invoke(args=["demo", "load"])
        assert result.exit_code == 0, result.output
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
