"""Property: nothing anyone posts to any form gets a 500.

For each demo role (and someone not signed in) the test walks the pages that role can
reach from the home page, collects every form on them (its action, with the demo's own
ids, and its fields: inputs, text areas, selects with their options, file inputs), and
adds every POST route of ``app.url_map`` that no page showed a form for, built from the
ids seen elsewhere. Hypothesis then posts generated values to every one of them: huge
numbers, NaN and infinity, 400-digit integers, unicode, control characters, very long
text, empty fields, deeply nested JSON, impossible dates and periods; or the value the
page offered, so that the other fields let a bad one through to the service behind. Every
answer must be something other than a 500, with no traceback in its body.

The examples are bounded (derandomized, no shrinking: the failing post is named in the
assertion) so one role's run takes seconds; the suite runs it on SQLite and PostgreSQL.
"""
import inspect
import io
import os
import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

import pytest
from flask import g
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from sqlalchemy import select
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter
from wtforms.fields.core import UnboundField

from app.services import accounts
from app.extensions import db
from app.models import ActionPlan, User
from tests.conftest import DEMO_ADMIN, DEMO_DHR, DEMO_LWA_OFFICER, DEMO_MANAGER, DEMO_POLICE_OFFICER
from tests.unit.ingest.returns import LWA, filled

ROLES = {"admin": DEMO_ADMIN, "manager": DEMO_MANAGER, "dhr": DEMO_DHR, "police officer": DEMO_POLICE_OFFICER,
         "lwa officer": DEMO_LWA_OFFICER, "not signed in": None}
PAGES_PER_ENDPOINT = 1  # the crawl looks at no more pages of one view than this
DOWNLOADS = (".xlsx", ".json", ".csv", ".pdf", "/blank", "/download")  # files, not pages with forms: not fetched
FORMS_PER_ENDPOINT = 3  # nor posts to more forms of one view (a page has a remove button a row)
MAX_PAGES = 300
# Each example posts once to every form the role has. FORM_FUZZ_EXAMPLES=200 looks harder
# (minutes); FORM_FUZZ_SEED=n makes another run than the suite's fixed one.
EXAMPLES = int(os.environ.get("FORM_FUZZ_EXAMPLES", 4))
SEED = os.environ.get("FORM_FUZZ_SEED")
TRACEBACK = b"Traceback (most recent call last)"

NESTED_JSON = "[" * 100_000 + "]" * 100_000
NASTY = [
    "", " ", "0", "-1", "1e308", "-1e308", "1E+160", "1e-400", "NaN", "nan", "-NaN", "inf", "-Infinity", "Infinity",
    "9" * 400, "-" + "9" * 400, "0." + "0" * 400 + "1", "9" * 5000, str(2**31), str(2**63), str(2**64),
    "-" + str(2**63 + 1),
    "1,000,000,000,000,000", "£1e308", "(1e308)", "2.5", "0x10", "½", "١٢٣", "𝟙𝟚𝟛",
    "x" * 70_000, "\x00", "a\x00b", "_x0000_", "\u202e\u200b", "\ud7ff\ue000", "=cmd|' /C calc'!A0",
    NESTED_JSON, '{"a":' * 50_000 + "1" + "}" * 50_000, '{"slug": NaN}', '{"x": ' + "9" * 400 + "}",
    '{"slug": "x", "sheets": [{"rows": [{"rule": {"min": 1e308, "max": NaN}}]}]}', "[]", "{}", "null", "true",
    "0000/01 Q1", "2015/16 Q13", "9999/10000", "31/02/2016", "00/00/0000", "31/12/9999", "01/01/0001",
    "2016-13-45", "1/1/1", "99999999", "<script>alert(1)</script>", "' OR 1=1 --", "../../etc/passwd",
    # One character more than the database columns' lengths (PostgreSQL refuses a longer text).
    *("L" * n for n in (2, 13, 17, 25, 41, 61, 81, 121, 201, 255, 257, 301, 2001, 4001)),
]
NASTY_NUMBERS = ["1e308", "-1e308", "NaN", "Infinity", "-Infinity", "9" * 400, "-" + "9" * 400, "1E+160", "1e-400",
                 str(2**31), "-3000000000", str(2**63), "-0", "0"]
values = st.one_of(st.sampled_from(NASTY), st.sampled_from(NASTY), st.text(max_size=30),
                   st.integers(min_value=-(10**30), max_value=10**30).map(str), st.floats().map(repr))
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|null")


def with_a_number_replaced(text: str, which: int, number: str) -> str:
    """``text`` (say a template's JSON) with its ``which``-th number (or null) replaced."""
    found = list(NUMBER.finditer(text))
    if not found:
        return text + number
    match = found[which % len(found)]
    return text[:match.start()] + number + text[match.end():]


def value_for(offered: list[str], target: bool):
    """The value of one field: for the field under test anything at all, or the page's
    own value with one number in it made absurd; for the others mostly what the page offered,
    so that the bad value gets past them to the service behind."""
    offered = offered or [""]
    own = st.sampled_from(offered)
    mutated = st.builds(with_a_number_replaced, own, st.integers(0, 200), st.sampled_from(NASTY_NUMBERS))
    if target:
        return st.one_of(values, mutated)
    return st.one_of(own, own, own, values)
FILE_NAMES = ["return.xlsx", "L" * 300 + ".xlsx", "ü ñ.xlsx", "../../etc/passwd", ".xlsx", "a\x00b.xlsx"]
FILES = [b"", b"not a workbook", b"PK\x03\x04broken", b"\x00" * 100, filled({"C7": "1e308", "D7": "NaN"})]


class Forms(HTMLParser):
    """The POST forms of a page, and its links."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[dict] = []
        self.links: list[str] = []
        self.form: dict | None = None
        self.select: str | None = None
        self.textarea: str | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            method = (a.get("method") or "get").lower()
            self.form = {"action": a.get("action"), "method": method, "fields": {}, "files": set(),
                         "multipart": "multipart" in (a.get("enctype") or "")}
            if method == "post":
                self.forms.append(self.form)
        elif self.form is not None and tag in ("input", "button") and a.get("name"):
            kind = (a.get("type") or "text").lower()
            if kind == "file":
                self.form["files"].add(a["name"])
            else:
                self.form["fields"].setdefault(a["name"], []).append(a.get("value") or "")
        elif self.form is not None and tag == "select" and a.get("name"):
            self.select = a["name"]
            self.form["fields"].setdefault(self.select, [])
        elif self.form is not None and tag == "option" and self.select:
            self.form["fields"][self.select].append(a.get("value") or "")
        elif self.form is not None and tag == "textarea" and a.get("name"):
            self.textarea = a["name"]
            self.form["fields"].setdefault(self.textarea, [""])

    def handle_data(self, data):
        if self.textarea and self.form is not None:
            self.form["fields"][self.textarea][-1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def account(login) -> User | None:
    return None if login is None else db.session.scalar(select(User).where(User.email == login[0]))


def sign_in_as(client, user: User | None):
    """Sign in by the session (cheap, and proof against a post that signed this person out)."""
    with client.session_transaction() as session:
        session.clear()
        if user is not None:
            session["_user_id"] = user.get_id()  # id and session version (app/web/sessions.py)
            session["_fresh"] = True
            session["signed_in_at"] = session["seen_at"] = accounts.clock()
    g.pop("_login_user", None)  # the suite's app context outlives each request: forget whom it loaded


def held_upload(client, user) -> list[str]:
    """The preview page of a return this person has uploaded and not yet confirmed (its
    forms: confirm, name a heading, choose the template), when they may upload the demo's
    Appendix 2 for Living Without Abuse; it holds a heading the template does not know."""
    sign_in_as(client, user)
    data = filled({"C7": "lots"}, change=lambda workbook: workbook["Appendix 2"].cell(13, 1, "Refuge nights"))
    response = client.post("/returns/upload", data={"file": (io.BytesIO(data), "return.xlsx"), "agency": LWA},
                           content_type="multipart/form-data")
    return [urlsplit(response.headers["Location"]).path] if response.status_code == 302 else []


ENTRY = "/returns/enter/appendix-2-da-sv-outputs/living-without-abuse/2015-12..2016-03"


def held_entry(client, user) -> list[str]:
    """The preview page of a return this person has typed into the web form and not yet
    confirmed (its confirm form), when they may enter the demo's Appendix 2 for Living
    Without Abuse: every figure 0, which the checks accept."""
    sign_in_as(client, user)
    form = client.get(ENTRY)
    if form.status_code != 200:
        return []
    page = Forms()
    page.feed(form.get_data(as_text=True))
    fields = next((f["fields"] for f in page.forms if "check" in f["fields"]), {})
    response = client.post(ENTRY, data={**{name: "0" for name in fields if name.startswith("cell_")},
                                        "check": "Check the return"})
    return [urlsplit(response.headers["Location"]).path] if response.status_code == 302 else []


def targets_for(app, client, user) -> list[dict]:
    """Every form this person can reach, then every POST route no page showed a form for."""
    adapter = app.url_map.bind("localhost")
    seen_pages: dict[str, int] = {}
    queue, visited, forms, args_seen = ["/", *held_upload(client, user), *held_entry(client, user)], set(), {}, {}
    while queue and len(visited) < MAX_PAGES:
        path = queue.pop(0)
        if path in visited:
            continue
        visited.add(path)
        try:
            endpoint, args = adapter.match(path, method="GET")
        except HTTPException:
            continue
        if seen_pages.get(endpoint, 0) >= PAGES_PER_ENDPOINT or endpoint == "static":
            continue
        seen_pages[endpoint] = seen_pages.get(endpoint, 0) + 1
        for name, value in args.items():
            args_seen.setdefault((endpoint.partition(".")[0], name), value)
        sign_in_as(client, user)
        response = client.get(path)
        assert response.status_code != 500 and TRACEBACK not in response.data, path
        if not response.content_type.startswith("text/html"):
            continue
        page = Forms()
        page.feed(response.get_data(as_text=True))
        for href in page.links:
            url = urlsplit(urljoin(path, href))
            if not url.netloc and url.path not in visited and not url.path.startswith("/static") \
                    and not url.path.endswith(DOWNLOADS):
                queue.append(url.path)
        for form in page.forms:
            action = urlsplit(urljoin(path, form["action"] or path)).path
            try:
                endpoint, args = adapter.match(action, method="POST")
            except HTTPException:
                continue
            for name, value in args.items():
                args_seen.setdefault((endpoint.partition(".")[0], name), value)
            if sum(1 for known, _ in forms if known == endpoint) < FORMS_PER_ENDPOINT:
                forms.setdefault((endpoint, action), {**form, "endpoint": endpoint, "action": action})
    posted = {endpoint for endpoint, _ in forms}
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods and rule.endpoint not in posted:
            built = {}
            for name, converter in rule._converters.items():
                default = 1 if isinstance(converter, IntegerConverter) else "x"
                built[name] = args_seen.get((rule.endpoint.partition(".")[0], name), default)
                if choices := getattr(converter, "items", None):  # <any(a, b):kind>
                    built[name] = sorted(choices)[0]
            try:
                action = adapter.build(rule.endpoint, built)
            except Exception:
                action = rule.rule
            fields, files = fields_of_view(app, rule.endpoint)
            forms[(rule.endpoint, action)] = {"endpoint": rule.endpoint, "action": action, "fields": fields,
                                              "files": files, "multipart": bool(files)}
    return [forms[key] for key in sorted(forms)]


def fields_of_view(app, endpoint) -> tuple[dict[str, list[str]], set[str]]:
    """The fields of the WTForms forms a view names (for a route no page showed a form for)."""
    view = inspect.unwrap(app.view_functions[endpoint])
    fields: dict[str, list[str]] = {}
    files: set[str] = set()
    for name in view.__code__.co_names:
        form = view.__globals__.get(name)
        if isinstance(form, type) and issubclass(form, FlaskForm):
            for attribute in dir(form):
                field = getattr(form, attribute, None)
                if isinstance(field, UnboundField):
                    if issubclass(field.field_class, FileField):
                        files.add(attribute)
                    else:
                        fields[attribute] = [""]
    return fields, files


def restore(user: User | None, as_it_was: dict) -> None:
    """A post may have deactivated, demoted or renamed the person posting (their own user
    page): put them back, so the rest of the run sees what their role sees."""
    db.session.rollback()
    if user is None:
        return
    db.session.refresh(user)
    if any(getattr(user, name) != value for name, value in as_it_was.items()):
        for name, value in as_it_was.items():
            setattr(user, name, value)
        db.session.commit()


def post_every_form(client, data, role, user, forms):
    as_it_was = {} if user is None else {name: getattr(user, name) for name in ("email", "role", "active", "dhr_access",
                                                                                 "agency_id")}
    for form in forms:
        names = [name for name in form["fields"] if name != "csrf_token"]
        target = data.draw(st.sampled_from(names)) if names else None
        payload = {name: data.draw(value_for(form["fields"][name], name == target)) for name in names}
        for name in form["files"]:
            payload[name] = (io.BytesIO(data.draw(st.sampled_from(FILES))), data.draw(st.sampled_from(FILE_NAMES)))
        sign_in_as(client, user)
        shown = {k: (v if not isinstance(v, str) or len(v) < 80 else v[:40] + f"...({len(v)} chars)")
                 for k, v in payload.items()}
        try:  # the suite's app propagates exceptions rather than answering 500
            response = client.post(form["action"], data=payload, content_type="multipart/form-data"
                                   if form["files"] or form["multipart"] else None)
        except Exception as error:
            raise AssertionError(f"500 for {role}: {form['action']} {shown}: {error!r}") from error
        assert response.status_code != 500, (role, form["action"], shown)
        assert TRACEBACK not in response.data, (role, form["action"], shown)
        restore(user, as_it_was)


def test_the_crawl_reaches_the_web_entry_form_and_its_confirmation(app, demo, client):
    """The officer's start page links to the return's web form, whose every figure and note
    field is posted to, as is the confirmation of a return typed in and checked."""
    forms = targets_for(app, client, account(ROLES["lwa officer"]))
    entries = {form["action"]: form for form in forms if form["endpoint"] == "returns.enter"}
    # The start page lists the outstanding 2016/17 Q1 return first, then Dec 2015 - Mar 2016's
    # (received: "Enter a correction"); the crawl reaches the first one's form.
    assert set(entries) <= {ENTRY, ENTRY.replace("2015-12..2016-03", "2016/17%20Q1")} and entries
    assert all(sum(name.startswith("cell_") for name in entry["fields"]) == 77 for entry in entries.values())
    confirm = next(form for form in forms if form["endpoint"] == "returns.confirm_entered")
    assert "comment" in confirm["fields"] and confirm["action"].startswith("/returns/entries/")


@pytest.mark.parametrize("role", list(ROLES))
def test_every_form_answers_anything_posted_without_a_500(role, app, demo, client):
    user = account(ROLES[role])
    forms = targets_for(app, client, user)
    assert forms
    if role == "manager":  # the action plan forms (issue 19), found from the pages
        plan = db.session.scalar(select(ActionPlan).where(ActionPlan.kind == "partnership"))
        action = plan.actions[0].id
        assert {("plans.plan_new", "/plans/new"), ("plans.objective_new", f"/plans/{plan.id}/objectives/new"),
                ("plans.action_new", f"/plans/{plan.id}/actions/new"),
                ("plans.action_update", f"/plans/actions/{action}/updates"),
                ("plans.action_edit", f"/plans/actions/{action}/edit")} <= {(f["endpoint"], f["action"]) for f in forms}

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=SEED is None, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def run(data):
        post_every_form(client, data, role, user, forms)

    if SEED is not None:
        run = seed(int(SEED))(run)
    run()
