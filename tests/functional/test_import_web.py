"""Issue 4 through the pages an officer uses: upload → preview → confirm, the annotated
file, resubmission and what changed, bad files, and who may do what."""
import io
import re
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import func, select

from app.definition import expand_fields
from app.export.blank_return import field_cells
from app.extensions import db
from app.models import AuditEvent, DataValue, Indicator, PeriodSignOff, Submission
from app.periods import parse_period
from app.services.return_templates import definition_of, template_by_slug
from app.services.returns import import_return
from app.store.reference import period_row
from tests.unit.ingest.returns import APPENDIX_2, APPENDIX_2_SLUG, SEED_PERIOD, bad_files, filled
from tests.conftest import (
    DEMO_SUBMISSIONS,
    signed_in,
    DEMO_ADMIN as ADMIN,
    DEMO_LWA_OFFICER as LWA_OFFICER,
    DEMO_MANAGER as MANAGER,
    DEMO_POLICE_OFFICER as POLICE_OFFICER,
)


def text_of(response) -> str:
    """The page's text, tags removed and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.data.decode()).split()).replace("&#39;", "'").replace("&amp;", "&")


def upload(client, data: bytes, filename="return.xlsx", agency="living-without-abuse", **fields):
    return client.post("/returns/upload", data={"file": (io.BytesIO(data), filename), "agency": agency, **fields},
                       content_type="multipart/form-data")


def preview_url(response) -> str:
    assert response.status_code == 302, text_of(response)[:2000]
    return response.headers["Location"]


def held_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file()} if folder.exists() else set()


def test_the_seed_figures_uploaded_through_the_web_land_with_their_cells(app, client, demo):
    officer = signed_in(client, LWA_OFFICER)
    blank = officer.get(f"/templates/{APPENDIX_2_SLUG}/blank?agency=living-without-abuse&period={SEED_PERIOD}")
    assert blank.status_code == 200
    defn = definition_of(template_by_slug(APPENDIX_2_SLUG).published_version)
    fields = expand_fields(defn, parse_period(SEED_PERIOD))
    cells = field_cells(defn, fields)
    rows = list(APPENDIX_2["rows"].values())
    expected = {(f.indicator, f.area): (cells[f.id][1], rows[f.row_index][f.column_index])
                for f in fields if f.measure == "value"}
    workbook = openpyxl.load_workbook(io.BytesIO(blank.data))
    for f in fields:
        if f.column_key != "note":
            workbook["Appendix 2"][cells[f.id][1]] = rows[f.row_index][f.column_index]
    saved = io.BytesIO()
    workbook.save(saved)

    page = officer.get(preview_url(upload(officer, saved.getvalue(), "Appendix 2 Q4.xlsx")))
    assert page.status_code == 200
    shown = text_of(page)
    assert "version 1, recognised from the workbook's own record of its template" in shown
    assert "70 figures, 0 warnings, 0 errors" in shown
    assert "Appendix 2!C6 Helpline calls received Blaby Dec 2015 – Mar 2016 39" in shown
    # The demo recorded this return as received on 25 April 2016: this one replaces it.
    demo_return = db.session.scalar(select(Submission).where(Submission.status == "current",
                                                            Submission.template.has(slug=APPENDIX_2_SLUG)))
    assert (f"Submitting this replaces the return Living Without Abuse (LLR domestic abuse and sexual violence "
            f"service) already sent for Dec 2015 – Mar 2016 (submission {demo_return.id}, ") in shown
    assert "received 25 April 2016" in shown
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS  # nothing stored yet

    confirmed = officer.post(page.request.path + "/confirm", data={"comment": ""})
    assert confirmed.status_code == 302
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission.supersedes_id == demo_return.id and demo_return.status == "superseded"
    assert confirmed.headers["Location"].endswith(f"/returns/submissions/{submission.id}")
    assert (submission.status, submission.filename, submission.agency.slug) == ("current", "Appendix 2 Q4.xlsx",
                                                                                "living-without-abuse")
    stored = db.session.execute(
        select(Indicator.slug, DataValue.area_id, DataValue.value, DataValue.flag, DataValue.sheet, DataValue.cell,
               DataValue.is_current)
        .join(Indicator, DataValue.indicator_id == Indicator.id).where(DataValue.submission_id == submission.id)).all()
    from app.store.reference import by_code
    code_of = {a.id: code for code, a in by_code({area for _, area in expected}).items()}
    got = {(slug, code_of[area]): (cell, value) for slug, area, value, flag, sheet, cell, current in stored
           if sheet == "Appendix 2" and flag == "actual" and current}
    assert got == expected and len(stored) == 63
    # The demo's figures for the same cells (its return's) were replaced, not duplicated.
    demo_still_current = db.session.scalar(select(func.count()).select_from(DataValue).where(
        DataValue.is_current.is_(True), DataValue.submission_id == demo_return.id))
    assert demo_still_current == 0
    original = Path(app.config["UPLOAD_FOLDER"]) / f"{submission.sha256}.xlsx"
    assert original.read_bytes() == saved.getvalue()
    assert held_files(app) == {original.name}  # the held copy is gone
    actions = db.session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)).all()
    assert actions[-3:] == ["upload_previewed", "submission_confirmed", "submission_superseded"]
    detail = text_of(officer.get(confirmed.headers["Location"]))
    assert "Your return is stored as submission" in detail and "Appendix 2!K12 Face to face contacts" in detail


def test_preview_beside_last_period_and_a_warning_needs_a_comment(app, client, demo):
    earlier = filled(data=None, change=lambda wb: wb["_meta"].__setitem__("B5", "2015-08..2015-11"))
    assert import_return(earlier, "aug-nov.xlsx", agency_slug="living-without-abuse").submission is not None

    officer = signed_in(client, LWA_OFFICER)
    later = filled({"C6": 400, "J6": 1095}, change=lambda wb: wb["_meta"].__setitem__("B5", "2016-04..2016-07"))
    page = officer.get(preview_url(upload(officer, later)))
    shown = text_of(page)
    assert "Appendix 2!C6: 400 is far from this agency's earlier figures for 'Helpline calls received' (Blaby): " \
           "the last 2 were 39, 39 (median 39)." in shown
    # Last period (Dec 2015 – Mar 2016) is the demo's seed figure, shown beside this return's.
    assert "Appendix 2!C7 New callers to the helpline Blaby Apr – Jul 2016 49 49" in shown
    assert "Required: say why the figures the warnings point at are right." in shown

    refused = officer.post(page.request.path + "/confirm", data={"comment": "  "})
    assert refused.status_code == 400
    assert "a comment is needed to submit a return with warnings" in text_of(refused)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS + 1

    accepted = officer.post(page.request.path + "/confirm", data={"comment": "A campaign in Blaby doubled calls."})
    assert accepted.status_code == 302
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert submission.comment == "A campaign in Blaby doubled calls."
    assert submission.warnings[0]["cell"] == "C6" and submission.period.key == "2016-04..2016-07"


def test_bad_files_get_a_clear_message_on_the_preview(client, people, sign_in_as):
    officer = sign_in_as("officer")
    for kind, (data, phrase) in bad_files().items():
        page = officer.get(preview_url(upload(officer, data, "returns.xlsx", agency="police")))
        shown = text_of(page)
        assert page.status_code == 200 and phrase in shown, kind
        assert "This return cannot be stored yet" in shown and "Submit the return" not in shown, kind
    rejected = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "submission_rejected"))
    assert rejected == len(bad_files())


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(app, client, people, sign_in_as):
    app.config["MAX_CONTENT_LENGTH"] = 50_000
    response = upload(sign_in_as("officer"), b"x" * 60_000, agency="police")
    assert response.status_code == 413
    assert "The file is too large" in text_of(response)


def test_the_annotated_workbook_marks_each_problem(app, client, demo):
    officer = signed_in(client, LWA_OFFICER)

    def damage(workbook):
        ws = workbook["Appendix 2"]
        ws.delete_rows(12)  # the last row, 'Face to face contacts', is missing
        ws["N2"] = "=SUM(C6:C8)"  # a formula of the officer's own, kept as it was

    data = filled({"C7": "lots", "J6": 735}, change=damage)
    page = officer.get(preview_url(upload(officer, data)))
    link = page.request.path + "/annotated.xlsx"
    assert link.split("/")[-1] in page.data.decode()
    download = officer.get(link)
    assert download.status_code == 200 and "return-problems.xlsx" in download.headers["Content-Disposition"]
    marked = openpyxl.load_workbook(io.BytesIO(download.data))
    assert marked.sheetnames[0] == "Problems"
    assert [c.value for c in marked["Problems"]["A"]][1:] == ["Appendix 2"]
    assert "'Face to face contacts with existing service users' is missing" in marked["Problems"]["C2"].value
    ws = marked["Appendix 2"]
    assert ws["C7"].fill.fgColor.rgb.endswith("FFC7CE") and "'lots' is not a number" in ws["C7"].comment.text
    assert "Total Leics County is 735" in ws["J6"].comment.text
    assert ws["D7"].comment is None and ws["D7"].value == 186 and ws["N2"].value == "=SUM(C6:C8)"
    assert "_meta" in marked.sheetnames and marked["_meta"].sheet_state == "veryHidden"


def test_officers_upload_only_for_their_own_agency(client, demo):
    officer = signed_in(client, LWA_OFFICER)
    form = officer.get("/returns/upload")
    assert b'value="living-without-abuse"' in form.data and b"leicestershire-police" not in form.data
    refused = upload(officer, filled(), agency="leicestershire-police")
    assert refused.status_code == 400
    assert "You can only upload returns for your own agency." in text_of(refused)
    assert not held_files(client.application)
    manager = signed_in(client, MANAGER)
    assert manager.get("/returns/upload").status_code == 403


def test_an_admin_uploads_for_any_agency_and_the_held_upload_is_theirs_alone(client, demo):
    admin = signed_in(client, ADMIN)
    location = preview_url(upload(admin, filled()))
    assert admin.get(location).status_code == 200
    officer = signed_in(client, LWA_OFFICER)
    assert officer.get(location).status_code == 404
    assert officer.post(location + "/confirm", data={"comment": "mine now"}).status_code == 404


@pytest.mark.parametrize("signed_off", ["Dec 2015 - Mar 2016", "2015/16"])
def test_a_signed_off_period_refuses_an_upload(client, demo, signed_off):
    # The return's own period, or a year that contains it (the same rule as the managers' sign-off).
    db.session.add(PeriodSignOff(period=period_row(signed_off), locked=True))
    db.session.commit()
    officer = signed_in(client, LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, filled())))
    assert "This period has been signed off; ask an administrator to unlock it" in text_of(page)
    confirm = officer.post(page.request.path + "/confirm", data={"comment": "please"})
    assert confirm.status_code == 400
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS


def test_a_formula_without_a_saved_result(client, demo):
    officer = signed_in(client, LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, filled({"J6": "=SUM(C6:I6)"}))))
    assert ("Appendix 2!J6: This cell has a formula whose result was not saved with the file, so we cannot read its "
            "value. Open the workbook in Excel or LibreOffice, save it, and upload it again.") in text_of(page)


def test_a_resubmission_supersedes_and_shows_what_changed(app, client, demo):
    officer = signed_in(client, LWA_OFFICER)
    first = officer.get(preview_url(upload(officer, filled())))
    officer.post(first.request.path + "/confirm")
    second = officer.get(preview_url(upload(officer, filled({"C6": 40, "J6": 735, "L7": None}), "corrected.xlsx")))
    assert officer.post(second.request.path + "/confirm").status_code == 302
    demo_return, old, new = db.session.scalars(select(Submission).where(Submission.template.has(slug=APPENDIX_2_SLUG))
                                               .order_by(Submission.id)).all()
    assert (demo_return.status, old.supersedes_id) == ("superseded", demo_return.id)  # the demo's, received in April
    assert (old.status, new.status, new.supersedes_id) == ("superseded", "current", old.id)
    changes = officer.get(f"/returns/submissions/{new.id}/changes")
    shown = text_of(changes)
    assert "Helpline calls received Blaby Dec 2015 – Mar 2016 39 → 40" in shown
    assert "Helpline calls received Leicestershire Dec 2015 – Mar 2016 734 → 735" in shown
    assert shown.count("→") == 2
    assert "Superseded" in text_of(officer.get(f"/returns/submissions/{old.id}"))
    current = db.session.scalars(select(DataValue.submission_id).where(
        DataValue.is_current.is_(True), DataValue.submission_id.in_([demo_return.id, old.id, new.id]))).all()
    assert set(current) == {new.id}
    assert [e for e in db.session.scalars(select(AuditEvent.action))].count("submission_superseded") == 2


def test_who_may_see_a_submission_and_download_its_original(app, client, demo):
    officer = signed_in(client, LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, filled())))
    officer.post(page.request.path + "/confirm")
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    url = f"/returns/submissions/{submission.id}"
    original = officer.get(url + "/original")
    assert original.status_code == 200 and original.data == filled_bytes_of(app, submission)
    assert "Submission" in text_of(officer.get("/returns/"))
    police = signed_in(client, POLICE_OFFICER)
    assert police.get(url).status_code == 403 and police.get(url + "/original").status_code == 403
    assert f"Submission {submission.id}" not in text_of(police.get("/returns/"))
    manager = signed_in(client, MANAGER)
    assert manager.get(url).status_code == 200 and manager.get(url + "/original").status_code == 403
    assert "Download the original file" not in text_of(manager.get(url))
    admin = signed_in(client, ADMIN)
    assert admin.get(url + "/original").status_code == 200


def filled_bytes_of(app, submission) -> bytes:
    return (Path(app.config["UPLOAD_FOLDER"]) / f"{submission.sha256}.xlsx").read_bytes()


def test_an_inserted_row_moved_columns_and_a_renamed_sheet_through_the_web(client, demo):
    def rearrange(workbook):
        ws = workbook["Appendix 2"]
        ws.insert_rows(7)
        ws.insert_cols(3)
        ws.title = "LWA figures"

    officer = signed_in(client, LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, filled(change=rearrange))))
    shown = text_of(page)
    assert "70 figures, 0 warnings, 0 errors" in shown and "LWA figures!D6 Helpline calls received Blaby" in shown
    assert "LWA figures!D8 New callers to the helpline Blaby" in shown



def test_the_cell_that_failed_is_listed_and_highlighted_in_what_we_read(client, demo):
    """Melton's helpline calls typed as 'lots' (G6) is not a figure: the preview's "what we
    read" table lists that cell, in its place among the figures, marked as failed with what
    was typed and why."""
    officer = signed_in(client, LWA_OFFICER)
    page = officer.get(preview_url(upload(officer, filled({"G6": "lots"}))))
    html = page.get_data(as_text=True)
    table = html[html.index("What we read"):html.index("</table>", html.index("What we read"))]
    failed = re.findall(r'<tr class="govuk-table__row app-row--failed"[^>]*>(.*?)</tr>', table, re.S)
    assert len(failed) == 1
    cells = [" ".join(re.sub(r"<[^>]+>", " ", c).split()).replace("&#39;", "'")
             for c in re.findall(r"<td[^>]*>(.*?)</td>", failed[0], re.S)]
    assert cells[:4] == ["Failed Appendix 2!G6", "Helpline calls received", "Melton", "Dec 2015 – Mar 2016"]
    assert cells[4].startswith("'lots' 'lots' is not a number")
    # In its place: after Hinckley & Bosworth's figure (F6), before North West Leicestershire's (H6).
    order = re.findall(r"Appendix 2!([A-Z]+\d+)", table)
    assert order.index("G6") == order.index("F6") + 1 and order.index("H6") == order.index("G6") + 1
    # The figures read are listed as before, unmarked.
    assert "Appendix 2!C6" in table and table.count("app-row--failed") == 1
