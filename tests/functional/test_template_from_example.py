"""Issue 14 part 3 on the web, through the routes: a template from an agency's own
spreadsheet. An admin uploads an example file, corrects the proposal twice by choosing
from lists, sees every figure the draft would read from that file, and publishes; an
officer of the agency then uploads a second file in that layout and every figure is
stored."""
import hashlib
import html
import io
import json
import math
import re
from pathlib import Path

import openpyxl
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

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


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def kept_files(app) -> list[str]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "templates"
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_the_reference_copy_is_downloaded_by_managers_and_admins_as_it_was_uploaded(app, client, demo, tmp_path):
    add_corpus_indicators()
    example = example_file(tmp_path)
    admin = signed_in(client, DEMO_ADMIN)
    assert post_example(admin, example, filename="Blaby CSP fund outturn 2016-17.xlsx").status_code == 302
    slug = "blaby-csp-fund-outturn-2016-17"
    proposal = admin.get(f"/templates/{slug}/proposal")
    assert f'href="/templates/{slug}/reference-copy"' in proposal.data.decode()

    for login in (DEMO_ADMIN, DEMO_MANAGER):
        person = signed_in(client, login)
        assert f'href="/templates/{slug}/reference-copy"' in person.get("/templates/").data.decode()
        response = person.get(f"/templates/{slug}/reference-copy")
        assert response.status_code == 200
        assert response.data == example
        assert response.headers["Content-Type"] == XLSX
        assert response.headers["Content-Disposition"] == \
            'attachment; filename="Blaby CSP fund outturn 2016-17.xlsx"'
    officer = signed_in(client, DEMO_POLICE_OFFICER)
    assert officer.get(f"/templates/{slug}/reference-copy").status_code == 403
    assert "reference-copy" not in officer.get("/templates/").data.decode()


def test_a_reference_copy_that_is_not_the_recorded_file_or_fails_the_safety_checks_is_never_served(
        app, client, demo, tmp_path):
    add_corpus_indicators()
    admin = signed_in(client, DEMO_ADMIN)
    assert post_example(admin, example_file(tmp_path)).status_code == 302
    folder = Path(app.config["UPLOAD_FOLDER"]) / "templates"
    # Changed on the server since it was kept: not the file that was uploaded.
    (folder / f"{SLUG}.xlsx").write_bytes((CORPUS_DIR / "marac_blocks.xlsx").read_bytes())
    response = admin.get(f"/templates/{SLUG}/reference-copy", follow_redirects=True)
    assert response.headers["Content-Type"].startswith("text/html")
    assert "is not the file that was uploaded, so it is not served" in text_of(response)
    # The recorded file, but one the upload refuses (here: active content, a DDE formula).
    refused = dde_workbook(tmp_path)
    record = json.loads((folder / f"{SLUG}.json").read_text())
    (folder / f"{SLUG}.json").write_text(json.dumps({**record, "sha256": hashlib.sha256(refused).hexdigest()}))
    (folder / f"{SLUG}.xlsx").write_bytes(refused)
    response = admin.get(f"/templates/{SLUG}/reference-copy", follow_redirects=True)
    assert response.headers["Content-Type"].startswith("text/html")
    assert "The reference copy is not served:" in text_of(response)
    assert refused not in response.data


def dde_workbook(tmp_path: Path) -> bytes:
    book = openpyxl.Workbook()
    book.active["A1"] = '=cmd|"/c calc"!A0'
    path = tmp_path / "dde.xlsx"
    book.save(path)
    return path.read_bytes()


def test_a_failed_commit_leaves_no_file_and_a_failed_file_write_leaves_no_draft(app, client, demo, tmp_path,
                                                                                monkeypatch):
    add_corpus_indicators()
    admin = signed_in(client, DEMO_ADMIN)
    example = example_file(tmp_path)

    def commit_fails():  # another admin took the short name at the same moment
        raise IntegrityError("INSERT INTO return_template", {}, Exception("UNIQUE constraint failed"))

    with monkeypatch.context() as patch:
        patch.setattr(db.session, "commit", commit_fails)
        response = post_example(admin, example)
    assert response.status_code == 400
    assert "A template with this short name already exists." in text_of(response)
    assert kept_files(app) == []
    assert db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == SLUG)) is None

    for failing in ("os.replace", "os.fsync"):  # the rename into place, the write of the temporary file
        def disk_fails(*args, **kwargs):
            raise OSError(28, "No space left on device")

        with monkeypatch.context() as patch:
            patch.setattr(f"app.store.files.{failing}", disk_fails)
            response = post_example(admin, example)
        assert response.status_code == 400, failing
        assert "The spreadsheet could not be kept on the server, so no template was made." in text_of(response)
        assert kept_files(app) == [], failing
        db.session.expire_all()
        assert db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == SLUG)) is None, failing

    assert post_example(admin, example).status_code == 302  # and with nothing failing, both are kept
    assert kept_files(app) == [f"{SLUG}.json", f"{SLUG}.xlsx"]


def fix(client, slug: str, **values):
    return client.post(f"/templates/{slug}/proposal/fixed", data={"sheet": SHEET, "table": "0", **values})


def test_scale_blank_meaning_and_a_tables_fixed_area_are_chosen_from_lists(app, client, demo, tmp_path):
    add_corpus_indicators()
    book = openpyxl.load_workbook(CORPUS_DIR / f"{NAME}.xlsx", data_only=True)
    book[SHEET]["C6"] = None  # the council's contribution this year: not known yet
    path = tmp_path / "blaby_gap.xlsx"
    book.save(path)
    admin = signed_in(client, DEMO_ADMIN)
    assert post_example(admin, path.read_bytes(), filename="blaby_gap.xlsx").status_code == 302
    slug = "blaby-gap"
    page = admin.get(f"/templates/{slug}/proposal")
    before = {row[-1]: row for row in preview_rows(page)}
    assert len(before) == 7 and f"{SHEET}!C6" not in before  # a blank is nothing returned
    body = page.data.decode()
    for label in ("As written", "× 100: percentages written as fractions (0.29 for 29%)",
                  "Not available (a figure flagged not available)", "Area of every figure"):
        assert html.escape(label, quote=False) in body

    # The council contribution row: in thousands, a blank under it not available.
    response = admin.post(f"/templates/{slug}/proposal/correct", data={
        "sheet": SHEET, "table": "0", "side": "rows", "label": "Council contribution", "kind": "indicator",
        "indicator": "csp-council-contribution", "area": "", "period": "", "scale": "1000",
        "blank": "not_available"})
    assert response.status_code == 302, text_of(response)[:3000]
    # Every figure of the table is Charnwood's (the agency reports for Blaby).
    response = fix(admin, slug, area="C", period="period")
    assert response.status_code == 302, text_of(response)[:3000]

    page = admin.get(f"/templates/{slug}/proposal")
    after = {row[-1]: row for row in preview_rows(page)}
    assert after[f"{SHEET}!B6"] == ("CSP fund: council contribution", "Charnwood", "2016/17", "Target", "10,000,000",
                                    "Actual", f"{SHEET}!B6")
    assert after[f"{SHEET}!C6"] == ("CSP fund: council contribution", "Charnwood", "2016/17", "Figure", "",
                                    "Not available", f"{SHEET}!C6")
    assert {row[1] for row in after.values()} == {"Charnwood"} and len(after) == 8
    assert after[f"{SHEET}!C8"][4] == "58,250.5"  # other rows as written
    # The form starts from what the draft now says.
    body = page.data.decode()
    form = body[body.index("‘Council contribution’ (a row label)"):]
    form = form[:form.index("</form>")]
    assert '<option value="1000" selected>' in form and '<option value="not_available" selected>' in form

    # A choice not on the list, or a fixed value for what the rows already give, is refused.
    refused = fix(admin, slug, area="NOWHERE")
    assert refused.status_code == 400 and "Choose the area from the list" in text_of(refused)
    refused = admin.post(f"/templates/{slug}/proposal/correct", data={
        "sheet": SHEET, "table": "0", "side": "rows", "label": "Council contribution", "kind": "ignore",
        "indicator": "", "area": "", "period": "", "scale": "7", "blank": "not_returned"})
    assert refused.status_code == 400 and "Choose how the figures are written" in text_of(refused)
    assert fix(admin, slug, indicator="csp-project-spend").status_code == 302  # rows give it: left as it was
    db.session.expire_all()
    template = db.session.scalar(select(ReturnTemplate).where(ReturnTemplate.slug == slug))
    [table] = template.latest_version.definition["sheets"][0]["tables"]
    assert table["fixed"] == {"area": "C", "period": "period"}


def test_the_sheet_form_does_not_offer_the_tables_layout_and_says_where_it_is_edited(app, client, demo):
    admin = signed_in(client, DEMO_ADMIN)
    page = admin.get("/templates/table-2-da-sv-outcomes/sheets/new")
    assert page.status_code == 200
    assert 'value="tables"' not in page.data.decode()
    assert "A sheet in an agency's own layout (several tables, headings in any direction) is not laid out here: " \
           "create the template from the agency's spreadsheet, correct it on its proposal page, or edit the " \
           "definition as JSON." in text_of(page)
