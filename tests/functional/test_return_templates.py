"""Issue 3 through the routes an admin uses: build, publish, edit, download a blank return."""
import io
import json
import re

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import ReturnTemplate, TemplateVersion
from app.services.return_templates import dump, load
from tests.conftest import DEMO_ADMIN, DEMO_LWA_OFFICER, signed_in

DISTRICTS = [("Blaby", "B"), ("Charnwood", "C"), ("Harborough", "H"), ("Hinckley & Bosworth", "HB"), ("Melton", "M"),
             ("North West Leicestershire", "NW"), ("Oadby & Wigston", "O")]
APPENDIX_2_ROWS = [
    ("Helpline calls received", "helpline-calls"), ("New callers to the helpline", "helpline-new-callers"),
    ("Business line calls received", "business-line-calls"), ("Safety plans established", "safety-plans"),
    ("Service users starting face to face support (cases opened)", "cases-opened"),
    ("Telephone contacts to existing service users", "telephone-contacts"),
    ("Face to face contacts with existing service users", "face-to-face-contacts"),
]
WHOLE = {"rule_type": "whole", "rule_required": "y", "rule_min": "0", "rule_na_needs_reason": "y"}
PERCENT_NA = {
    "rule_type": "percent",
    "rule_required": "y",
    "rule_min": "0",
    "rule_max": "100",
    "rule_allow_na": "y",
    "rule_na_needs_reason": "y",
}


@pytest.fixture
def admin(demo, client):
    return signed_in(client, DEMO_ADMIN)


def page_errors(response) -> list[str]:
    html = response.data.decode()
    return re.findall(
        r'govuk-error-message">\s*<span class="govuk-visually-hidden">Error:</span>\s*([^<]+)', html
    ) + re.findall(
        r"<li>\s*(?:<a [^>]*>)?([^<]+)",
        html.split("govuk-error-summary__list")[1] if "govuk-error-summary__list" in html else "",
    )


def ok(response, status=302):
    assert response.status_code == status, page_errors(response) or response.data.decode()[:500]
    return response


def version_rows(slug):
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == slug))
    db.session.refresh(template)
    return [(v.number, v.status) for v in template.versions]


def hand_to_another_agency(slug: str, agency: str = "leicestershire-police") -> None:
    """Publish the demo template as another agency's return, so that a copy built here for
    Living Without Abuse is the only one delivering its figures (two would be refused)."""
    data = json.loads(dump(slug))
    data["agencies"] = [agency]
    load(json.dumps(data), None)


def build_appendix_2(client, slug="appendix-2-web"):
    base = f"/templates/{slug}"
    ok(client.post("/templates/new", data={"name": "DA/SV outputs (web)", "slug": slug, "frequency": "span",
                                           "agencies": ["living-without-abuse"], "due_days": "28"}))
    ok(client.post(f"{base}/sheets/new", data={"name": "Appendix 2", "layout": "indicator_by_area",
                                               "title": "DA/SV service summary figures", "note_column": "y"}))
    for label, indicator in APPENDIX_2_ROWS:
        ok(client.post(f"{base}/sheets/0/rows/new", data={"label": label, "indicator": indicator, **WHOLE}))
    for name, code in DISTRICTS:
        ok(
            client.post(
                f"{base}/sheets/0/columns/new", data={"header": name, "kind": "area", "area": code, "role": "input"}
            )
        )
    ok(
        client.post(
            f"{base}/sheets/0/columns/new",
            data={"header": "Total Leics County", "kind": "area", "area": "LC", "role": "total"},
        )
    )
    ok(
        client.post(
            f"{base}/sheets/0/columns/new",
            data={"header": "LLR figure", "kind": "area", "area": "LLR", "role": "input"},
        )
    )
    ok(
        client.post(
            f"{base}/sheets/0/columns/new",
            data={
                "header": "LLR target",
                "kind": "measure",
                "measure": "target",
                "area": "LLR",
                "role": "input",
                "has_rule": "y",
                "rule_type": "whole",
                "rule_min": "0",
            },
        )
    )
    ok(
        client.post(
            f"{base}/checks/new",
            data={
                "kind": "sum_equals",
                "sheet": "Appendix 2",
                "part_columns": [n for n, _ in DISTRICTS],
                "total_column": "Total Leics County",
                "tolerance": "0",
            },
        )
    )
    return base


def test_admin_builds_publishes_edits_and_downloads(admin):
    hand_to_another_agency("appendix-2-da-sv-outputs")
    base = build_appendix_2(admin)
    assert version_rows("appendix-2-web") == [(1, "draft")]
    page = admin.get(base).data.decode()
    assert "Publish version 1" in page and "Total Leics County" in page
    ok(admin.post(f"{base}/publish"))
    assert version_rows("appendix-2-web") == [(1, "published")]
    v1 = db.session.scalar(select(TemplateVersion).join(ReturnTemplate).where(ReturnTemplate.slug == "appendix-2-web"))
    sheet = v1.definition["sheets"][0]
    assert [c["header"] for c in sheet["columns"]] == [n for n, _ in DISTRICTS] + [
        "Total Leics County",
        "LLR figure",
        "LLR target",
    ]
    assert [c["area"] for c in sheet["columns"]] == [c for _, c in DISTRICTS] + ["LC", "LLR", "LLR"]
    assert sheet["columns"][-1]["measure"] == "target" and len(sheet["rows"]) == 7
    assert v1.definition["cross_rules"][0]["total"]["column"] == "Total Leics County"
    published = json.dumps(v1.definition, sort_keys=True)

    # Editing a published template makes version 2; version 1 stays exactly as it was.
    ok(
        admin.post(
            f"{base}/sheets/0/rows/0",
            data={
                "label": "Helpline calls",
                "aliases": "Helpline calls received",
                "indicator": "helpline-calls",
                **WHOLE,
            },
        )
    )
    assert version_rows("appendix-2-web") == [(1, "published"), (2, "draft")]
    db.session.refresh(v1)
    assert json.dumps(v1.definition, sort_keys=True) == published and v1.status == "published"
    # A second edit changes the same draft, not a third version.
    ok(
        admin.post(
            f"{base}/sheets/0/rows/1", data={"label": "New callers", "indicator": "helpline-new-callers", **WHOLE}
        )
    )
    assert version_rows("appendix-2-web") == [(1, "published"), (2, "draft")]
    ok(admin.post(f"{base}/publish"))
    assert version_rows("appendix-2-web") == [(1, "retired"), (2, "published")]

    # The blank return, for the period after the seed's, shows the seed's figures as last period's.
    response = ok(admin.get(f"{base}/blank?agency=living-without-abuse&period=Apr 2016 - Jul 2016"), 200)
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "appendix-2-web_living-without-abuse_2016-04-2016-07.xlsx" in response.headers["Content-Disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(response.data))
    assert wb.sheetnames[0] == "Instructions" and "Appendix 2" in wb.sheetnames
    ws = wb["Appendix 2"]
    assert ws.protection.sheet
    assert len(ws.data_validations.dataValidation) > 0
    cells = {c.value for row in ws.iter_rows() for c in row if c.value is not None}
    assert "Helpline calls" in cells and 230 in cells and 734 in cells  # Charnwood's and the county's helpline calls
    names = {n: wb.defined_names[n].attr_text for n in wb.defined_names}
    assert names["SR_TEMPLATE"] == '"appendix-2-web"' and names["SR_VERSION"] == '"2"'
    assert wb["_meta"].sheet_state == "veryHidden"


def build_table_2(client, slug="table-2-web"):
    base = f"/templates/{slug}"
    ok(client.post("/templates/new", data={"name": "DA/SV outcomes (web)", "slug": slug, "frequency": "span",
                                           "agencies": ["living-without-abuse"], "due_days": "28"}))
    ok(
        client.post(
            f"{base}/sheets/new", data={"name": "Table 2", "layout": "indicator_by_measure", "default_area": "LC"}
        )
    )
    ok(
        client.post(
            f"{base}/sheets/0/rows/new",
            data={
                "label": "Service user feels safer following intervention - measured at exit",
                "indicator": "outcome-feels-safer",
                **PERCENT_NA,
            },
        )
    )
    ok(
        client.post(
            f"{base}/sheets/0/rows/new",
            data={
                "label": "Local stakeholders are confident in the service provided",
                "indicator": "outcome-stakeholder-confidence",
                **PERCENT_NA,
            },
        )
    )
    ok(
        client.post(
            f"{base}/sheets/0/columns/new",
            data={"header": "Target", "kind": "measure", "measure": "target", "role": "input"},
        )
    )
    ok(
        client.post(
            f"{base}/sheets/0/columns/new",
            data={"header": "Performance", "kind": "measure", "measure": "value", "role": "input"},
        )
    )
    ok(
        client.post(
            f"{base}/sheets/0/columns/new",
            data={
                "header": "Comment",
                "kind": "measure",
                "measure": "comment",
                "role": "input",
                "has_rule": "y",
                "rule_type": "text",
                "rule_min": "",
            },
        )
    )
    return base


def test_admin_builds_and_publishes_table_2(admin):
    hand_to_another_agency("table-2-da-sv-outcomes")
    base = build_table_2(admin)
    ok(admin.post(f"{base}/publish"))
    assert version_rows("table-2-web") == [(1, "published")]
    response = ok(admin.get(f"{base}/blank?agency=living-without-abuse&period=Dec 2015 - Mar 2016"), 200)
    ws = openpyxl.load_workbook(io.BytesIO(response.data))["Table 2"]
    labels = [c.value for c in ws["A"]]
    assert "Local stakeholders are confident in the service provided" in labels


@pytest.mark.parametrize(
    "url_suffix, data, message",
    [
        (
            "sheets/0/rows/new",
            {"label": "helpline calls RECEIVED", "indicator": "helpline-calls", **WHOLE},
            "is the same as",
        ),
        (
            "sheets/0/rows/new",
            {"label": "Something else", "indicator": "helpline-calls", **WHOLE, "rule_min": "10", "rule_max": "5"},
            "The minimum (10) is more than the maximum (5)",
        ),
        (
            "sheets/0/columns/new",
            {"header": "Rutland", "kind": "area", "area": "", "role": "input"},
            "is an area column but no area is chosen",
        ),
        (
            "sheets/0/columns/new",
            {"header": "Q9", "kind": "period", "period": "", "role": "input"},
            "is a period column but no period",
        ),
        (
            "sheets/0/rows/new",
            {"label": "No indicator", "indicator": "", **WHOLE},
            "Choose the indicator this row reports",
        ),
    ],
)
def test_form_errors_are_specific_and_nothing_is_saved(admin, url_suffix, data, message):
    base = build_appendix_2(admin)
    before = db.session.scalar(
        select(TemplateVersion).join(ReturnTemplate).where(ReturnTemplate.slug == "appendix-2-web")
    ).definition
    response = admin.post(f"{base}/{url_suffix}", data=data)
    assert response.status_code == 400
    assert message in response.data.decode()
    assert "govuk-error-message" in response.data.decode()
    db.session.expire_all()
    after = db.session.scalar(
        select(TemplateVersion).join(ReturnTemplate).where(ReturnTemplate.slug == "appendix-2-web")
    ).definition
    assert after == before


def test_incomplete_template_cannot_be_published(admin):
    ok(
        admin.post(
            "/templates/new", data={"name": "Empty", "slug": "empty-return", "frequency": "quarterly", "due_days": "28"}
        )
    )
    ok(admin.post("/templates/empty-return/publish"))
    assert version_rows("empty-return") == [(1, "draft")]
    assert "Add at least one sheet" in admin.get("/templates/empty-return").data.decode()


def test_duplicate_template_short_name(admin):
    response = admin.post(
        "/templates/new",
        data={"name": "Copy", "slug": "table-2-da-sv-outcomes", "frequency": "quarterly", "due_days": "28"},
    )
    assert response.status_code == 400 and "already exists" in response.data.decode()


def test_blank_return_period_and_agency_errors(admin):
    response = admin.get("/templates/cambridgeshire-da-quarterly/blank?agency=cambridgeshire-idva&period=Oct 2017")
    assert response.status_code == 400 and "is a quarterly return" in response.data.decode()
    response = admin.get("/templates/cambridgeshire-da-quarterly/blank?agency=cambridgeshire-idva&period=sometime")
    assert "is not a period we recognise" in response.data.decode()
    response = admin.get("/templates/cambridgeshire-da-quarterly/blank?agency=leicestershire-police&period=2014/15 Q3")
    assert "does not submit" in response.data.decode()
    for period in ("2014/15 Q3", "Q3 2014/15", "2014-15-Q3"):
        assert (
            admin.get(
                f"/templates/cambridgeshire-da-quarterly/blank?agency=cambridgeshire-idva&period={period}"
            ).status_code
            == 200
        )


def test_officer_downloads_only_their_own_agencys_return(admin, client):
    signed_in(client, DEMO_LWA_OFFICER)
    listing = client.get("/templates/").data.decode()
    assert "table-2-da-sv-outcomes" in listing and "rotherham-table-4" not in listing
    assert (
        client.get("/templates/table-2-da-sv-outcomes/blank?agency=living-without-abuse&period=2016/17 Q1").status_code
        == 200
    )
    assert client.get("/templates/rotherham-table-4/blank").status_code == 403
    assert client.get("/templates/table-2-da-sv-outcomes").status_code == 403  # the editor is for admins


def test_edit_as_json_round_trip(admin):
    body = admin.get("/templates/table-2-da-sv-outcomes/definition.json").data.decode()
    changed = json.loads(body)
    changed["due_days"] = 35
    ok(admin.post("/templates/table-2-da-sv-outcomes/json", data={"definition": json.dumps(changed)}))
    assert version_rows("table-2-da-sv-outcomes") == [(1, "published"), (2, "draft")]
    response = admin.post("/templates/table-2-da-sv-outcomes/json", data={"definition": "{not json"})
    assert response.status_code == 400 and "This is not valid JSON" in response.data.decode()


# ---- flask templates list | dump | load ----------------------------------------------


def test_templates_list_format(admin, runner):
    result = runner.invoke(args=["templates", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert "appendix-2-da-sv-outputs\t1\tpublished\tliving-without-abuse" in lines
    assert all(len(line.split("\t")) == 4 for line in lines) and len(lines) == 6


def test_dump_load_dump_is_identical(admin, runner, tmp_path):
    for slug in (
        "appendix-2-da-sv-outputs",
        "table-2-da-sv-outcomes",
        "cambridgeshire-da-quarterly",
        "rotherham-table-4",
        "dhr-budget-return",
    ):
        first = runner.invoke(args=["templates", "dump", slug])
        assert first.exit_code == 0
        path = tmp_path / f"{slug}.json"
        path.write_text(first.output)
        loaded = runner.invoke(args=["templates", "load", str(path)])
        assert loaded.exit_code == 0 and loaded.output == f"{slug}\tversion 1\tpublished\tunchanged\n"
        assert runner.invoke(args=["templates", "dump", slug]).output == first.output


def test_load_a_new_template_and_a_changed_one(admin, runner, tmp_path):
    data = json.loads(runner.invoke(args=["templates", "dump", "table-2-da-sv-outcomes"]).output)
    data["slug"], data["name"] = "table-2-copy", "Copy of Table 2"
    data["agencies"] = ["leicestershire-police"]  # Living Without Abuse's figures come from Table 2 itself
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["templates", "load", str(path)])
    assert result.exit_code == 0 and result.output == "table-2-copy\tversion 1\tpublished\tloaded\n"
    data["due_days"] = 40
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["templates", "load", str(path), "--draft"])
    assert result.output == "table-2-copy\tversion 2\tdraft\tloaded\n"


def test_load_refuses_an_invalid_definition_with_every_problem(admin, runner, tmp_path):
    data = json.loads(runner.invoke(args=["templates", "dump", "appendix-2-da-sv-outputs"]).output)
    data["sheets"][0]["rows"][1]["label"] = data["sheets"][0]["rows"][0]["label"]
    data["sheets"][0]["columns"][0]["area"] = "NOWHERE"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["templates", "load", str(path)])
    assert result.exit_code == 1
    assert "sheets[0].rows[1].label" in result.output and "NOWHERE" in result.output
    assert version_rows("appendix-2-da-sv-outputs") == [(1, "published")]
    path.write_text("{nope")
    assert runner.invoke(args=["templates", "load", str(path)]).exit_code == 1
    assert runner.invoke(args=["templates", "dump", "no-such-template"]).exit_code == 1


# ---- flask returns blank ----------------------------------------------------------------


def test_returns_blank_command(admin, runner, tmp_path):
    out = tmp_path / "return.xlsx"
    result = runner.invoke(args=["returns", "blank", "cambridgeshire-da-quarterly", "--agency", "cambridgeshire-idva",
                                 "--period", "Q4 2014/15", "-o", str(out)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(out)
    meta = {row[0].value: row[1].value for row in wb["_meta"].iter_rows()}
    assert (meta["template_slug"], meta["agency_slug"], meta["period_key"]) == (
        "cambridgeshire-da-quarterly",
        "cambridgeshire-idva",
        "2014/15 Q4",
    )
    # Last period's (Q3's) figures are shown for reference: 1,758 incidents in Q3 2014/15.
    values = {c.value for ws in wb for row in ws.iter_rows() for c in row}
    assert 1758 in values


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["no-such-template", "--agency", "cambridgeshire-idva", "--period", "2014/15 Q4"],
            "There is no return template",
        ),
        (["cambridgeshire-da-quarterly", "--agency", "nobody", "--period", "2014/15 Q4"], "agency: Choose the agency"),
        (
            ["cambridgeshire-da-quarterly", "--agency", "leicestershire-police", "--period", "2014/15 Q4"],
            "does not submit",
        ),
        (["cambridgeshire-da-quarterly", "--agency", "cambridgeshire-idva", "--period", "Oct 2017"], "period: "),
    ],
)
def test_returns_blank_command_errors(admin, runner, tmp_path, args, message):
    out = tmp_path / "x.xlsx"
    result = runner.invoke(args=["returns", "blank", *args, "-o", str(out)])
    assert result.exit_code == 1 and message in result.output
    assert not out.exists()


SAFER = "Service user feels safer following intervention - measured at exit"
TABLE_2 = "Domestic Abuse & Sexual Violence Support Service: outcome measures"
OVERLAP_MESSAGE = (
    f"'Copy of Table 2' cannot be published: '{TABLE_2}' is already published for Living Without Abuse (LLR "
    f"domestic abuse and sexual violence service) and would deliver the same figures. For example, in a return for "
    f"2020/21, '{SAFER}' for Leicestershire would come from row '{SAFER}' (Performance) on sheet 'Table 2' of 'Copy "
    f"of Table 2' and from row '{SAFER}' (Performance) on sheet 'Table 2' of '{TABLE_2}'. Each figure may come from "
    "one return only: give one of them other indicators, areas or agencies.")


def test_loading_a_template_that_delivers_anothers_figures_is_refused(admin, runner, tmp_path):
    data = json.loads(runner.invoke(args=["templates", "dump", "table-2-da-sv-outcomes"]).output)
    data["slug"], data["name"] = "table-2-copy", "Copy of Table 2"
    path = tmp_path / "copy.json"
    path.write_text(json.dumps(data))
    result = runner.invoke(args=["templates", "load", str(path)])
    assert result.exit_code == 1
    assert OVERLAP_MESSAGE in result.output
    assert db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == "table-2-copy")) is None
    # As a draft it may be saved (and changed until it no longer clashes).
    assert runner.invoke(args=["templates", "load", str(path), "--draft"]).exit_code == 0


def test_publishing_on_the_web_a_template_that_delivers_anothers_figures_is_refused(admin, runner, tmp_path):
    data = json.loads(dump("table-2-da-sv-outcomes"))
    data["slug"], data["name"] = "table-2-copy", "Copy of Table 2"
    load(json.dumps(data), None, publish_it=False)
    page = ok(admin.post("/templates/table-2-copy/publish", follow_redirects=True), 200)
    text = " ".join(re.sub(r"<[^>]+>", " ", page.data.decode()).split()).replace("&#39;", "'").replace("&amp;", "&")
    assert OVERLAP_MESSAGE in text
    assert version_rows("table-2-copy") == [(1, "draft")]


def test_the_demo_templates_do_not_overlap():
    from app.demo.templates import demo_definitions
    from app.services.return_templates import first_overlap

    definitions = demo_definitions()
    assert [(a.slug, b.slug) for a in definitions for b in definitions
            if a is not b and first_overlap(a, b)] == []
    appendix_2 = definitions[0]
    assert first_overlap(appendix_2, appendix_2) is not None  # the rule does see a real clash


def test_the_editor_names_indicators_agencies_and_areas_and_checks_are_chosen_from_lists(admin):
    """Issue 17: the template editor shows names, not slugs or codes; a check across
    figures is built by choosing the template's rows and columns from lists, and changed
    afterwards on a page that shows what was chosen."""
    base = "/templates/appendix-2-da-sv-outputs"
    page = " ".join(re.sub(r"<[^>]+>", " ", admin.get(base).get_data(as_text=True)).split())
    assert "Submitted by Living Without Abuse" in page
    assert "Helpline calls received" in page and "helpline-calls" not in page
    assert "living-without-abuse" not in page.replace("agency=living-without-abuse", "")
    # The demo's check, in words, with a Change link.
    assert "A total equals the sum of its parts, on 'Appendix 2': Blaby, Charnwood" in page.replace("&#39;", "'")
    # The form offers the template's own row labels and column headers.
    form = admin.get(f"{base}/checks/new").get_data(as_text=True)
    for label in ("Helpline calls received", "Melton", "Total Leics County"):
        assert f'value="{label}"' in form
    ok(admin.post(f"{base}/checks/new", data={
        "kind": "less_or_equal", "sheet": "Appendix 2", "part_rows": ["New callers to the helpline"],
        "total_row": "Helpline calls received", "tolerance": "0"}))
    db.session.expire_all()
    defn = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == "appendix-2-da-sv-outputs")
                             ).latest_version.definition
    assert [part["row"] for part in defn["cross_rules"][1]["parts"]] == ["New callers to the helpline"]
    assert defn["cross_rules"][1]["total"]["row"] == "Helpline calls received"
    # Changed afterwards: the page shows what is chosen; a label not in the template is refused.
    edit = admin.get(f"{base}/checks/1").get_data(as_text=True)
    assert re.search(r'value="New callers to the helpline"[^>]*checked', edit)
    assert re.search(r'<option[^>]*value="Helpline calls received"[^>]*selected', edit) or \
        re.search(r'<option[^>]*selected[^>]*value="Helpline calls received"', edit)
    refused = admin.post(f"{base}/checks/1", data={"kind": "less_or_equal", "part_rows": ["Calls (typed)"],
                                                   "total_row": "Helpline calls received"})
    assert refused.status_code == 400 and "is not in this template" in " ".join(page_errors(refused))
    ok(admin.post(f"{base}/checks/1", data={
        "kind": "less_or_equal", "sheet": "Appendix 2", "part_rows": ["Safety plans established"],
        "total_row": "Service users starting face to face support (cases opened)", "tolerance": "0"}))
    db.session.expire_all()
    rules = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == "appendix-2-da-sv-outputs")
                              ).latest_version.definition["cross_rules"]
    assert len(rules) == 2 and rules[1]["parts"][0]["row"] == "Safety plans established"
    assert rules[1]["total"]["row"] == "Service users starting face to face support (cases opened)"
