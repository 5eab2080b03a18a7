"""A template in the "tables" layout reads an agency's own spreadsheet: there is no blank
return to download, and its sheets are corrected on the proposal page, not the sheet form."""
from tests.conftest import DEMO_ADMIN, signed_in
from tests.functional.test_corpus import add_corpus_indicators, load_template

SLUG = "corpus-police-crime-change"


def test_there_is_no_blank_return_for_an_agencys_own_spreadsheet(runner, tmp_path, demo):
    add_corpus_indicators()
    load_template(runner, "police_crime_change")
    result = runner.invoke(args=["returns", "blank", SLUG, "--agency", "leicestershire-police", "--period", "2015/16",
                                 "-o", str(tmp_path / "blank.xlsx")])
    assert result.exit_code == 1
    assert "This template reads the agency's own spreadsheet, so there is no blank return to download." in result.output
    assert not (tmp_path / "blank.xlsx").exists()


def test_its_sheet_is_corrected_on_the_proposal_page_and_the_sheet_form_offers_no_tables_layout(
        runner, client, demo):
    add_corpus_indicators()
    load_template(runner, "police_crime_change")
    signed_in(client, DEMO_ADMIN)
    response = client.get(f"/templates/{SLUG}/sheets/0")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/templates/{SLUG}/proposal")
    form = client.get(f"/templates/{SLUG}/sheets/new")
    assert form.status_code == 200 and "indicator rows × area columns".encode() in form.data
    assert b"the agency&#39;s own tables" not in form.data and b"the agency's own tables" not in form.data
