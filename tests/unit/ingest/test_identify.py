"""Identification by fingerprint: a clear winner wins, a near-tie asks, and more templates
with other labels change nothing."""
from dataclasses import replace

from app.definition import RowSpec, SheetLayout, TemplateDefinition
from app.demo.templates import demo_definitions
from app.ingest.identify import FINGERPRINT_THRESHOLD, TIE_MARGIN
from tests.unit.ingest.builders import xlsx
from tests.unit.ingest.returns import LWA, Catalogue, blank, messages, parse, without_record

LABELS = [f"Referrals from source {n}" for n in range(1, 13)]
# A demo seed return of each template, and the period it is for.
SEED_PERIODS = {
    "appendix-2-da-sv-outputs": "Dec 2015 - Mar 2016",
    "table-2-da-sv-outcomes": "Dec 2015 - Mar 2016",
    "cambridgeshire-da-quarterly": "2015/16 Q4",
    "rotherham-table-4": "Oct 2017",
    "dhr-budget-return": "2016/17",
}


def label_template(slug: str, name: str, labels: list[str], sheet: str = "Outputs") -> TemplateDefinition:
    rows = [RowSpec(label=label, indicator=f"indicator-{i}") for i, label in enumerate(labels)]
    return TemplateDefinition(slug=slug, name=name, frequency="span", agencies=[LWA], sheets=[
        SheetLayout(name=sheet, layout="label_value", rows=rows, default_area="LC")])


def label_workbook(labels: list[str], sheet: str = "Outputs") -> bytes:
    def build(workbook):
        ws = workbook.add_worksheet(sheet)
        ws.write("A1", "Label")
        ws.write("B1", "Value")
        for i, label in enumerate(labels, start=2):
            ws.write(f"A{i}", label)
            ws.write(f"B{i}", i)
    return xlsx(build)


def test_the_tie_rule_numbers():
    assert FINGERPRINT_THRESHOLD == 0.6
    assert TIE_MARGIN == 0.1


def test_two_templates_differing_in_one_row_ask_the_officer_with_reasons():
    outputs = label_template("outputs", "Service outputs", LABELS)
    outputs_b = label_template("outputs-b", "Service outputs (new format)", LABELS[:-1] + ["Self-referrals"])
    parsed = parse(label_workbook(LABELS), period="Dec 2015 - Mar 2016", catalogue=Catalogue([outputs, outputs_b]))
    assert parsed.template is None and parsed.values == [] and not parsed.accepted
    assert [(c.slug, c.name, c.reason) for c in parsed.choices] == [
        ("outputs", "Service outputs", "matches 12 of 12 row labels on sheet 'Outputs'"),
        ("outputs-b", "Service outputs (new format)", "matches 11 of 12 row labels on sheet 'Outputs'"),
    ]
    assert messages(parsed) == [
        "File: This file could be either of these returns: 'Service outputs' (matches 12 of 12 row labels on sheet "
        "'Outputs'); 'Service outputs (new format)' (matches 11 of 12 row labels on sheet 'Outputs'). Nothing in it "
        "says which, so it was not read: choose the template it is (or use --template)."]
    assert parsed.template_line() == "not recognised: it could be any of 2 templates"


def test_the_officers_choice_reads_the_near_tie():
    outputs = label_template("outputs", "Service outputs", LABELS)
    outputs_b = label_template("outputs-b", "Service outputs (new format)", LABELS[:-1] + ["Self-referrals"])
    parsed = parse(label_workbook(LABELS), period="Dec 2015 - Mar 2016", template="outputs-b",
                   catalogue=Catalogue([outputs, outputs_b]))
    assert parsed.choices == [] and parsed.identification.how == "chosen"
    assert parsed.template.slug == "outputs-b"


def test_a_clear_winner_still_wins():
    outputs = label_template("outputs", "Service outputs", LABELS)
    other = label_template("outputs-b", "Service outputs (new format)", LABELS[:-3] + ["A", "B", "C"])
    parsed = parse(label_workbook(LABELS), period="Dec 2015 - Mar 2016", catalogue=Catalogue([outputs, other]))
    assert parsed.choices == []
    assert parsed.identification.how == "fingerprint" and parsed.template.slug == "outputs"
    assert len(parsed.values) == 12


def test_a_sheet_named_otherwise_is_said_in_the_reason():
    outputs = label_template("outputs", "Service outputs", LABELS)
    twin = label_template("twin", "Twin outputs", LABELS, sheet="Figures")
    parsed = parse(label_workbook(LABELS), period="Dec 2015 - Mar 2016", catalogue=Catalogue([outputs, twin]))
    assert [c.reason for c in parsed.choices] == [
        "matches 12 of 12 row labels on sheet 'Outputs'",
        "matches 12 of 12 row labels of sheet 'Figures' (no sheet has that name)"]


def test_a_near_tie_with_a_template_the_agency_does_not_submit_is_no_tie():
    outputs = label_template("outputs", "Service outputs", LABELS)
    police = replace(label_template("police-outputs", "Police outputs", LABELS), agencies=["leicestershire-police"])
    parsed = parse(label_workbook(LABELS), period="Dec 2015 - Mar 2016", catalogue=Catalogue([outputs, police]))
    assert parsed.choices == [] and parsed.template.slug == "outputs"


def test_no_good_candidate_keeps_the_message():
    parsed = parse(label_workbook(["Something else", "And another"]), period="Dec 2015 - Mar 2016",
                   catalogue=Catalogue([label_template("outputs", "Service outputs", LABELS)]))
    assert parsed.choices == []
    assert messages(parsed)[0].startswith("File: We could not tell which return this is")


def generated(count: int) -> list[TemplateDefinition]:
    """Templates like the demo ones (the same sheet names and layouts, a third of the row
    labels in common), each with labels of its own."""
    out = []
    demos = demo_definitions()
    for n in range(count):
        defn = demos[n % len(demos)]
        sheets = []
        for sheet in defn.sheets:
            keep = len(sheet.rows) // 3
            rows = [row if i < keep else replace(row, label=f"{row.label} (scheme {n})", aliases=[])
                    for i, row in enumerate(sheet.rows)]
            sheets.append(replace(sheet, rows=rows))
        out.append(replace(defn, slug=f"generated-{n}", name=f"Generated return {n}", sheets=sheets))
    return out


def identified(catalogue: Catalogue) -> dict[str, str | None]:
    out = {}
    for slug, period in SEED_PERIODS.items():
        parsed = parse(without_record(blank(slug, period)), period=period, catalogue=catalogue)
        assert parsed.choices == [], slug
        out[slug] = parsed.template.slug if parsed.template else None
    return out


def test_ten_more_templates_change_nothing():
    before = identified(Catalogue())
    assert before == {slug: slug for slug in SEED_PERIODS}
    assert identified(Catalogue(demo_definitions() + generated(10))) == before
