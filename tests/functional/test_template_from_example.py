"""Issue 14 part 3 on the web, through the routes: a template from an agency's own
spreadsheet. An admin uploads an example file, corrects the proposal twice by choosing
from lists, sees every figure the draft would read from that file, and publishes; an
officer of the agency then uploads a second file in that layout and every figure is
stored."""
import html
import io
import math
import re
from pathlib import Path

import openpyxl
from sqlalchemy import select

from app.extensions import db
from app.models import Agency, Area, Indicator, ReturnTemplate, Submission
from tests.conftest import DEMO_ADMIN, DEMO_MANAGER, DEMO_POLICE_OFFICER, signed_in
from tests.factories import PASSWORD, make_user
from tests.functional.test_corpus import add_corpus_indicators, stored_target, stored_values
from tests.functional.test_corpus_files import CORPUS_DIR, expected_of
from tests.functional.test_import_web import preview_url, text_of, upload

NAME = "blaby_csp_fund"
SHEET = "CSP fund"
SLUG = "blaby-csp-fund"


def post_example(client, data: bytes, filename=f"{NAME}.xlsx", agency="blaby-district-council", period="2016/17"):
    return client.post("/templates/from-example", data={"file": (io.BytesIO(data), filename), "agency": agency,
                                                        "period": period}, content_type="multipart/form-data")


def correct(client, label: str, side: str = "rows", **choice):
    form = {"sheet": SHEET, "table": "0", "side": side, "label": label, "kind": "indicator", "indicator": "",
            "area": "", "period": "", "scale": "1", "blank": "not_returned"}  # as the page's lists start
    form.update(choice)
    return client.post(f"/templates/{SLUG}/proposal/correct", data=form)


def preview_rows(page) -> list[tuple[str, ...]]:
    """The proposal page's table of figures: (indicator, area, period, measure, value, flag, cell)."""
    body = page.data.decode()
    table = body[body.index('id="figures"'):]
    table = table[:table.index("</table>")]
    rows = []
    for row in re.findall(r"<tr class=\"govuk-table__row\">(.*?)</tr>", table, re.S):
        cells = [html.unescape(" ".join(re.sub(r"<[^>]+>", " ", c).split()))
                 for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        if cells:
            rows.append(tuple(cells))
    return rows


def money_text(value) -> str:
    return f"{int(value):,}" if float(value).is_integer() else f"{value:,.10g}"


def expected_preview() -> set[tuple[str, ...]]:
    expected = expected_of(NAME)
    indicators = dict(db.session.execute(select(Indicator.slug, Indicator.name)).all())
    areas = dict(db.session.execute(select(Area.code, Area.name)).all())
    return {(indicators[f["indicator"]], areas[f["area"]], "2016/17",
             "Target" if f["measure"] == "target" else "Figure", money_text(f["value"]), "Actual",
             f"{f['sheet']}!{f['cell']}") for f in expected["figures"]}


# Two rows in the council's own words, which name no indicator of the partnership: the
# admin's two corrections.
GRANT, BALANCE = "Income from the OPCC", "Net position"


def in_own_words(book) -> None:
    book[SHEET]["A5"], book[SHEET]["A9"] = GRANT, BALANCE


def example_file(tmp_path: Path) -> bytes:
    """The corpus file with two rows relabelled (and its formulas written as their values)."""
    book = openpyxl.load_workbook(CORPUS_DIR / f"{NAME}.xlsx", data_only=True)
    in_own_words(book)
    path = tmp_path / f"{NAME}.xlsx"
    book.save(path)
    return path.read_bytes()


def second_file(tmp_path: Path) -> tuple[bytes, dict[str, float]]:
    """The example's layout with other figures (and the formulas written as their values)."""
    book = openpyxl.load_workbook(CORPUS_DIR / f"{NAME}.xlsx")
    in_own_words(book)
    sheet = book[SHEET]
    new = {"B5": 46000, "C5": 46500, "B6": 11000, "C6": 9500.25, "B8": 57000, "C8": 61000}
    for ref, value in new.items():
        sheet[ref] = value
    sheet["B9"] = new["B5"] + new["B6"] - new["B8"]
    sheet["C9"] = new["C5"] + new["C6"] - new["C8"]
    for row in (5, 6, 8, 9):
        sheet[f"D{row}"] = sheet[f"C{row}"].value - sheet[f"B{row}"].value
    path = tmp_path / "blaby_csp_fund_2017.xlsx"
    book.save(path)
    return path.read_bytes(), {**new, "B9": -sheet["B9"].value, "C9": -sheet["C9"].value}


def test_an_admin_makes_a_template_from_an_example_and_an_officer_uploads_in_that_layout(app, client, demo,
                                                                                        tmp_path):
    add_corpus_indicators()
    admin = signed_in(client, DEMO_ADMIN)
    index = admin.get("/templates/")
    assert "Create a template from an agency's spreadsheet" in text_of(index)

    example = example_file(tmp_path)
    response = post_example(admin, example)
    assert response.status_code == 302, text_of(response)[:2000]
    assert response.headers["Location"].endswith(f"/templates/{SLUG}/proposal")
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == SLUG))
    assert template.latest_version.status == "draft"
    assert (Path(app.config["UPLOAD_FOLDER"]) / "templates" / f"{SLUG}.xlsx").read_bytes() == example

    page = admin.get(f"/templates/{SLUG}/proposal")
    assert page.status_code == 200
    text = text_of(page)
    assert "What we could not recognise" in text and f"'{GRANT}' is not an indicator" in text.replace(
        "‘", "'").replace("’", "'")
    assert 'data-cell="A6"' in page.data.decode()
    assert "indicator: CSP fund: council contribution" in text  # the grid's tag names the indicator by name
    before = preview_rows(page)
    assert len(before) == 4  # two rows of two figures: the grant and the net position are not read yet

    # Correction 1: the OPCC income row is the grant from the Police and Crime Commissioner.
    response = correct(admin, GRANT, indicator="csp-grant-income")
    assert response.status_code == 302, text_of(response)[:3000]
    # Correction 2: the net position (a surplus positive) is the shortfall, its sign turned.
    response = correct(admin, BALANCE, indicator="csp-shortfall", sign_flipped="y")
    assert response.status_code == 302, text_of(response)[:3000]

    page = admin.get(f"/templates/{SLUG}/proposal")
    assert set(preview_rows(page)) == expected_preview() and len(preview_rows(page)) == 8

    response = admin.post(f"/templates/{SLUG}/publish")
    assert response.status_code == 302
    db.session.expire_all()
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == SLUG))
    assert template.latest_version.status == "published", text_of(admin.get(f"/templates/{SLUG}"))[:2000]

    # An officer of Blaby uploads next year's return in the same layout.
    blaby = db.session.scalar(select(Agency).where(Agency.slug == "blaby-district-council"))
    make_user("officer", email="blaby.officer@example.org", agency_id=blaby.id)
    db.session.commit()
    data, wanted = second_file(tmp_path)
    officer = signed_in(client, ("blaby.officer@example.org", PASSWORD))
    preview = officer.get(preview_url(upload(officer, data, "blaby_csp_fund_2017.xlsx",
                                             agency="blaby-district-council", period="2017/18")))
    assert preview.status_code == 200, text_of(preview)[:3000]
    confirm = officer.post(preview.request.path + "/confirm", data={"comment": "Next year's outturn"})
    assert confirm.status_code == 302, text_of(confirm)[:3000]
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission.template.slug == SLUG and submission.agency_id == blaby.id

    stored = stored_values(submission.id)
    expected = expected_of(NAME)
    figures = {f["cell"]: f for f in expected["figures"] if f["measure"] == "value"}
    assert {cell for *_, cell in stored.values()} == set(figures)
    for (indicator, area, period), (value, flag, sheet, cell) in stored.items():
        assert (indicator, area, period, sheet, flag) == (figures[cell]["indicator"], figures[cell]["area"],
                                                          "2017/18", SHEET, "actual"), cell
        assert math.isclose(value, wanted[cell]), (cell, value, wanted[cell])
    targets = {f["cell"]: f for f in expected["figures"] if f["measure"] == "target"}
    assert len(targets) == 4
    for cell, figure in targets.items():
        target = stored_target(figure["indicator"], figure["area"], "2017/18")
        assert target is not None and math.isclose(target.value, wanted[cell]), (cell, target)


def test_officers_and_managers_may_not_make_templates_from_examples(app, client, demo):
    data = (CORPUS_DIR / f"{NAME}.xlsx").read_bytes()
    for login in (DEMO_POLICE_OFFICER, DEMO_MANAGER):
        person = signed_in(client, login)
        assert person.get("/templates/from-example").status_code == 403
        assert post_example(person, data).status_code == 403
    assert db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == SLUG)) is None


def test_a_file_that_is_not_a_spreadsheet_gets_its_message_and_nothing_is_made(app, client, demo):
    admin = signed_in(client, DEMO_ADMIN)
    count = len(db.session.scalars(select(ReturnTemplate)).all())
    response = post_example(admin, b"this is not a workbook", filename="notes.xlsx")
    assert response.status_code == 400
    assert "There is a problem" in text_of(response)
    assert "'notes.xlsx' is a CSV or text file, not an Excel workbook" in text_of(response)  # the upload's message
    assert len(db.session.scalars(select(ReturnTemplate)).all()) == count
    assert not (Path(app.config["UPLOAD_FOLDER"]) / "templates").exists() or not any(
        (Path(app.config["UPLOAD_FOLDER"]) / "templates").iterdir())
