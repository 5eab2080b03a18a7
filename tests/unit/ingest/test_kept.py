"""A reading kept (``app.ingest.kept``) and restored is the reading: every figure and target
with its sheet, cell and what it is of, every problem in order, the preview's "what we
read" table (a failed cell's typed text included), and the rows and columns found; for the
older layouts and for the agency's own tables (issue 14's corpus). Under another key, or
damaged, it is not used."""
import pytest

from app.definition import definition_from_json
from app.ingest import kept
from app.ingest.pipeline import ParsedReturn, read_rows
from tests.functional.test_corpus_files import CORPUS, CORPUS_DIR, expected_of
from tests.unit.ingest.returns import LIMITS, Catalogue, filled, parse


def everything(parsed: ParsedReturn) -> dict:
    def figures(values):
        return [(v.sheet, v.cell, v.indicator, v.area, v.period_key, v.measure, v.value, v.flag, v.note,
                 v.row.label, v.slot.header, v.slot.period.label) for v in values]

    return {
        "file": (parsed.filename, parsed.sha256, parsed.size_bytes, parsed.agency_slug, parsed.workbook_read),
        "template": (parsed.template.slug, parsed.template.version) if parsed.template else None,
        "how": parsed.identification, "period": parsed.period, "choices": parsed.choices,
        "problems": [(p.sheet, p.cell, p.message, p.severity, p.header, p.header_kind) for p in parsed.problems],
        "values": figures(parsed.values), "targets": figures(parsed.targets),
        "read": [(r.location, r.row_label, r.column_header, r.period_label, r.typed, r.failed, r.order,
                  r.value is not None) for r in read_rows(parsed, parsed.values[:5])],
        "found": [(plan.name, [(r.spec.indicator, r.area, r.number) for r in plan.found_rows],
                   [(s.key, s.area, s.period_key, s.letters, s.measure) for s in plan.found_slots])
                  for plan in parsed.plans],
    }


def round_trip(parsed: ParsedReturn, catalogue) -> ParsedReturn:
    def candidate_for(slug, version):
        return next((c for c in catalogue.published() if (c.slug, c.version) == (slug, version)), None)

    restored = kept.restore(kept.keep(parsed, "the key"), "the key", candidate_for, LIMITS.max_figure)
    assert restored is not None
    return restored


@pytest.mark.parametrize("values", [{}, {"C6": "lots", "D7": None, "E8": "n/a", "F9": 12.5}])
def test_appendix_2_with_and_without_problems(values):
    parsed = parse(filled(values))
    assert parsed.values and (parsed.problems or not values)
    again = round_trip(parsed, Catalogue())
    assert everything(again) == everything(parsed)
    if values:  # the failed cell shows what was typed there
        assert ("Appendix 2!C6", "lots") in [(r.location, r.typed) for r in read_rows(again, [])]


@pytest.mark.parametrize("name", CORPUS)
def test_each_corpus_return_in_the_agencys_own_tables(name):
    expected = expected_of(name)
    defn = definition_from_json((CORPUS_DIR / f"{name}.template.json").read_text(encoding="utf-8"))
    catalogue = Catalogue([defn])
    parsed = parse((CORPUS_DIR / f"{name}.xlsx").read_bytes(), agency=expected["agency"], period=expected["period"],
                   catalogue=catalogue)
    assert parsed.values
    assert everything(round_trip(parsed, catalogue)) == everything(parsed)


def test_a_reading_under_another_key_or_damaged_is_not_used():
    parsed = parse(filled())
    body = kept.keep(parsed, "made with version 1 and these names")
    catalogue = Catalogue()

    def candidate_for(slug, version):
        return next((c for c in catalogue.published() if (c.slug, c.version) == (slug, version)), None)

    assert kept.restore(body, "made with version 2", candidate_for, LIMITS.max_figure) is None
    assert kept.restore(body[:-20], "made with version 1 and these names", candidate_for, LIMITS.max_figure) is None
    assert kept.restore(b"not gzip", "made with version 1 and these names", candidate_for, LIMITS.max_figure) is None
    # The version it was read with can no longer be read with.
    assert kept.restore(body, "made with version 1 and these names", lambda slug, version: None,
                        LIMITS.max_figure) is None
