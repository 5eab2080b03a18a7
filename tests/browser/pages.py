"""What every browser journey does on a page: sign in (one place, so a second factor can be
added to it once), screenshot, and an axe-core check that fails on any WCAG 2 A/AA violation."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]


def sign_in(page, base_url: str, login: tuple[str, str]) -> None:
    """Sign in through the sign-in page as a person would (email, password); the one place
    the browser tests sign in, so that a two-factor step is added here once."""
    page.goto(f"{base_url}/sign-in")
    checked(page, "sign-in")
    page.get_by_label("Email address", exact=True).fill(login[0])
    page.get_by_label("Password", exact=True).fill(login[1])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    if "/two-factor/set-up" in page.url or "/sign-in/code" in page.url:
        second_factor(page, login[0])
    assert "/sign-in" not in page.url, page.inner_text("main")


# The live server's app (tests/browser/conftest.py sets it): the code an authenticator app
# would show is worked out from the secret it stores, as the suite's own sign-in helper does.
LIVE_APP = None


def second_factor(page, email: str) -> None:
    """The second step for those who sign in with a code: set it up on a first sign-in (the
    QR code page, then the recovery codes), or type the code."""
    from tests.conftest import current_code

    setting_up = "/two-factor/set-up" in page.url
    checked(page, "two-factor set-up" if setting_up else "two-factor code")
    with LIVE_APP.app_context():
        code = current_code(email)
    page.get_by_label("Code from your authenticator app" if setting_up else "Code", exact=True).fill(code)
    page.get_by_role("button", name="Turn on two-factor sign-in" if setting_up else "Continue").click()
    page.wait_for_load_state()
    if setting_up:
        checked(page, "recovery codes")
        page.get_by_role("link", name="Continue").click()  # a link drawn as a button
        page.wait_for_load_state()


def checked(page, name: str) -> None:
    """Screenshot the page into tests/browser/artifacts/ and fail on any WCAG A/AA violation
    axe-core finds (each listed with the elements it is on), and on content outside a
    landmark (axe's "region" rule: WCAG 1.3.1 in practice, though axe files it as best practice)."""
    page.wait_for_load_state()
    safe = re.sub(r"[^a-z0-9-]+", "-", name.lower()).strip("-")
    page.screenshot(path=str(ARTIFACTS / f"{len(list(ARTIFACTS.glob('*.png'))):02d}-{safe}.png"), full_page=True)
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        assert AXE.exists(), f"{AXE} is missing: npm ci installs axe-core (package.json)"
        # Evaluated through the DevTools protocol, not added as a <script>: the page's
        # Content-Security-Policy (no inline scripts without its nonce) rightly blocks that.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    violations = page.evaluate(
        "async (tags) => (await axe.run(document, {runOnly: {type: 'tag', values: tags},"
        " rules: {region: {enabled: true}}})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))",
        WCAG_A_AA)
    assert violations == [], f"{name} ({page.url}): " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {', '.join(v['nodes'][:5])}" for v in violations)
