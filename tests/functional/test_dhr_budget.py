"""The pooled DHR budget through the forms, on screen and in the workbook (recalculated by
LibreOffice), and filled from a stored DHR budget return."""
import html
import re
import shutil
import subprocess

import openpyxl
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Area, AuditEvent, DataValue, DhrBudgetYear, DhrCase, Indicator, ReturnTemplate
from app.dhr.budget import RETURN_INDICATORS
from app.services.dhr import budget_from_stored_return
from app.services import ServiceError
from app.store.reference import period_row

DISTRICTS = ["Blaby", "Charnwood", "Harborough", "Hinckley & Bosworth", "Melton", "North West Leicestershire",
             "Oadby & Wigston", "Rutland"]
LEICESTERSHIRE_PARTNERS = [("Leicestershire County Council", "30,000"), ("Leicestershire Police", "£16,000")] + [
    (d, "2500") for d in DISTRICTS]
LEICESTERSHIRE_COSTS = [
    ("Safeguarding Board Business Office: officer and admin support", "fixed_support", "40,500"),
    ("Safeguarding Board Business Office: 2016/17 staffing increase", "fixed_support", "1,589"),
    ("Independent chairs and authors (3 reviews at £8,500)", "chairs_authors", "25500"),
]


def post_ok(client, url, data):
    response = client.post(url, data=data)
    assert response.status_code == 302, response.get_data(as_text=True)[:3000]
    return response


def enter_leicestershire_2016_17(client):
    post_ok(client, "/dhr/budget/new", {"year": "2016/17", "opening_reserve": "£25,500", "reviews_expected": "2.5",
                                         "cost_per_review": "8,500", "fixed_support": "42,089"})
    for partner, due in LEICESTERSHIRE_PARTNERS:
        advance = "2,500" if partner == "Charnwood" else "0"
        post_ok(client, "/dhr/budget/2016/contributions/new",
                {"partner": partner, "due": due, "received_in_advance": advance, "drawn_down": "yes"})
    for label, kind, amount in LEICESTERSHIRE_COSTS:
        post_ok(client, "/dhr/budget/2016/costs/new", {"label": label, "kind": kind, "amount": amount})


def summary_list(page: str, list_id: str = "summary") -> dict[str, str]:
    block = page.split(f'id="{list_id}"', 1)[1].split("</dl>", 1)[0]
    pairs = re.findall(
        r'summary-list__key">\s*(.*?)\s*</dt>\s*<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', block, re.S
    )
    return {html.unescape(k): html.unescape(v) for k, v in pairs}


def test_leicestershire_2016_17_through_the_forms_on_screen(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    enter_leicestershire_2016_17(client)
    page = client.get("/dhr/budget/2016").get_data(as_text=True)
    figures = summary_list(page)
    assert figures["Opening reserve"] == "£25,500"
    assert figures["Contributions due"] == "£66,000"
    assert figures["Received in an earlier year"] == "£2,500"
    assert figures["Received in year"] == "£63,500"
    assert figures["Business office support (fixed annual cost)"] == "£42,089"
    assert figures["Independent chairs and authors"] == "£25,500"
    assert figures["Total costs"] == "£67,589"
    assert figures["Closing reserve"] == "£21,411"
    assert figures["Forecast cost"].startswith("£63,339 (2.5 reviews × £8,500 + £42,089")
    assert figures["Forecast against contributions"] == "Surplus £2,661: £63,339 forecast against £66,000 contributions"
    assert "Hinckley &amp; Bosworth" in page
    overview = client.get("/dhr/budget").get_data(as_text=True)
    # The multi-year forecast carries the closing reserve forward: 21,411 + 66,000 − 63,339.
    forecast_rows = re.findall(r'<th scope="row" class="govuk-table__header">(20\d\d/\d\d)</th>(.*?)</tr>',
                               overview.split('id="forecast"')[1], re.S)
    assert [year for year, _ in forecast_rows] == ["2017/18", "2018/19", "2019/20"]
    assert "£24,072" in forecast_rows[0][1] and "£26,733" in forecast_rows[1][1]


def test_budget_form_problems_are_shown_next_to_their_fields(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    response = client.post("/dhr/budget/new", data={"year": "2016", "opening_reserve": "lots", "reviews_expected": "-1",
                                                     "cost_per_review": "", "fixed_support": "0"})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert "Enter the opening reserve as a number, for example 2500 or 2,500.00" in page
    assert "Enter the number of reviews expected as 0 or more" in page
    assert "Enter the cost per review" in page
    assert db.session.scalar(select(DhrBudgetYear)) is None
    response = client.post(
        "/dhr/budget/new",
        data={
            "year": "next year",
            "opening_reserve": "0",
            "reviews_expected": "2",
            "cost_per_review": "1",
            "fixed_support": "0",
        },
    )
    assert response.status_code == 400
    assert "'next year' is not a financial year. Write it like 2016/17." in html.unescape(
        response.get_data(as_text=True)
    )


def test_contribution_checks(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    post_ok(client, "/dhr/budget/new", {"year": "2016/17", "opening_reserve": "0", "reviews_expected": "2",
                                         "cost_per_review": "8500", "fixed_support": "40000"})
    url = "/dhr/budget/2016/contributions/new"
    response = client.post(
        url, data={"partner": "Charnwood", "due": "2500", "received_in_advance": "3000", "drawn_down": "yes"}
    )
    assert response.status_code == 400
    assert "Charnwood paid £3,000 in advance, more than the £2,500 due." in html.unescape(
        response.get_data(as_text=True)
    )
    post_ok(client, url, {"partner": "Charnwood", "due": "2500", "received_in_advance": "0", "drawn_down": "no"})
    response = client.post(
        url, data={"partner": "charnwood", "due": "100", "received_in_advance": "0", "drawn_down": "yes"}
    )
    assert response.status_code == 400
    assert "charnwood already has a contribution in 2016/17" in response.get_data(as_text=True)
    year = db.session.scalar(select(DhrBudgetYear))
    assert [(c.partner, c.drawn_down) for c in year.contributions] == [("Charnwood", False)]
    # Change it, then remove it.
    item = year.contributions[0].id
    assert 'value="no" checked' in client.get(f"/dhr/budget/2016/contributions/{item}").get_data(as_text=True)
    post_ok(client, f"/dhr/budget/2016/contributions/{item}",
            {"partner": "Charnwood", "due": "2,600", "received_in_advance": "0", "drawn_down": "yes"})
    db.session.expire_all()
    assert (year.contributions[0].due, year.contributions[0].drawn_down) == (2600, True)
    post_ok(client, f"/dhr/budget/2016/contributions/{item}/remove", {})
    db.session.expire_all()
    assert year.contributions == []
    assert "No partner contributions are entered" in client.get("/dhr/budget/2016").get_data(as_text=True)


def test_a_case_cost_must_name_its_case(client, sign_in_as):
    sign_in_as("dhr_coordinator")
    post_ok(client, "/dhr/budget/new", {"year": "2016/17", "opening_reserve": "0", "reviews_expected": "2",
                                         "cost_per_review": "8500", "fixed_support": "40000"})
    response = client.post("/dhr/budget/2016/costs/new", data={"label": "Author", "kind": "case", "amount": "4000"})
    assert response.status_code == 400
    assert "Author: a case cost must name the case. Enter its pseudonym." in response.get_data(as_text=True)
    case = DhrCase(pseudonym="AB", status="in_progress")
    db.session.add(case)
    db.session.commit()
    response = client.post(
        "/dhr/budget/2016/costs/new",
        data={"label": "Author", "kind": "chairs_authors", "amount": "4000", "case_id": str(case.id)},
    )
    assert response.status_code == 400 and "Only the actual cost of a case names a case." in response.get_data(
        as_text=True
    )
    post_ok(
        client,
        "/dhr/budget/2016/costs/new",
        {"label": "Author for AB", "kind": "case", "amount": "4000", "case_id": str(case.id)},
    )
    assert "Actual cost of a case: case AB" in client.get("/dhr/budget/2016").get_data(as_text=True)


# ---- the workbook, recalculated by LibreOffice ----------------------------------------------


def cell_by_label(ws, label: str, column: str = "B"):
    for (cell,) in ws.iter_rows(min_col=1, max_col=1):
        if cell.value == label:
            return ws[f"{column}{cell.row}"]
    raise AssertionError(f"no row {label!r}")


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_leicestershire_2016_17_in_the_workbook_recalculated_by_libreoffice(client, sign_in_as, tmp_path):
    sign_in_as("dhr_coordinator")
    enter_leicestershire_2016_17(client)
    response = client.get("/dhr/workbook.xlsx")
    assert response.status_code == 200 and response.mimetype.endswith("spreadsheetml.sheet")
    as_written = tmp_path / "as_written.xlsx"
    as_written.write_bytes(response.data)
    # Saved by openpyxl, the formulas lose their cached results: LibreOffice must work them out.
    resaved, edited = tmp_path / "resaved.xlsx", tmp_path / "edited.xlsx"
    book = openpyxl.load_workbook(as_written)
    book.save(resaved)
    ws = book["DHR Budget"]
    cell_by_label(ws, "Opening reserve carried forward").value = 30000
    cell_by_label(ws, "Reviews expected a year").value = 3
    book.save(edited)
    out = tmp_path / "out"
    result = subprocess.run(
        ["soffice", f"-env:UserInstallation=file://{tmp_path}/profile", "--headless", "--convert-to",
         "xlsx:Calc MS Excel 2007 XML", "--outdir", str(out), str(as_written), str(resaved), str(edited)],
        capture_output=True, text=True, timeout=180)
    assert result.returncode == 0, result.stderr

    def figures(name):
        sheet = openpyxl.load_workbook(out / name, data_only=True)["DHR Budget"]
        return {
            "opening": cell_by_label(sheet, "Opening reserve carried forward").value,
            "due": cell_by_label(sheet, "Total contributions").value,
            "advance": cell_by_label(sheet, "Total contributions", "C").value,
            "in_year": cell_by_label(sheet, "Total contributions", "E").value,
            "costs": cell_by_label(sheet, "Total costs").value,
            "closing": cell_by_label(sheet, "Closing reserve").value,
            "forecast": cell_by_label(sheet, "Forecast cost").value,
            "against": cell_by_label(sheet, "Contributions due").value,
            "balance_label": sheet[f"A{cell_by_label(sheet, 'Contributions due').row + 1}"].value,
            "balance": sheet[f"B{cell_by_label(sheet, 'Contributions due').row + 1}"].value,
            "next_opening": cell_by_label(sheet, "2017/18").value,
        }

    expected = {"opening": 25500, "due": 66000, "advance": 2500, "in_year": 63500, "costs": 67589, "closing": 21411,
                "forecast": 63339, "against": 66000, "balance_label": "Surplus", "balance": 2661, "next_opening": 21411}
    assert figures("as_written.xlsx") == expected  # the cached results
    assert figures("resaved.xlsx") == expected  # the formulas, worked out by LibreOffice
    # A manager changes two inputs: the closing reserve and the forecast follow.
    assert figures("edited.xlsx") == {**expected, "opening": 30000, "closing": 25911, "next_opening": 25911,
                                      "forecast": 67589, "balance_label": "Shortfall", "balance": -1589}


# ---- filled from the stored DHR budget return -----------------------------------------------


def store_return(values: dict[str, float | None], area_code: str = "LC", year: str = "2016/17", names=None):
    """Store figures as the upload pipeline does: current DataValues of the return's indicators."""
    area = db.session.scalar(select(Area).where(Area.code == area_code)) or Area(
        name=area_code, code=area_code, kind="county"
    )
    db.session.add(area)
    period = period_row(year)
    for slug, value in values.items():
        indicator = db.session.scalar(select(Indicator).where(Indicator.slug == slug))
        if indicator is None:
            indicator = Indicator(slug=slug, name=(names or {}).get(slug, slug), unit="money")
            db.session.add(indicator)
        flag = "actual" if value is not None else "not_available"
        db.session.add(DataValue(indicator=indicator, area=area, period=period, value=value, flag=flag,
                                 note=None if value is not None else "Awaiting the business office", is_current=True))
    db.session.commit()


LEICESTERSHIRE_RETURN = {
    RETURN_INDICATORS["opening_reserve"]: 25500, RETURN_INDICATORS["contributions_due"]: 66000,
    RETURN_INDICATORS["received_in_advance"]: 2500, RETURN_INDICATORS["business_office"]: 42089,
    RETURN_INDICATORS["chairs_authors"]: 25500, RETURN_INDICATORS["reviews_expected"]: 2.5,
    RETURN_INDICATORS["cost_per_review"]: 8500,
}


def test_fill_a_new_year_from_the_return_gives_one_partner_line(client, sign_in_as, people):
    store_return(LEICESTERSHIRE_RETURN)
    sign_in_as("dhr_coordinator")
    response = client.post("/dhr/budget/from-return", data={"year": "2016/17"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/dhr/budget/2016")
    page = client.get("/dhr/budget/2016").get_data(as_text=True)
    assert "one line &#39;Partner contributions&#39; (£66,000 due, £2,500 received in advance)" in page
    figures = summary_list(page)
    assert (
        figures["Contributions due"],
        figures["Received in year"],
        figures["Total costs"],
        figures["Closing reserve"],
    ) == ("£66,000", "£63,500", "£67,589", "£21,411")
    year = db.session.scalar(select(DhrBudgetYear))
    assert [(c.partner, c.due, c.received_in_advance) for c in year.contributions] == [
        ("Partner contributions", 66000, 2500)
    ]
    assert year.fixed_support == 42089 and year.reviews_expected == 2.5
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "dhr_budget_filled_from_return"))
    assert event.user_id == people["users"]["dhr_coordinator"].id and event.detail["area"] == "LC"


def test_fill_keeps_partner_lines_and_cost_lines_that_add_up(client, sign_in_as, people):
    store_return(LEICESTERSHIRE_RETURN)
    sign_in_as("dhr_coordinator")
    enter_leicestershire_2016_17(client)
    post_ok(client, "/dhr/budget/2016/edit", {"opening_reserve": "1", "reviews_expected": "9", "cost_per_review": "1",
                                               "fixed_support": "1"})
    post_ok(client, "/dhr/budget/from-return", {"year": "2016/17"})
    db.session.expire_all()
    year = db.session.scalar(select(DhrBudgetYear))
    assert len(year.contributions) == 10 and [c.label for c in year.costs] == [
        label for label, _, _ in LEICESTERSHIRE_COSTS
    ]
    assert (year.opening_reserve, year.reviews_expected, year.cost_per_review, year.fixed_support) == (
        25500,
        2.5,
        8500,
        42089,
    )
    assert "£21,411" in client.get("/dhr/budget/2016").get_data(as_text=True)


def test_fill_replaces_lines_that_disagree_and_says_so(client, sign_in_as):
    store_return({**LEICESTERSHIRE_RETURN, RETURN_INDICATORS["business_office"]: 40500})
    sign_in_as("dhr_coordinator")
    enter_leicestershire_2016_17(client)
    post_ok(client, "/dhr/budget/2016/contributions/new", {"partner": "Probation", "due": "1000",
                                                           "received_in_advance": "0", "drawn_down": "yes"})
    follow = client.post("/dhr/budget/from-return", data={"year": "2016/17"}, follow_redirects=True)
    page = html.unescape(follow.get_data(as_text=True))
    assert (
        "the partner lines entered added up to £67,000 due and £2,500 in advance, not the return's £66,000 and £2,500"
        in page
    )
    assert "Business office support (fixed annual cost): £40,500 from the return." in page
    year = db.session.scalar(select(DhrBudgetYear))
    assert [c.partner for c in year.contributions] == ["Partner contributions"]
    assert sorted((c.kind, c.amount) for c in year.costs) == [("chairs_authors", 25500), ("fixed_support", 40500)]


def test_fill_from_per_partner_lines_in_the_return(app):
    per_partner = {"dhr-contribution-due-county": 30000, "dhr-contribution-due-police": 16000,
                   "dhr-contribution-due-charnwood": 20000, "dhr-received-in-advance-charnwood": 2500}
    names = {"dhr-contribution-due-county": "Contribution due: Leicestershire County Council",
             "dhr-contribution-due-police": "Contribution due: Leicestershire Police",
             "dhr-contribution-due-charnwood": "Contribution due: Districts and Rutland"}
    store_return({**LEICESTERSHIRE_RETURN, **per_partner}, names=names)
    fill = budget_from_stored_return(2016)
    assert [(c.partner, c.due, c.received_in_advance) for c in fill.row.contributions] == [
        ("Leicestershire County Council", 30000, 0), ("Leicestershire Police", 16000, 0),
        ("Districts and Rutland", 20000, 2500)]
    assert fill.notes[0] == "Contributions: 3 partner lines from the return."


def test_partner_lines_that_do_not_add_up_to_the_return_are_refused(app):
    store_return({**LEICESTERSHIRE_RETURN, "dhr-contribution-due-police": 16000})
    with pytest.raises(ServiceError, match="partner lines add up to £16,000 due and £0 received in advance, but its "
                                           "totals are £66,000 and £2,500"):
        budget_from_stored_return(2016)
    assert db.session.scalar(select(DhrBudgetYear)) is None


def test_a_missing_return_figure_is_never_taken_as_zero(client, sign_in_as):
    store_return({**LEICESTERSHIRE_RETURN, RETURN_INDICATORS["business_office"]: None})
    sign_in_as("dhr_coordinator")
    response = client.post("/dhr/budget/from-return", data={"year": "2016/17"})
    assert response.status_code == 400
    page = html.unescape(response.get_data(as_text=True))
    assert ("The DHR budget return for 2016/17 has no figure for 'dhr-business-office-costs' (marked 'not available': "
            "Awaiting the business office)") in page
    assert db.session.scalar(select(DhrBudgetYear)) is None


def test_no_stored_return_for_the_year(client, sign_in_as):
    store_return(LEICESTERSHIRE_RETURN, year="2015/16")
    sign_in_as("dhr_coordinator")
    response = client.post("/dhr/budget/from-return", data={"year": "2016-17"})
    assert response.status_code == 400
    assert "No DHR budget return for 2016/17 has been stored yet." in response.get_data(as_text=True)


def test_the_demo_return_figures_fill_the_budget(demo):
    """The demo publishes the DHR budget return template; its rows are the indicators read here."""
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == "dhr-budget-return"))
    rows = template.latest_version.definition["sheets"][0]["rows"]
    assert {row["indicator"] for row in rows} == set(RETURN_INDICATORS.values())
    store_return({**LEICESTERSHIRE_RETURN, RETURN_INDICATORS["opening_reserve"]: 21411}, year="2017/18")
    fill = budget_from_stored_return(2017)
    assert fill.area == "LC" and fill.row.opening_reserve == 21411
    # The demo's own 2016/17 is untouched.
    assert [y.year_start for y in db.session.scalars(select(DhrBudgetYear).order_by(DhrBudgetYear.year_start))] == [
        2016,
        2017,
    ]
    assert len(db.session.scalar(select(DhrBudgetYear).where(DhrBudgetYear.year_start == 2016)).contributions) == 10
