"""Who reaches which route. Every endpoint must appear in ROUTES, so a new route
without a rule fails here; the app itself refuses any view that declares no roles."""
import pytest

from app.extensions import db
from app.models import ActionPlan, Indicator, Outcome, PlanAction, PlanObjective, Target
from app.store.reference import period_row
from tests.functional.test_dhr_access import dhr_records

ROLES = ["anonymous", "officer", "manager", "admin", "dhr_coordinator"]
ADMIN_ONLY = {"anonymous": 302, "officer": 403, "manager": 403, "admin": 200, "dhr_coordinator": 403}
SIGNED_IN = {"anonymous": 302, "officer": 200, "manager": 200, "admin": 200, "dhr_coordinator": 200}
DATA_READERS = {"anonymous": 302, "officer": 200, "manager": 200, "admin": 200, "dhr_coordinator": 403}

# endpoint: (method, url builder(ids), {role: expected status})
ROUTES = {
    "auth.sign_in": (
        "GET",
        lambda ids: "/sign-in",
        {"anonymous": 200, "officer": 302, "manager": 302, "admin": 302, "dhr_coordinator": 302},
    ),
    "auth.sign_out": (
        "POST",
        lambda ids: "/sign-out",
        {"anonymous": 302, "officer": 302, "manager": 302, "admin": 302, "dhr_coordinator": 302},
    ),
    # Public, signed in or not; a link that is not a valid signed one is refused (400).
    "auth.forgot_password": ("GET", lambda ids: "/forgot-password", {role: 200 for role in ROLES}),
    "auth.reset_password": ("GET", lambda ids: "/reset-password/not-a-token", {role: 400 for role in ROLES}),
    "auth.invitation": ("GET", lambda ids: "/invitation/not-a-token", {role: 400 for role in ROLES}),
    # Only half-way through signing in (after the password): anyone else is sent to sign in.
    "auth.two_factor": ("GET", lambda ids: "/sign-in/code", {role: 302 for role in ROLES}),
    # Open to anyone signed in who has not set it up (those who must have, on first sign-in).
    "auth.set_up_two_factor": (
        "GET",
        lambda ids: "/two-factor/set-up",
        {"anonymous": 302, "officer": 200, "manager": 200, "admin": 302, "dhr_coordinator": 302},
    ),
    # Those who have set it up (the admin and DHR co-ordinator must); others are sent to set it up.
    "auth.recovery_codes": (
        "GET",
        lambda ids: "/two-factor/recovery-codes",
        {"anonymous": 302, "officer": 302, "manager": 302, "admin": 200, "dhr_coordinator": 200},
    ),
    "main.home": ("GET", lambda ids: "/", SIGNED_IN),
    "main.data_values": ("GET", lambda ids: "/data", DATA_READERS),
    # The officer belongs to the police; this is the police's own page.
    "main.agency_data": ("GET", lambda ids: f"/agencies/{ids['police']}/data", DATA_READERS),
}
TEMPLATE_EDITOR = {
    "return_templates.new": "/templates/new",
    "return_templates.detail": "/templates/table-2-da-sv-outcomes",
    "return_templates.settings": "/templates/table-2-da-sv-outcomes/settings",
    "return_templates.edit_json": "/templates/table-2-da-sv-outcomes/json",
    "return_templates.export_json": "/templates/table-2-da-sv-outcomes/definition.json",
    "return_templates.version": "/templates/table-2-da-sv-outcomes/versions/1",
    "return_templates.sheet_new": "/templates/table-2-da-sv-outcomes/sheets/new",
    "return_templates.sheet_edit": "/templates/table-2-da-sv-outcomes/sheets/0",
    "return_templates.row_new": "/templates/table-2-da-sv-outcomes/sheets/0/rows/new",
    "return_templates.row_edit": "/templates/table-2-da-sv-outcomes/sheets/0/rows/0",
    "return_templates.column_new": "/templates/table-2-da-sv-outcomes/sheets/0/columns/new",
    "return_templates.column_edit": "/templates/table-2-da-sv-outcomes/sheets/0/columns/0",
    "return_templates.check_new": "/templates/table-2-da-sv-outcomes/checks/new",
    "return_templates.check_edit": "/templates/table-2-da-sv-outcomes/checks/0",
}
for endpoint, url in TEMPLATE_EDITOR.items():
    ROUTES[endpoint] = ("GET", lambda ids, u=url: u, ADMIN_ONLY)
# POST-only actions (CSRF is off in these tests, so the admin's post goes through).
ADMIN_POST = {"anonymous": 302, "officer": 403, "manager": 403, "admin": 302, "dhr_coordinator": 403}
ROUTES["return_templates.publish_template"] = (
    "POST",
    lambda ids: "/templates/table-2-da-sv-outcomes/publish",
    ADMIN_POST,
)
ROUTES["return_templates.remove"] = (
    "POST",
    lambda ids: "/templates/table-2-da-sv-outcomes/remove/rows/0/0",
    ADMIN_POST,
)
ROUTES["return_templates.from_example"] = ("GET", lambda ids: "/templates/from-example", ADMIN_ONLY)
# Table 2 was not made from an example: its proposal page says so.
ROUTES["return_templates.proposal"] = ("GET", lambda ids: "/templates/table-2-da-sv-outcomes/proposal", ADMIN_ONLY)
# An empty correction is refused (400) on the proposal page.
ROUTES["return_templates.correct"] = (
    "POST",
    lambda ids: "/templates/table-2-da-sv-outcomes/proposal/correct",
    {"anonymous": 302, "officer": 403, "manager": 403, "admin": 400, "dhr_coordinator": 403},
)
ROUTES["return_templates.fix_table"] = (
    "POST",
    lambda ids: "/templates/table-2-da-sv-outcomes/proposal/fixed",
    {"anonymous": 302, "officer": 403, "manager": 403, "admin": 400, "dhr_coordinator": 403},
)
# Managers and admins may download a reference copy; Table 2 has none (404).
ROUTES["return_templates.reference_copy_download"] = (
    "GET",
    lambda ids: "/templates/table-2-da-sv-outcomes/reference-copy",
    {"anonymous": 302, "officer": 403, "manager": 404, "admin": 404, "dhr_coordinator": 403},
)
ROUTES["return_templates.index"] = ("GET", lambda ids: "/templates/", DATA_READERS)
# The officer's agency (police) does not submit Table 2.
ROUTES["return_templates.blank"] = (
    "GET",
    lambda ids: "/templates/table-2-da-sv-outcomes/blank",
    {"anonymous": 302, "officer": 403, "manager": 403, "admin": 200, "dhr_coordinator": 403},
)

for plural, singular in [
    ("users", "user"),
    ("areas", "area"),
    ("agencies", "agency"),
    ("outcomes", "outcome"),
    ("indicators", "indicator"),
]:
    ROUTES[f"admin.{plural}"] = ("GET", lambda ids, p=plural: f"/admin/{p}", ADMIN_ONLY)
    ROUTES[f"admin.{singular}_new"] = ("GET", lambda ids, p=plural: f"/admin/{p}/new", ADMIN_ONLY)
    ROUTES[f"admin.{singular}_edit"] = ("GET", lambda ids, p=plural, s=singular: f"/admin/{p}/{ids[s]}", ADMIN_ONLY)
ROUTES["admin.peer_figures"] = ("GET", lambda ids: "/admin/peer-figures", ADMIN_ONLY)
ROUTES["admin.api_tokens"] = ("GET", lambda ids: "/admin/api-tokens", ADMIN_ONLY)
ROUTES["admin.api_token_revoke"] = ("GET", lambda ids: "/admin/api-tokens/999999/revoke", {**ADMIN_ONLY, "admin": 404})
# The manager has no second factor to reset: the admin is sent back to their page.
ROUTES["admin.user_second_factor_remove"] = ("GET", lambda ids: f"/admin/users/{ids['user']}/second-factor/remove",
                                             {**ADMIN_ONLY, "admin": 302})

# The JSON API: its document is public; everything else needs a token, whoever is signed in
# (a session cookie never authorises the API: 401 for every role).
ROUTES["api.openapi_json"] = ("GET", lambda ids: "/api/v1/openapi.json", {role: 200 for role in ROLES})
ROUTES["api.docs"] = ("GET", lambda ids: "/api/v1/docs", {role: 200 for role in ROLES})
for endpoint, method, url in [("api.templates", "GET", "/api/v1/templates"),
                              ("api.submit_values", "POST", "/api/v1/returns"),
                              ("api.submit_file", "POST", "/api/v1/returns/file"),
                              ("api.submissions", "GET", "/api/v1/submissions"),
                              ("api.submission", "GET", "/api/v1/submissions/1"),
                              ("api.indicators", "GET", "/api/v1/indicators?period=2015/16")]:
    ROUTES[endpoint] = (method, lambda ids, u=url: u, {role: 401 for role in ROLES})

# Targets: managers and admins read them; only admins change them.
TARGET_READERS = {"anonymous": 302, "officer": 403, "manager": 200, "admin": 200, "dhr_coordinator": 403}
ROUTES["targets.index"] = ("GET", lambda ids: "/targets", TARGET_READERS)
ROUTES["targets.history"] = ("GET", lambda ids: f"/targets/{ids['target']}/history", TARGET_READERS)
ROUTES["targets.new"] = ("GET", lambda ids: "/targets/new", ADMIN_ONLY)
ROUTES["targets.upload"] = ("GET", lambda ids: "/targets/upload", ADMIN_ONLY)
ROUTES["targets.change"] = ("GET", lambda ids: f"/targets/{ids['target']}/change", ADMIN_ONLY)
ROUTES["targets.retire"] = ("GET", lambda ids: f"/targets/{ids['target']}/retire", ADMIN_ONLY)

# Domestic Homicide Reviews: admins, DHR co-ordinators and people an admin has granted
# access (test_dhr_access.py); managers and officers without a grant get 403.
DHR = {"anonymous": 302, "officer": 403, "manager": 403, "admin": 200, "dhr_coordinator": 200}
DHR_PAGES = {
    "dhr.index": "/dhr/",
    "dhr.workbook": "/dhr/workbook.xlsx",
    "dhr.cases": "/dhr/cases",
    "dhr.case_new": "/dhr/cases/new",
    "dhr.case": "/dhr/cases/{dhr_case}",
    "dhr.case_edit": "/dhr/cases/{dhr_case}/edit",
    "dhr.budget": "/dhr/budget",
    "dhr.budget_year_new": "/dhr/budget/new",
    "dhr.budget_year": "/dhr/budget/2016",
    "dhr.budget_year_edit": "/dhr/budget/2016/edit",
    "dhr.contribution_new": "/dhr/budget/2016/contributions/new",
    "dhr.contribution_edit": "/dhr/budget/2016/contributions/{dhr_contribution}",
    "dhr.cost_new": "/dhr/budget/2016/costs/new",
    "dhr.cost_edit": "/dhr/budget/2016/costs/{dhr_cost}",
    "dhr.actions": "/dhr/actions",
    "dhr.action_new": "/dhr/actions/new",
    "dhr.action": "/dhr/actions/{dhr_action}",
    "dhr.action_edit": "/dhr/actions/{dhr_action}/edit",
}
for endpoint, url in DHR_PAGES.items():
    ROUTES[endpoint] = ("GET", lambda ids, u=url: u.format(**ids), DHR)
# Posted without data: the page is shown again with what to fill in (400).
DHR_EMPTY_POST = {**DHR, "admin": 400, "dhr_coordinator": 400}
for endpoint, url in {
    "dhr.meeting_add": "/dhr/cases/{dhr_case}/meetings",
    "dhr.budget_from_return": "/dhr/budget/from-return",
    "dhr.action_update_add": "/dhr/actions/{dhr_action}/updates",
}.items():
    ROUTES[endpoint] = ("POST", lambda ids, u=url: u.format(**ids), DHR_EMPTY_POST)
# Removals last, after the pages that show the lines.
DHR_POST = {**DHR, "admin": 302, "dhr_coordinator": 302}
ROUTES["dhr.meeting_remove"] = (
    "POST",
    lambda ids: f"/dhr/cases/{ids['dhr_case']}/meetings/{ids['dhr_meeting']}/remove",
    DHR_POST,
)
ROUTES["dhr.budget_line_remove"] = ("POST", lambda ids: f"/dhr/budget/2016/costs/{ids['dhr_cost']}/remove", DHR_POST)
ROUTES["dhr.access"] = ("GET", lambda ids: "/dhr/access", ADMIN_ONLY)
ROUTES["dhr.access_change"] = (
    "POST",
    lambda ids: f"/dhr/access/{ids['user']}",
    {**ADMIN_POST, "admin": 400},
)  # no grant=yes (revoking has its own confirmation page)
ROUTES["admin.audit"] = ("GET", lambda ids: "/admin/audit", ADMIN_ONLY)
ROUTES["admin.audit_download"] = ("GET", lambda ids: "/admin/audit.csv", ADMIN_ONLY)
ROUTES["dhr.access_revoke"] = ("GET", lambda ids: f"/dhr/access/{ids['user']}/revoke", ADMIN_ONLY)


# The dashboard (officers see their own agency's rows) and the managers' pages around it;
# an empty period is a valid page. Posted without data: the form again with what to fill in (400).
MANAGERS = {"anonymous": 302, "officer": 403, "manager": 200, "admin": 200, "dhr_coordinator": 403}
MANAGERS_EMPTY_POST = {**MANAGERS, "manager": 400, "admin": 400}
MANAGERS_POST = {**MANAGERS, "manager": 302, "admin": 302}
ROUTES["dashboard.index"] = ("GET", lambda ids: "/dashboard/", DATA_READERS)
ROUTES["dashboard.period"] = ("GET", lambda ids: "/dashboard/2015-16", DATA_READERS)
ROUTES["dashboard.download"] = ("GET", lambda ids: "/dashboard/2015-16/download", MANAGERS)
ROUTES["dashboard.report"] = ("GET", lambda ids: "/dashboard/2015-16/report", MANAGERS)
for endpoint, url in {
    "performance.indicator": "/performance/2015-16/indicators/{indicator}",
    "performance.outcome": "/performance/2015-16/outcomes/{outcome}",
    "performance.peers": "/performance/indicators/{indicator}/peers",
    "performance.schedule": "/performance/schedule",
    "performance.completeness": "/performance/completeness",
    "performance.reporting_rates": "/performance/reporting-rates",
    "performance.sign_off": "/performance/2015-16/sign-off",
}.items():
    ROUTES[endpoint] = ("GET", lambda ids, u=url: u.format(**ids), MANAGERS)
for endpoint, url in {"performance.rating": "/performance/2015-16/indicators/{indicator}/rating",
                      "performance.commentary": "/performance/2015-16/indicators/{indicator}/commentary"}.items():
    ROUTES[endpoint] = ("POST", lambda ids, u=url: u.format(**ids), MANAGERS_EMPTY_POST)
# The return schedule's first period (administrators; an empty form is refused) and waiving
# an expected return (managers; there is none with this id).
ROUTES["performance.schedule_start"] = ("POST", lambda ids: "/performance/schedule/start", {**ADMIN_ONLY, "admin": 400})
ROUTES["performance.waive"] = ("GET", lambda ids: "/performance/expected/999999/waive",
                               {**MANAGERS, "manager": 404, "admin": 404})
ROUTES["main.settings"] = ("GET", lambda ids: "/settings", ADMIN_ONLY)
# Nothing to withdraw or remove: back to the page with a message (302).
ROUTES["performance.withdraw"] = (
    "POST",
    lambda ids: f"/performance/2015-16/indicators/{ids['indicator']}/rating/withdraw",
    MANAGERS_POST,
)
# A removal's confirmation page for a peer figure that is not there: 404 once in.
ROUTES["performance.remove_peer"] = ("GET", lambda ids: "/performance/peers/999999/remove",
                                     {**MANAGERS, "manager": 404, "admin": 404})
ROUTES["performance.unlock"] = ("GET", lambda ids: "/performance/2015-16/unlock", ADMIN_ONLY)

# Returns: officers (their own agency) and admins upload; officers (their own agency), managers
# and admins read submissions. No upload is held and no submission exists here: 404 once in.
UPLOADERS = {"anonymous": 302, "officer": 200, "manager": 403, "admin": 200, "dhr_coordinator": 403}
UPLOADERS_MISSING = {**UPLOADERS, "officer": 404, "admin": 404}
ROUTES["returns.index"] = ("GET", lambda ids: "/returns/", DATA_READERS)
ROUTES["returns.upload"] = ("GET", lambda ids: "/returns/upload", UPLOADERS)
for endpoint, method, url in [("returns.preview", "GET", "/returns/uploads/none-held"),
                              ("returns.choose", "GET", "/returns/uploads/none-held/choose"),
                              ("returns.confirm", "POST", "/returns/uploads/none-held/confirm"),
                              ("returns.annotated", "GET", "/returns/uploads/none-held/annotated.xlsx"),
                              ("returns.original", "GET", "/returns/submissions/999999/original"),
                              # Entering a return in the browser: no such return, no such draft.
                              ("returns.enter", "GET", "/returns/enter/no-such-template/police/2015/16 Q4"),
                              ("returns.entry", "GET", "/returns/entries/999999"),
                              ("returns.confirm_entered", "POST", "/returns/entries/999999/confirm")]:
    ROUTES[endpoint] = (method, lambda ids, u=url: u, UPLOADERS_MISSING)
# Naming a heading from the preview: admins only (may_edit_vocabulary); no upload is held here.
ROUTES["returns.add_name"] = ("POST", lambda ids: "/returns/uploads/none-held/names",
                              {"anonymous": 302, "officer": 403, "manager": 403, "admin": 404,
                               "dhr_coordinator": 403})
for endpoint in ("returns.submission", "returns.changes"):
    ROUTES[endpoint] = (
        "GET",
        lambda ids, e=endpoint: "/returns/submissions/999999" + ("/changes" if e.endswith("changes") else ""),
        {**DATA_READERS, "officer": 404, "manager": 404, "admin": 404},
    )


# Action plans: anyone signed in reads a partnership plan; managers and admins change it; the
# lead agency's officer (the police, here) also updates its action and downloads its return.
PLAN_MANAGERS = {"anonymous": 302, "officer": 403, "manager": 200, "admin": 200, "dhr_coordinator": 403}
PLAN_UPDATERS = {"anonymous": 302, "officer": 400, "manager": 400, "admin": 400, "dhr_coordinator": 403}
for endpoint, url, expected in [
    ("plans.index", "/plans/", SIGNED_IN),
    ("plans.plan", "/plans/{plan}", SIGNED_IN),
    ("plans.action", "/plans/actions/{plan_action}", SIGNED_IN),
    ("plans.plan_new", "/plans/new", PLAN_MANAGERS),
    ("plans.plan_edit", "/plans/{plan}/edit", PLAN_MANAGERS),
    ("plans.objective_new", "/plans/{plan}/objectives/new", PLAN_MANAGERS),
    ("plans.objective_edit", "/plans/{plan}/objectives/{objective}/edit", PLAN_MANAGERS),
    ("plans.action_new", "/plans/{plan}/actions/new", PLAN_MANAGERS),
    ("plans.action_edit", "/plans/actions/{plan_action}/edit", PLAN_MANAGERS),
    ("plans.update_return_download", "/plans/{plan}/update-return.xlsx?agency=police",
     {**SIGNED_IN, "dhr_coordinator": 403}),
]:
    ROUTES[endpoint] = ("GET", lambda ids, u=url: u.format(**ids), expected)
# Posted without data: the form again with what to fill in (400), for those who may update.
ROUTES["plans.action_update"] = ("POST", lambda ids: "/plans/actions/{plan_action}/updates".format(**ids),
                                 PLAN_UPDATERS)


@pytest.fixture
def ids(people):
    from app.demo.templates import demo_definitions
    from app.services.return_templates import mark_published, store_draft

    table_2 = next(d for d in demo_definitions() if d.slug == "table-2-da-sv-outcomes")
    mark_published(store_draft(table_2, None, None), None)
    outcome = Outcome(name="Ongoing reductions in crime")
    indicator = Indicator(slug="total-crime-rate", name="Total crime rate", unit="rate_per_1000", outcome=outcome)
    target = Target(indicator=indicator, area=people["county"], period=period_row("2015/16"), value=3.0)
    db.session.add_all([outcome, indicator, target])
    db.session.commit()
    dhr = dhr_records()
    plan = ActionPlan(kind="partnership", strategy="Domestic Abuse Strategy 2015-18")
    objective = PlanObjective(plan=plan, number=1, title="Accurate data informs action")
    action = PlanAction(plan=plan, objective=objective, action="Agree data fields", agency=people["police"])
    db.session.add(plan)
    db.session.commit()
    return {
        "plan": plan.id, "objective": objective.id, "plan_action": action.id,
        "police": people["police"].id, "council": people["council"].id,
        "user": people["users"]["manager"].id, "area": people["county"].id, "agency": people["police"].id,
        "outcome": outcome.id, "indicator": indicator.id,
        "dhr_case": dhr["case_id"], "dhr_meeting": dhr["meeting_id"], "dhr_action": dhr["action_id"],
        "dhr_contribution": dhr["contribution_id"], "dhr_cost": dhr["item_id"], "target": target.id,
    }


def test_every_route_has_a_rule(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint != "static"}
    assert endpoints - set(ROUTES) == set(), "add the new routes to ROUTES with the status each role should get"
    assert set(ROUTES) - endpoints == set()


def test_every_view_declares_its_roles(app):
    for endpoint, view in app.view_functions.items():
        if endpoint != "static":
            assert getattr(view, "allowed_roles", None), f"{endpoint} declares no roles"


@pytest.mark.parametrize("role", ROLES)
def test_route_by_role(client, ids, sign_in_as, role):
    if role != "anonymous":
        sign_in_as(role)
    failures = []
    for endpoint, (method, url_for_ids, expected) in ROUTES.items():
        if endpoint == "auth.sign_out":
            continue  # signing out would end the session for the routes after it
        response = client.open(url_for_ids(ids), method=method)
        if response.status_code != expected[role]:
            failures.append(f"{endpoint} as {role}: {response.status_code}, expected {expected[role]}")
    assert failures == []


@pytest.mark.parametrize("role", ROLES)
def test_sign_out_by_role(client, people, sign_in_as, role):
    if role != "anonymous":
        sign_in_as(role)
    assert client.post("/sign-out").status_code == ROUTES["auth.sign_out"][2][role]
    assert client.get("/").status_code == 302  # signed out (or never in)


def test_anonymous_is_sent_to_sign_in_with_next(client):
    response = client.get("/admin/users")
    assert response.status_code == 302
    assert "/sign-in?next=" in response.headers["Location"]


def test_view_without_declared_roles_is_refused(app, client, people, sign_in_as):
    @app.route("/undeclared")
    def undeclared():
        return "open"

    sign_in_as("admin")
    assert client.get("/undeclared").status_code == 403
