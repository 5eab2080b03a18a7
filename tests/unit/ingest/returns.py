"""Filled returns for the upload pipeline's tests: our own blank return with figures typed
in (through openpyxl, as a spreadsheet program would save it), and a catalogue of the demo
templates standing in for the database."""
import io
from datetime import date

import openpyxl

from app.demo.figures import load_seed
from app.definition import TemplateDefinition, expand_fields
from app.demo.templates import demo_definitions
from app.export.blank_return import build_blank_return, field_cells
from app.ingest.identify import TemplateCandidate
from app.ingest.pipeline import ParsedReturn, parse_return
from app.ingest.safety import SafetyLimits
from app.periods import parse_period
from tests.unit.ingest.builders import compound_file, forge_uncompressed_size, rezip, simple_xlsx, xlsx

# A helper module, not a test: it reads the seed figures with the loader the ``seed`` fixture uses.
APPENDIX_2 = load_seed()["leicestershire_da_sv_service_dec2015_mar2016"]
APPENDIX_2_SLUG = "appendix-2-da-sv-outputs"
LWA = "living-without-abuse"
SEED_PERIOD = "Dec 2015 - Mar 2016"
LIMITS = SafetyLimits()


class Catalogue:
    """The demo templates, each published as version 1 (and any extra versions given)."""

    def __init__(self, definitions: list[TemplateDefinition] | None = None, older: dict | None = None):
        self.candidates = [TemplateCandidate(d.slug, d.name, 1, d) for d in (definitions or demo_definitions())]
        self.older = older or {}  # (slug, number) -> definition

    def published(self):
        return self.candidates

    def version(self, slug, number):
        defn = self.older.get((slug, number))
        return TemplateCandidate(slug, defn.name, number, defn) if defn else None


def definition(slug: str) -> TemplateDefinition:
    return next(d for d in demo_definitions() if d.slug == slug)


def blank(slug: str = APPENDIX_2_SLUG, period: str = SEED_PERIOD, agency: str = LWA, previous=None) -> bytes:
    defn = definition(slug)
    return build_blank_return(defn, template_version=1, agency_slug=agency, agency_name="Living Without Abuse",
                              period=parse_period(period), due_date=date(2016, 4, 28), previous_values=previous,
                              generated_at=None)


def cells_of(slug: str = APPENDIX_2_SLUG, period: str = SEED_PERIOD) -> dict[str, tuple[str, str]]:
    """Field id → (sheet, cell) in our blank return."""
    defn = definition(slug)
    return field_cells(defn, expand_fields(defn, parse_period(period)))


def seed_cells() -> dict[str, float]:
    """Appendix 2's cells (C6…) → the seed figures, the LLR target included."""
    defn = definition(APPENDIX_2_SLUG)
    fields = expand_fields(defn, parse_period(SEED_PERIOD))
    positions = field_cells(defn, fields)
    rows = list(APPENDIX_2["rows"].values())
    return {positions[f.id][1]: rows[f.row_index][f.column_index] for f in fields if f.column_key != "note"}


def edit(data: bytes, change) -> bytes:
    """Open the workbook with openpyxl, let ``change(workbook)`` edit it, save it."""
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    change(workbook)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def without_record(data: bytes) -> bytes:
    """The workbook with the blank return's record of itself removed."""
    def strip(workbook):
        del workbook["_meta"]
        for name in list(workbook.defined_names):
            del workbook.defined_names[name]
    return edit(data, strip)


def filled(values: dict[str, object] | None = None, sheet: str = "Appendix 2", data: bytes | None = None,
           change=None) -> bytes:
    """The Appendix 2 blank return with the seed figures, ``values`` typed over them (None
    clears a cell), then ``change(workbook)``."""
    typed = {**seed_cells(), **(values or {})}

    def fill(workbook):
        ws = workbook[sheet]
        for ref, value in typed.items():
            ws[ref] = value
        if change:
            change(workbook)

    return edit(data or blank(), fill)


def parse(data: bytes, agency: str = LWA, period: str | None = None, template: str | None = None,
          catalogue=None, history=None) -> ParsedReturn:
    return parse_return(data, "return.xlsx", agency_slug=agency, catalogue=catalogue or Catalogue(), limits=LIMITS,
                        period_text=period, template_slug=template, history=history)


def figures(parsed: ParsedReturn) -> dict[str, tuple]:
    """Uploaded cell → (value, flag, note)."""
    return {v.cell: (v.value, v.flag, v.note) for v in parsed.values + parsed.targets}


def messages(parsed: ParsedReturn, severity: str | None = None) -> list[str]:
    return [str(p) for p in parsed.problems if severity is None or p.severity == severity]


def bad_files() -> dict[str, tuple[bytes, str]]:
    """Bad uploads built in code, with a phrase of the message each must get."""
    good = simple_xlsx()
    return {
        "empty": (b"", "is empty (0 bytes)"),
        "csv": (b"Area,Calls\nBlaby,39\n", "is a CSV or text file"),
        "legacy xls": (compound_file({"Workbook": b"\x09\x08" * 100}), "older Excel 97-2003 workbook (.xls)"),
        "password": (compound_file({"EncryptionInfo": b"\x04\x00", "EncryptedPackage": b"x" * 64}),
                     "save it as Excel Workbook (.xlsx) without a password"),
        "macros": (rezip(good, add={"xl/vbaProject.bin": b"\x00" * 64}), "contains macros"),
        "picture": (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "is a picture (PNG image)"),
        "truncated": (good[: len(good) // 2], "incomplete or damaged"),
        "zip bomb": (forge_uncompressed_size(good, "xl/worksheets/sheet1.xml", 300 * 1024 * 1024),
                     "which no genuine return does"),
        "zip of other things": (rezip(good, remove={"xl/workbook.xml"}), "is a zip archive, not an Excel workbook"),
        "not a return": (xlsx(lambda wb: wb.add_worksheet("Notes").write_string("A1", "Minutes")),
                         "We could not tell which return this is"),
    }
