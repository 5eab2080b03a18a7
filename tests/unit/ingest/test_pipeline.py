"""The whole pipeline: which template, agency and period; files that cannot be read."""
from app.demo.templates import demo_definitions
from tests.unit.ingest.builders import simple_xlsx
from tests.unit.ingest.returns import (
    APPENDIX_2_SLUG, LWA, Catalogue, blank, definition, edit, figures, filled, messages, parse, without_record,
)


def test_the_blank_returns_record_names_template_version_agency_and_period():
    parsed = parse(filled())
    assert parsed.accepted
    assert parsed.template_line() == (
        "Domestic Abuse & Sexual Violence Support Service: output indicators (appendix-2-da-sv-outputs), version 1, "
        "recognised from the workbook's own record of its template")
    assert parsed.period.key == "2015-12..2016-03"
    assert parsed.summary_lines()[-1] == "70 values, 0 warnings, 0 errors"


def test_without_the_record_the_template_is_recognised_by_its_labels():
    parsed = parse(without_record(filled()), period="Dec 2015 - Mar 2016")
    assert messages(parsed) == []
    assert parsed.identification.how == "fingerprint"
    assert parsed.template_line().endswith("recognised by its sheet names and row labels (100% of them found)")


def test_without_the_record_the_period_must_be_given():
    parsed = parse(without_record(filled()))
    assert messages(parsed) == ["File: Say which period this return is for (for example '2015/16 Q4' or 'Dec 2015 - "
                                "Mar 2016'): the workbook does not record it."]


def test_a_workbook_matching_no_template_asks_for_one_and_the_choice_is_used():
    data = simple_xlsx({"A1": "Our figures", "B1": 3})
    assert messages(parse(data, period="2016/17")) == [
        "File: We could not tell which return this is: it does not carry the record the blank return has, and its "
        "sheets and row labels do not match any template closely enough. Choose the template when you upload it (or "
        "use --template), or copy your figures into the blank return."]
    chosen = parse(without_record(filled()), period="Dec 2015 - Mar 2016", template=APPENDIX_2_SLUG)
    assert chosen.accepted and chosen.identification.how == "chosen"
    assert chosen.template_line().endswith("as chosen for this upload")


def test_a_choice_that_contradicts_the_record_is_an_error():
    parsed = parse(filled(), template="table-2-da-sv-outcomes")
    assert messages(parsed) == [
        "File: This workbook is the return for template 'appendix-2-da-sv-outputs', not 'Domestic Abuse & Sexual "
        "Violence Support Service: outcome measures' as chosen. Upload the right file, or choose that template."]


def test_a_record_naming_a_template_that_is_not_published():
    catalogue = Catalogue([d for d in demo_definitions() if d.slug != APPENDIX_2_SLUG])
    assert messages(parse(filled(), catalogue=catalogue)) == [
        "File: This workbook is the return for template 'appendix-2-da-sv-outputs', which is not a published "
        "template here. Download the current blank return and copy your figures into it."]


def test_another_agencys_return_is_refused():
    parsed = parse(filled(), agency="leicestershire-police")
    assert messages(parsed, "error") == [
        "File: This workbook is the return of agency 'living-without-abuse', but it is being uploaded for "
        "'leicestershire-police'. Upload your own agency's return, downloaded from Safer Returns for your agency.",
        "File: Agency 'leicestershire-police' does not submit 'Domestic Abuse & Sexual Violence Support Service: "
        "output indicators'. Check that you chose the right agency and file.",
    ]
    assert not parsed.accepted


def test_a_period_disagreeing_with_the_record_is_refused():
    parsed = parse(filled(), period="Apr 2016 - Jul 2016")
    assert messages(parsed) == [
        "File: This workbook is the return for Dec 2015 – Mar 2016, but it is being uploaded for Apr – Jul 2016. "
        "Upload the return for Apr – Jul 2016, or choose Dec 2015 – Mar 2016."]
    assert parse(filled(), period="December 2015 to March 2016").accepted  # the same period, written differently


def test_an_unreadable_period_and_one_that_does_not_suit_the_template():
    assert messages(parse(without_record(filled()), period="sometime"))[0].startswith("File: ")
    quarterly = blank("cambridgeshire-da-quarterly", "2016/17 Q2", "cambridgeshire-idva")
    parsed = parse(without_record(quarterly), agency="cambridgeshire-idva", period="2016/17")
    assert messages(parsed) == ["File: 'Cambridgeshire domestic abuse strategy: quarterly management information' is a "
                                "quarterly return: choose a quarter such as '2015/16 Q4', not '2016/17'."]


def test_the_version_the_workbook_was_made_from_is_used_when_it_was_published():
    older = definition(APPENDIX_2_SLUG)
    older.sheets[0].rows[0].label = "Calls to the helpline"  # version 1 had another label
    newer = Catalogue([definition(APPENDIX_2_SLUG)], older={(APPENDIX_2_SLUG, 1): older})
    newer.candidates[0] = newer.candidates[0].__class__(APPENDIX_2_SLUG, "Appendix 2", 2, definition(APPENDIX_2_SLUG))
    data = filled(change=lambda wb: wb["Appendix 2"].__setitem__("A6", "Calls to the helpline"))
    parsed = parse(data, catalogue=newer)
    assert parsed.template.version == 1 and parsed.accepted


def test_a_workbook_from_an_unpublished_version_is_read_with_the_current_one():
    data = edit(filled(), lambda wb: wb["_meta"].__setitem__("B3", "7"))
    parsed = parse(data)
    assert parsed.template.version == 1 and parsed.accepted
    assert messages(parsed) == [
        "File: This workbook was made from version 7 of 'Domestic Abuse & Sexual Violence Support Service: output "
        "indicators', which was never published; it was read with version 1, the current one."]


def test_a_file_that_is_not_a_workbook_gives_one_clear_problem():
    parsed = parse(b"Area,Calls\nBlaby,39\n")
    assert messages(parsed) == [
        "File: 'return.xlsx' is a CSV or text file, not an Excel workbook, whatever its name says. Copy your figures "
        "into the blank return we sent you, save it as Excel Workbook (.xlsx) and upload that."]
    assert not parsed.accepted and parsed.template is None
    assert parsed.summary_lines()[0] == "Template: not recognised"


def test_every_problem_is_collected_before_answering():
    parsed = parse(filled({"C6": "lots", "D7": None, "J8": 1}), agency="leicestershire-police")
    assert len(parsed.errors) == 5  # the agency twice, a word, a blank, a total
    assert figures(parsed)["E6"][0] == 58  # the rest is still read


def test_a_template_without_agencies_accepts_any():
    open_to_all = definition(APPENDIX_2_SLUG)
    open_to_all.agencies = []
    parsed = parse(filled(), agency=LWA, catalogue=Catalogue([open_to_all]))
    assert parsed.accepted
