"""Who pays into the pooled DHR budget (issue 14): a member agency, or a named partner that
is not an agency, never an area. The area lists (admin areas page, dashboard area filter,
completeness) show only the partnership's places, whatever the budget holds."""
import html
import json
import re

from sqlalchemy import select

from app.demo import DEMO_DIR
from app.extensions import db
from app.models import Agency, Area, DhrBudgetYear
from app.services.dhr import budget_from_stored_return
from tests.conftest import DEMO_ADMIN, DEMO_DHR, signed_in
from tests.factories import make_agency, make_area
from tests.functional.test_dhr_budget import LEICESTERSHIRE_RETURN, post_ok, store_return
from tests.functional.test_import_cli import run
from tests.unit.ingest.returns import blank, edit

PLACES = {spec["code"]: spec["name"] for spec in json.loads((DEMO_DIR / "partnership.json").read_text())["areas"]}


def contribution_rows(page: str) -> list[list[str]]:
    table = page.split('id="contributions"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r'<tr class="govuk-table__row">(.*?)</tr>', table.split("<tbody", 1)[1], re.S)
    return [[html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
             for cell in re.findall(r'<td class="govuk-table__cell[^"]*">(.*?)</td>', row, re.S)][:3] for row in rows]


def test_the_demo_budget_is_paid_by_member_agencies(demo, client):
    """Agenda Item 9 para 24: £30,000 county council, £16,000 police, £2,500 from each
    district and Rutland (Charnwood's paid in 2015/16): each line paid by its agency."""
    year = db.session.scalar(select(DhrBudgetYear).where(DhrBudgetYear.year_start == 2016))
    assert [(c.partner, c.agency.slug, c.due, c.received_in_advance) for c in year.contributions] == [
        ("Leicestershire County Council", "leicestershire-county-council", 30000, 0),
        ("Leicestershire Police", "leicestershire-police", 16000, 0),
        ("Blaby", "blaby-district-council", 2500, 0),
        ("Charnwood", "charnwood-borough-council", 2500, 2500),
        ("Harborough", "harborough-district-council", 2500, 0),
        ("Hinckley & Bosworth", "hinckley-bosworth-borough-council", 2500, 0),
        ("Melton", "melton-borough-council", 2500, 0),
        ("North West Leicestershire", "north-west-leicestershire-district-council", 2500, 0),
        ("Oadby & Wigston", "oadby-wigston-borough-council", 2500, 0),
        ("Rutland", "rutland-county-council", 2500, 0),
    ]
    page = signed_in(client, DEMO_DHR).get("/dhr/budget/2016").get_data(as_text=True)
    rows = contribution_rows(page)
    assert rows[3] == ["Charnwood", "Charnwood Borough Council", "£2,500"]
    assert rows[9] == ["Rutland", "Rutland County Council", "£2,500"]


def test_a_contribution_names_its_agency_or_is_a_named_partner(client, sign_in_as, people):
    sign_in_as("dhr_coordinator")
    police, council = people["police"], people["council"]
    post_ok(client, "/dhr/budget/new", {"year": "2016/17", "opening_reserve": "0", "reviews_expected": "2",
                                         "cost_per_review": "8500", "fixed_support": "40000"})
    url = "/dhr/budget/2016/contributions/new"
    form = client.get(url).get_data(as_text=True)
    assert f'<option value="{police.id}">Leicestershire Police</option>' in form
    assert '<option value="" selected>Found from the name (or none: a named partner)</option>' in form
    # An agency and no name: the line takes the agency's name.
    post_ok(client, url, {"agency_id": str(police.id), "partner": "", "due": "16,000", "received_in_advance": "0",
                          "drawn_down": "yes"})
    # No agency chosen: the name finds it, as the demo and the return find theirs.
    post_ok(client, url, {"agency_id": "", "partner": "blaby district council", "due": "2,500",
                          "received_in_advance": "0", "drawn_down": "yes"})
    # A partner that is not one of the partnership's agencies.
    post_ok(client, url, {"agency_id": "", "partner": "Office of the Police and Crime Commissioner", "due": "5000",
                          "received_in_advance": "0", "drawn_down": "yes"})
    # The police cannot pay a second line in the year.
    second = client.post(url, data={"agency_id": str(police.id), "partner": "Police (second half)", "due": "100",
                                    "received_in_advance": "0", "drawn_down": "yes"})
    assert second.status_code == 400
    assert ("Leicestershire Police already pays the contribution 'Leicestershire Police' in 2016/17. Change that line "
            "instead") in html.unescape(second.get_data(as_text=True))
    nameless = client.post(url, data={"agency_id": "", "partner": "", "due": "100", "received_in_advance": "0",
                                      "drawn_down": "yes"})
    assert nameless.status_code == 400
    assert ("Contribution 4 has no partner name. Choose the agency that pays it, or enter the partner's name."
            in html.unescape(nameless.get_data(as_text=True)))
    year = db.session.scalar(select(DhrBudgetYear))
    assert [(c.partner, c.agency_id, c.due) for c in year.contributions] == [
        ("Leicestershire Police", police.id, 16000), ("blaby district council", council.id, 2500),
        ("Office of the Police and Crime Commissioner", None, 5000)]
    page = client.get("/dhr/budget/2016").get_data(as_text=True)
    assert contribution_rows(page) == [
        ["Leicestershire Police", "Leicestershire Police", "£16,000"],
        ["blaby district council", "Blaby District Council", "£2,500"],
        ["Office of the Police and Crime Commissioner", "A named partner, not a member agency", "£5,000"]]
    # Changing the named partner into the police's line is refused too; Blaby's line can move to it.
    post_ok(client, f"/dhr/budget/2016/contributions/{year.contributions[1].id}/remove", {})
    db.session.expire_all()
    opcc = year.contributions[1].id
    refused = client.post(f"/dhr/budget/2016/contributions/{opcc}", data={
        "agency_id": str(police.id), "partner": "OPCC", "due": "5000", "received_in_advance": "0",
        "drawn_down": "yes"})
    assert refused.status_code == 400
    post_ok(client, f"/dhr/budget/2016/contributions/{opcc}", {
        "agency_id": str(council.id), "partner": "Blaby", "due": "2500", "received_in_advance": "0",
        "drawn_down": "yes"})
    db.session.expire_all()
    assert [(c.partner, c.agency_id) for c in year.contributions] == [("Leicestershire Police", police.id),
                                                                       ("Blaby", council.id)]


def test_per_partner_return_lines_are_paid_by_the_agencies_they_name(app):
    charnwood = make_area("Charnwood", code="C")
    make_agency("Charnwood Borough Council", slug="charnwood-borough-council", area=charnwood)
    make_agency("Leicestershire Police", slug="leicestershire-police")
    db.session.commit()
    per_partner = {"dhr-contribution-due-leicestershire-police": 16000, "dhr-contribution-due-charnwood": 2500,
                   "dhr-received-in-advance-charnwood": 2500, "dhr-contribution-due-others": 47500}
    names = {"dhr-contribution-due-leicestershire-police": "Contribution due: Police",
             "dhr-contribution-due-charnwood": "Contribution due: Charnwood",
             "dhr-contribution-due-others": "Contribution due: County council and the other districts"}
    store_return({**LEICESTERSHIRE_RETURN, **per_partner}, names=names)
    fill = budget_from_stored_return(2016)
    assert [(c.partner, c.agency.name if c.agency else None, c.due, c.received_in_advance)
            for c in fill.row.contributions] == [
        ("Police", "Leicestershire Police", 16000, 0),  # by the line's slug
        ("Charnwood", "Charnwood Borough Council", 2500, 2500),  # by the place its council serves
        ("County council and the other districts", None, 47500, 0),  # a named partner
    ]
    assert {a.code for a in db.session.scalars(select(Area))} == {"C", "LC"}


def area_options(page: str) -> list[str]:
    select_html = page.split('name="area"', 1)[1].split("</select>", 1)[0]
    return [html.unescape(label) for value, label in re.findall(r'<option value="([^"]*)"[^>]*>(.*?)</option>',
                                                                  select_html) if value]


def admin_area_names(page: str) -> list[str]:
    body = page.split("<tbody", 1)[1].split("</tbody>", 1)[0]
    return [html.unescape(name) for name in re.findall(r'<tr class="govuk-table__row">\s*<td class="govuk-table__cell">'
                                                       r'(.*?)</td>', body)]


def test_area_lists_hold_only_the_partnership_places(demo, client, runner, tmp_path):
    """After every way a contributor enters the budget (the demo, the contribution form with a
    partner that is not an agency, the DHR budget return uploaded and filled), the admin areas
    page, the dashboard's area filter and the completeness page list places only: the demo
    partnership's areas, none of them a partner or an agency."""
    def budget(workbook):
        ws = workbook["DHR budget"]
        for row, typed in enumerate(["21,411", "66,000", "0", "42,089", "17,000", "2", "8,500"], start=6):
            ws[f"C{row}"] = typed

    upload = run(runner, tmp_path, edit(blank("dhr-budget-return", "2017/18", "leicestershire-county-council"),
                                        budget), "--agency", "leicestershire-county-council")
    assert upload.exit_code == 0, upload.output
    signed_in(client, DEMO_DHR)
    filled = client.post("/dhr/budget/from-return", data={"year": "2017/18"}, follow_redirects=True)
    assert "2017/18 has been filled from the DHR budget return (Leicestershire)." in filled.get_data(as_text=True)
    post_ok(client, "/dhr/budget/2016/contributions/new", {
        "agency_id": "", "partner": "Office of the Police and Crime Commissioner", "due": "5000",
        "received_in_advance": "0", "drawn_down": "yes"})
    fill = db.session.scalar(select(DhrBudgetYear).where(DhrBudgetYear.year_start == 2017))
    assert [(c.partner, c.due) for c in fill.contributions] == [("Partner contributions", 66000)]
    assert db.session.scalar(select(DhrBudgetYear).where(DhrBudgetYear.year_start == 2016)).contributions[-1].agency \
        is None

    assert {a.code: a.name for a in db.session.scalars(select(Area))} == PLACES
    partners = {c.partner for y in db.session.scalars(select(DhrBudgetYear)) for c in y.contributions}
    agencies = set(db.session.scalars(select(Agency.name)))
    places = set(PLACES.values())
    # Place names that are also partners ("Charnwood", "Rutland") are districts' and counties' own names.
    assert partners & places == {"Blaby", "Charnwood", "Harborough", "Hinckley & Bosworth", "Melton",
                                 "North West Leicestershire", "Oadby & Wigston", "Rutland"}
    assert not agencies & places

    signed_in(client, DEMO_ADMIN)
    assert admin_area_names(client.get("/admin/areas").get_data(as_text=True)) == list(PLACES.values())
    for period in ("2015-16-q4", "2016-17", "2017-18"):
        listed = area_options(client.get(f"/dashboard/{period}").get_data(as_text=True))
        assert listed and {label.rsplit(" (", 1)[0] for label in listed} <= places, (period, listed)
    completeness = html.unescape(client.get("/performance/completeness").get_data(as_text=True))
    for name in partners - places | agencies:
        assert f", {name}:" not in completeness
