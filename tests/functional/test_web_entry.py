"""Issue 17, "Enter a return in the browser", through the pages an officer uses: the blank
return as a web form, drafts, the same checks, preview, supersession and provenance as an
upload; and the figures stored are the upload's, value by value."""
import io
import re

import openpyxl
import pytest
from hypothesis import HealthCheck, Phase, example, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from app.definition import expand_fields
from app.export.blank_return import field_cells
from app.extensions import db
from app.models import Area, DataValue, EntryDraft, Indicator, Period, Submission
from app.periods import parse_period
from app.services.return_templates import definition_of, template_by_slug
from tests.conftest import DEMO_LWA_OFFICER as LWA_OFFICER, DEMO_POLICE_OFFICER as POLICE_OFFICER, signed_in
from tests.conftest import DEMO_SUBMISSIONS
from tests.unit.ingest.returns import APPENDIX_2, APPENDIX_2_SLUG, LWA, SEED_PERIOD

ENTRY = f"/returns/enter/{APPENDIX_2_SLUG}/{LWA}/2015-12..2016-03"  # the period Dec 2015 - Mar 2016


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.data.decode()).split()).replace("&#39;", "'").replace("&amp;", "&")


def fields_and_cells():
    defn = definition_of(template_by_slug(APPENDIX_2_SLUG).published_version)
    fields = [f for f in expand_fields(defn, parse_period(SEED_PERIOD)) if f.is_entered]
    return fields, field_cells(defn, fields)


def form_names(html: str) -> dict[str, str]:
    """The form's field names by their label text (as the officer reads them)."""
    names = {}
    for name, label in re.findall(r'<label class="govuk-label" for="(cell_\d+)">\s*(.*?)\s*</label>', html, re.S):
        names[" ".join(label.replace("&#39;", "'").replace("&amp;", "&").split())] = name
    return names


def entries() -> dict[str, object]:
    """Cell → what the officer types: the seed figures of Appendix 2, one of them an
    estimate, and a note on one row."""
    _, cells = fields_and_cells()
    rows = list(APPENDIX_2["rows"].values())
    fields, _ = fields_and_cells()
    typed = {}
    for f in fields:
        if f.column_key == "note":
            continue
        typed[cells[f.id][1]] = rows[f.row_index][f.column_index]
    typed["C6"] = "39 (estimate)"
    typed["M6"] = "Blaby's calls estimated from the phone log"
    return typed


def web_form_data(html: str, typed: dict[str, object]) -> dict[str, str]:
    """What the officer posts: each typed cell's text in the form field for that cell."""
    fields, cells = fields_and_cells()
    by_cell = {cells[f.id][1]: f for f in fields}
    position = {f.id: n for n, f in enumerate(fields)}
    data = {}
    for cell, text in typed.items():
        name = f"cell_{position[by_cell[cell].id]}"
        assert f'name="{name}"' in html, f"no field for {cell}"
        data[name] = str(text)
    return data


def stored_figures(submission_id: int) -> list[tuple]:
    return sorted(db.session.execute(
        select(Indicator.slug, Area.code, Period.key, DataValue.value, DataValue.flag, DataValue.note,
               DataValue.sheet, DataValue.cell)
        .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
        .join(Period, DataValue.period_id == Period.id).where(DataValue.submission_id == submission_id)).all())


def test_a_return_entered_in_the_browser_stores_the_same_figures_as_the_blank_return_uploaded(app, client, demo):
    officer = signed_in(client, LWA_OFFICER)
    start = officer.get("/")
    assert f'href="{ENTRY}"' in start.data.decode()
    assert "Enter it in the browser" in text_of(start)
    form = officer.get(ENTRY)
    assert form.status_code == 200
    page = text_of(form)
    # Names, never slugs: the indicator's and the area's, and last period's figure beside.
    names = form_names(form.data.decode())
    assert "Helpline calls received, Blaby" in names and "Note on Helpline calls received" in names
    assert "helpline-calls-received" not in page and APPENDIX_2_SLUG not in page
    assert "Whole number, required. Last period (Aug – Nov 2015): none stored." in page

    typed = entries()
    checked = officer.post(ENTRY, data={**web_form_data(form.data.decode(), typed), "check": "Check the return"})
    assert checked.status_code == 302, text_of(checked)[:3000]
    preview = officer.get(checked.headers["Location"])
    assert preview.status_code == 200
    shown = text_of(preview)
    assert "70 figures, 0 warnings, 0 errors" in shown and "Entered in the browser" in shown
    # It replaces the Appendix 2 the demo recorded as received on 25 April 2016; nothing is stored before confirming.
    demo_return = db.session.scalar(select(Submission).where(Submission.source == "demo",
                                                            Submission.template.has(slug=APPENDIX_2_SLUG)))
    assert (f"Submitting this replaces the return {demo_return.agency.name} already sent for Dec 2015 – Mar 2016 "
            f"(submission {demo_return.id}, ") in shown and "received 25 April 2016" in shown
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS
    confirmed = officer.post(checked.headers["Location"] + "/confirm", data={"comment": ""})
    assert confirmed.status_code == 302, text_of(confirmed)[:3000]
    entered = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert entered.supersedes_id == demo_return.id
    assert (entered.source, entered.filename, entered.status) == ("web", "Entered in the browser", "current")
    assert db.session.scalar(select(func.count()).select_from(EntryDraft)) == 0  # the draft is done with
    assert "Entered in the browser by" in text_of(officer.get(confirmed.headers["Location"]))

    # The same figures typed into the blank return, uploaded and confirmed.
    blank = officer.get(f"/templates/{APPENDIX_2_SLUG}/blank?agency={LWA}&period={SEED_PERIOD}")
    workbook = openpyxl.load_workbook(io.BytesIO(blank.data))
    for cell, value in typed.items():
        workbook["Appendix 2"][cell] = value
    saved = io.BytesIO()
    workbook.save(saved)
    held = officer.post("/returns/upload", data={"file": (io.BytesIO(saved.getvalue()), "appendix-2.xlsx"),
                                                 "agency": LWA}, content_type="multipart/form-data")
    assert held.status_code == 302, text_of(held)[:2000]
    upload_preview = text_of(officer.get(held.headers["Location"]))
    assert f"Submitting this replaces the return {entered.agency.name} already sent for Dec 2015 – Mar 2016 " \
           f"(submission {entered.id}, Entered in the browser" in upload_preview
    assert "No figures or targets change" in upload_preview
    stored = officer.post(held.headers["Location"] + "/confirm", data={"comment": ""})
    assert stored.status_code == 302
    uploaded = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert uploaded.id != entered.id and uploaded.source is None and uploaded.supersedes_id == entered.id

    from_the_web, from_the_file = stored_figures(entered.id), stored_figures(uploaded.id)
    assert len(from_the_web) == 63  # 7 rows × 9 areas; the 7 LLR targets are stored as targets
    assert from_the_web == from_the_file
    blaby = next(f for f in from_the_web if f[:2] == ("helpline-calls", "B"))
    assert blaby[3:] == (39.0, "estimate", "Blaby's calls estimated from the phone log", "Appendix 2", "C6")


def post_entry(officer, typed: dict[str, object], button: str = "check"):
    form = officer.get(ENTRY)
    return officer.post(ENTRY, data={**web_form_data(form.data.decode(), typed), button: "yes"})


def test_a_draft_is_saved_shown_on_the_start_page_reopened_finished_and_stored(app, client, demo):
    officer = signed_in(client, LWA_OFFICER)
    typed = entries()
    first_half = {cell: text for cell, text in typed.items() if cell[1:] in ("6", "7", "8")}
    saved = post_entry(officer, first_half, "save")
    assert saved.status_code == 302 and saved.headers["Location"].endswith(ENTRY)
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS
    draft = db.session.scalar(select(EntryDraft))
    assert len(draft.entries) == len(first_half) and draft.saved_by.email == LWA_OFFICER[0]

    start = text_of(officer.get("/"))
    assert "Finish the draft saved" in start
    reopened = officer.get(ENTRY)
    assert "A draft of this return was saved on" in text_of(reopened)
    html = reopened.data.decode()
    for name, text in web_form_data(html, first_half).items():
        assert re.search(rf'name="{name}"[^>]*value="{re.escape(text).replace("&", "&amp;")}"'.replace("'", "&#39;"),
                         html) or f">{text.replace(chr(39), '&#39;')}</textarea>" in html, (name, text)

    # Finished: the rest typed, the first half posted again as the reopened form holds it.
    checked = post_entry(officer, typed)
    assert checked.status_code == 302, text_of(checked)[:3000]
    stored = officer.post(checked.headers["Location"] + "/confirm", data={"comment": ""})
    assert stored.status_code == 302
    submission = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    assert len(stored_figures(submission.id)) == 63 and submission.source == "web"
    assert db.session.scalar(select(func.count()).select_from(EntryDraft)) == 0
    assert "Finish the draft saved" not in text_of(officer.get("/"))


@pytest.mark.parametrize(("cell", "text", "words"), [
    ("D6", "twelve", "Helpline calls received, Charnwood: 'twelve' is not a number."),
    ("D6", "-5", "Helpline calls received, Charnwood: -5 is less than 0, the lowest figure allowed"),
    ("J7", "999", "New callers to the helpline, Leicestershire: Total Leics County is 999, but Blaby, "
                  "Charnwood, Harborough, Hinckley & Bosworth, Melton, North West Leicestershire and Oadby & Wigston "
                  "(C7:I7) add up to 635."),
])
def test_a_bad_field_comes_back_named_in_plain_words_and_nothing_is_stored(app, client, demo, cell, text, words):
    officer = signed_in(client, LWA_OFFICER)
    typed = {**entries(), cell: text}
    refused = post_entry(officer, typed)
    assert refused.status_code == 400
    shown = text_of(refused)
    assert shown.count(words) == 2, shown[shown.find("There is a problem"):][:800]  # the summary, and beside the field
    assert 'class="govuk-error-message"' in refused.data.decode()
    assert "This return cannot be stored yet: correct this problem and check it again." in shown
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS
    # Only the figures of the returns the demo recorded are stored (63 + 10 + 4).
    stored = select(func.count()).select_from(DataValue).where(DataValue.submission_id.isnot(None))
    assert db.session.scalar(stored) == 63 + 10 + 4
    assert db.session.scalar(select(EntryDraft)).entries[fields_and_cells()[0][0].id] == "39 (estimate)"


def enter_and_store(officer, typed: dict[str, object], comment: str = "") -> Submission:
    checked = post_entry(officer, typed)
    assert checked.status_code == 302, text_of(checked)[:3000]
    stored = officer.post(checked.headers["Location"] + "/confirm", data={"comment": comment})
    assert stored.status_code == 302, text_of(stored)[:3000]
    return db.session.scalar(select(Submission).order_by(Submission.id.desc()))


def test_a_second_entry_for_the_period_shows_what_it_replaces_and_changes_then_supersedes_it(app, client, demo):
    officer = signed_in(client, LWA_OFFICER)
    first = enter_and_store(officer, entries())

    corrected = {**entries(), "D7": 190, "J7": 639}  # Charnwood's new callers, and the county total with them
    checked = post_entry(officer, corrected)
    preview = text_of(officer.get(checked.headers["Location"]))
    assert (f"Submitting this replaces the return {first.agency.name} already sent for Dec 2015 – Mar 2016 "
            f"(submission {first.id}, Entered in the browser") in preview
    assert "What submitting it changes (2 figures)" in preview
    assert "New callers to the helpline Charnwood Dec 2015 – Mar 2016 186 → 190" in preview
    assert "New callers to the helpline Leicestershire Dec 2015 – Mar 2016 635 → 639" in preview

    stored = officer.post(checked.headers["Location"] + "/confirm", data={"comment": "Charnwood corrected"})
    assert stored.status_code == 302
    second = db.session.scalar(select(Submission).order_by(Submission.id.desc()))
    db.session.refresh(first)
    assert (second.supersedes_id, second.status, first.status, second.source) == (first.id, "current", "superseded",
                                                                                  "web")
    current = db.session.execute(select(DataValue.value, DataValue.submission_id).where(
        DataValue.is_current.is_(True), DataValue.sheet == "Appendix 2", DataValue.cell == "D7")).all()
    assert current == [(190.0, second.id)]


def test_an_officer_enters_only_their_own_agencys_returns(app, client, demo):
    lwa = signed_in(client, LWA_OFFICER)
    checked = post_entry(lwa, entries())
    draft_page = checked.headers["Location"]
    police = signed_in(client, POLICE_OFFICER)
    assert police.get(ENTRY).status_code == 403
    assert police.post(ENTRY, data={"check": "yes"}).status_code == 403
    assert police.get(draft_page).status_code == 403
    assert police.post(draft_page + "/confirm", data={"comment": ""}).status_code == 403
    assert police.get("/returns/entries/999999").status_code == 404
    assert police.get("/returns/enter/nothing/leicestershire-police/2015/16").status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Submission)) == DEMO_SUBMISSIONS


ODD_TEXTS = ["", " ", "-", "0", "-0", "1e308", "NaN", "inf", "9" * 400, "1,400 (estimate)", "N/A", "N/A - none",
             "£1e308", "(1,589)", "75%", "31/02/2016", "=SUM(A1:A9)", "=cmd|' /C calc'!A0", "½", "١٢٣", "x" * 201,
             "x" * 2001, "\u202e\u200b", "tbc", "est. 12", "12 (provisional)", "12*", "<script>alert(1)</script>"]


def test_any_text_in_every_field_is_answered_without_a_500(app, client, demo):
    """Hypothesis types anything at all into every field of the form (figures and notes),
    then checks or saves it; every answer is the form again (400, naming what is wrong) or
    the preview, which answers too, and a confirmation of it stores or says why not."""
    officer = signed_in(client, LWA_OFFICER)
    names = re.findall(r'name="(cell_\d+)"', officer.get(ENTRY).data.decode())
    assert len(names) == 77
    texts = st.one_of(st.text(max_size=40), st.sampled_from(ODD_TEXTS),
                      st.integers(-(10**20), 10**20).map(str), st.floats().map(repr))

    @settings(max_examples=12, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    @given(typed=st.fixed_dictionaries({name: texts for name in names}), button=st.sampled_from(["check", "save"]))
    @example(typed={name: "0" for name in names}, button="check")  # accepted: the preview and the confirmation
    def run(typed, button):
        response = officer.post(ENTRY, data={**typed, button: "yes"})
        assert response.status_code in (302, 400), (response.status_code, typed)
        assert b"Traceback" not in response.data
        if response.status_code == 302 and button == "check":
            preview = officer.get(response.headers["Location"])
            assert preview.status_code == 200, typed
            confirmed = officer.post(response.headers["Location"] + "/confirm", data={"comment": "fuzz"})
            assert confirmed.status_code in (302, 400), typed
            stored.append(confirmed.status_code == 302)
        db.session.rollback()

    stored: list[bool] = []
    run()
    assert True in stored  # the all-zero return went all the way
