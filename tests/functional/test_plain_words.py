"""Plain words everywhere a non-admin looks (issue 17): after ``flask demo load``, no page an
officer, manager or DHR co-ordinator can reach shows an agency, indicator or template slug,
or an area's code standing where its name should be, in the text a reader sees.

The test walks the site as each demo role would: from the home page, following same-site
links breadth-first (GET only, downloads and sign-out skipped), reading each page's visible
text (text nodes only: no tags, attribute values, scripts, styles or hidden inputs).
"""
import io
import re
from collections import deque
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Area, Indicator, ReturnTemplate
from tests.conftest import DEMO_DHR, DEMO_LWA_OFFICER, DEMO_MANAGER, DEMO_POLICE_OFFICER, signed_in
from tests.unit.ingest.returns import LWA, filled

MAX_PAGES = 300
# Links that send a file or end the session rather than show a page.
SKIPPED = re.compile(r"download|/sign-out|\.(xlsx|csv|json|pdf|zip)$|/static/", re.IGNORECASE)


class VisibleText(HTMLParser):
    """The text nodes of a page a reader sees, its links, and its GET forms as links: as they
    stand, and with each choice of each list in turn (e.g. each period of the dashboard)."""

    INVISIBLE = {"script", "style", "template", "title", "head"}
    VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []
        self.links: list[str] = []
        self.choices: list[str] = []  # the GET forms with one choice changed
        self._hidden: tuple[str, int] | None = None  # the tag that hid the text, and its nesting
        self._form: tuple[str, list] | None = None  # a GET form's action and fields so far
        self._select: list | None = None  # [name, value] of the select being read

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        self._read_form(tag, attrs)
        if tag in self.VOID:
            return
        if self._hidden:
            if tag == self._hidden[0]:
                self._hidden = (tag, self._hidden[1] + 1)
        elif tag in self.INVISIBLE or "hidden" in attrs:
            self._hidden = (tag, 1)

    def _read_form(self, tag, attrs):
        if tag == "form" and (attrs.get("method") or "get").lower() == "get":
            self._form = (attrs.get("action") or "", [])
        elif self._form is None or not attrs.get("name") and tag != "option":
            return
        elif tag == "input" and attrs.get("type") not in ("submit", "button", "checkbox", "radio", "file"):
            self._form[1].append([attrs["name"], attrs.get("value") or ""])
        elif tag == "select":
            self._select = [attrs["name"], None, []]
            self._form[1].append(self._select)
        elif tag == "option" and self._select is not None:
            self._select[2].append(attrs.get("value") or "")
            if self._select[1] is None or "selected" in attrs:
                self._select[1] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            action, fields = self._form
            standing = [(field[0], field[1] or "") for field in fields]
            self.links.append(action + "?" + urlencode(standing))
            for i, field in enumerate(fields):
                for choice in field[2] if len(field) > 2 else []:  # a select's options
                    changed = standing[:i] + [(field[0], choice)] + standing[i + 1:]
                    self.choices.append(action + "?" + urlencode(changed))
            self._form = None
        elif tag == "select":
            self._select = None
        if self._hidden and tag == self._hidden[0]:
            self._hidden = (tag, self._hidden[1] - 1) if self._hidden[1] > 1 else None

    def handle_data(self, data):
        if not self._hidden and data.strip():
            self.chunks.append(data.strip())


def read_page(html: str) -> VisibleText:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser


def walk(client, start: str = "/"):
    """Yield (path, visible text chunks) for every page reachable from ``start``."""
    seen, queue, pages = {start}, deque([start]), 0
    while queue and pages < MAX_PAGES:
        path = queue.popleft()
        response = client.get(path, follow_redirects=True)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        pages += 1
        query = response.request.query_string.decode()
        path = response.request.path + ("?" + query if query else "")  # where a redirect led
        seen.add(path)
        page = read_page(response.get_data(as_text=True))
        yield path, page.chunks
        # A form's choices are tried from the page without a query only, so filters don't multiply.
        for href in page.links + ([] if "?" in path else page.choices):
            url = urldefrag(urljoin(path, href)).url
            parts = urlsplit(url)
            if parts.scheme not in ("", "http") or parts.netloc not in ("", "localhost"):
                continue
            local = parts.path + ("?" + parts.query if parts.query else "")
            if local not in seen and not SKIPPED.search(parts.path):
                seen.add(local)
                queue.append(local)


def codes_and_slugs() -> dict[str, re.Pattern]:
    """What must not be shown: each hyphenated slug (ordinary words are not slugs), and each
    area code where a name belongs: a text of its own ("LC") or beside the area's name
    ("Leicestershire (LC)"). (Codes are as short as "M", so one inside a sentence is not counted.)"""
    slugs = [slug for model in (Agency, Indicator, ReturnTemplate)
             for slug in db.session.scalars(select(model.slug)) if "-" in slug]
    areas = db.session.execute(select(Area.code, Area.name)).all()
    forbidden = {slug: re.compile(rf"(?<![\w-]){re.escape(slug)}(?![\w-])") for slug in slugs}
    forbidden.update({code: re.compile(rf"^{re.escape(code)}$|{re.escape(name)} \({re.escape(code)}\)")
                      for code, name in areas})
    return forbidden


def shown(chunks: list[str], forbidden: dict[str, re.Pattern]) -> list[tuple[str, str]]:
    """(slug or code, the text showing it) for each forbidden word in the page's text."""
    # One search of all the words at once passes over most chunks, which show none of them;
    # a chunk that shows one is then searched word by word (re caches the compiled pattern).
    any_word = re.compile("|".join(f"(?:{pattern.pattern})" for pattern in forbidden.values()))
    return [(word, chunk[:100]) for chunk in chunks if any_word.search(chunk)
            for word, pattern in forbidden.items() if pattern.search(chunk)]


@pytest.mark.parametrize("login", [DEMO_POLICE_OFFICER, DEMO_LWA_OFFICER, DEMO_MANAGER, DEMO_DHR],
                         ids=["police-officer", "lwa-officer", "manager", "dhr-coordinator"])
def test_no_page_a_non_admin_reaches_shows_a_slug_or_code(demo, client, login):
    forbidden = codes_and_slugs()
    assert "leicestershire-police" in forbidden and "LC" in forbidden  # the demo's own, read back
    problems: dict[tuple[str, str], list[str]] = {}  # (word, text) -> the pages showing it
    walked = []
    for path, chunks in walk(signed_in(client, login)):
        walked.append(path)
        for word, text in shown(chunks, forbidden):
            problems.setdefault((word, text), []).append(path)
    assert len(walked) > 5, walked
    assert not problems, f"slugs or codes on {len(walked)} pages walked:\n" + "\n".join(
        f"{pages[0]} (and {len(pages) - 1} more): shows {word!r} in {text!r}"
        for (word, text), pages in sorted(problems.items(), key=lambda item: item[1][0]))


def test_the_upload_preview_names_the_agency_and_template(demo, client):
    """The preview is reached by a POST, so the walk above cannot get there."""
    officer = signed_in(client, DEMO_LWA_OFFICER)
    held = officer.post("/returns/upload", data={"file": (io.BytesIO(filled()), "lwa-q4.xlsx"), "agency": LWA},
                        content_type="multipart/form-data")
    assert held.status_code == 302, held.data[:500]
    page = officer.get(held.headers["Location"])
    chunks = read_page(page.get_data(as_text=True)).chunks
    agency = db.session.scalar(select(Agency.name).where(Agency.slug == LWA))
    assert "Check your return" in chunks and agency in chunks  # the Agency row: its name
    assert not shown(chunks, codes_and_slugs())
