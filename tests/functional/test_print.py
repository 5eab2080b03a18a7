"""Issue 18, "A board pack that prints": the demo's full and public workbooks and its
report (.docx), written by ``flask dashboard export`` and ``flask dashboard report``, are
rendered by LibreOffice to PDF once for this module and read page by page with
pdfplumber: no text under 9 pt, no cell printing a run of #, every sheet's repeated
header on each of its pages, and a figure stored for the latest period on the Dashboard
sheet and in the report."""
import re
import shutil
import subprocess
import warnings

import openpyxl
import pdfplumber
import pytest
from docx import Document
from sqlalchemy import select

from app import create_app
from app.extensions import db
from app.models import Area, DataValue, Indicator, Period
from tests.conftest import empty_tables, make_config
from tests.dashboard_sheet import dashboard_rows

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice is not installed (make test installs it)")
SMALLEST = 9.0
TOLERANCE = 0.05  # points: a PDF's text sizes are rounded
HASH_RUN = re.compile(r"#{2,}")
FILES = {"full": "dashboard.xlsx", "public": "dashboard_public.xlsx", "report": "report.docx"}


@pytest.fixture(scope="module")
def rendered(database_url, migrated, tmp_path_factory):
    """The three files, their PDFs (pdfplumber pages' words and text) and the latest
    period's stored figure of Rotherham's "Domestic Crimes"."""
    folder = tmp_path_factory.mktemp("print")
    app = create_app(make_config(database_url, folder))
    with app.app_context():
        runner = app.test_cli_runner()
        assert runner.invoke(args=["demo", "load"]).exit_code == 0
        commands = {"full": ["dashboard", "export"], "public": ["dashboard", "export", "--public"],
                    "report": ["dashboard", "report"]}
        for key, args in commands.items():
            result = runner.invoke(args=[*args, "-o", str(folder / FILES[key])])
            assert result.exit_code == 0, result.output
        stored = db.session.execute(
            select(DataValue.value, Period.label)
            .join(Indicator, DataValue.indicator_id == Indicator.id).join(Area, DataValue.area_id == Area.id)
            .join(Period, DataValue.period_id == Period.id)
            .where(Indicator.name == "Domestic Crimes", Area.code == "ROTH", DataValue.is_current.is_(True))
            .order_by(Period.end_date.desc(), Period.start_date)).first()
        subprocess.run(["soffice", f"-env:UserInstallation=file://{folder / 'profile'}", "--headless",
                        "--convert-to", "pdf", "--outdir", str(folder / "pdf"),
                        *(str(folder / name) for name in FILES.values())],
                       check=True, capture_output=True, timeout=300)
        pages = {}
        for key, name in FILES.items():
            with pdfplumber.open(folder / "pdf" / (name.rsplit(".", 1)[0] + ".pdf")) as pdf:
                pages[key] = [(page.extract_words(extra_attrs=["size"]), page.extract_text() or "", page.height)
                              for page in pdf.pages]
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Sparkline Group extension", UserWarning)
            books = {key: openpyxl.load_workbook(folder / FILES[key]) for key in ("full", "public")}
        yield {"folder": folder, "pages": pages, "books": books, "stored": stored}
        db.session.remove()
        empty_tables()
        db.engine.dispose()


def sheet_of(words, height, names) -> str:
    """The sheet a workbook page prints (its name is in the footer, bottom left)."""
    footer = " ".join(w["text"] for w in sorted(words, key=lambda w: w["x0"]) if w["top"] > height - 60)
    found = [name for name in names if footer.startswith(name)]
    assert found, footer
    return max(found, key=len)


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


@pytest.mark.parametrize("key", ["full", "public", "report"])
def test_nothing_prints_under_9_points_and_no_cell_prints_hashes(rendered, key):
    pages = rendered["pages"][key]
    assert pages
    for number, (words, _text, _height) in enumerate(pages, start=1):
        assert words, f"{key}: page {number} is empty"
        smallest = min(words, key=lambda w: w["size"])
        assert smallest["size"] >= SMALLEST - TOLERANCE, (key, number, smallest["text"], smallest["size"])
        hashes = [w["text"] for w in words if HASH_RUN.search(w["text"])]
        assert not hashes, (key, number, hashes)


@pytest.mark.parametrize("key", ["full", "public"])
def test_every_sheets_header_rows_print_on_each_of_its_pages(rendered, key):
    book = rendered["books"][key]
    names = book.sheetnames
    printed: dict[str, int] = {}
    for number, (words, text, height) in enumerate(rendered["pages"][key], start=1):
        ws = book[sheet_of(words, height, names)]
        printed[ws.title] = printed.get(ws.title, 0) + 1
        first, last = (int(n) for n in re.findall(r"\d+", ws.print_title_rows))
        heads = [c.value for row in ws.iter_rows(min_row=first, max_row=last, max_col=1) for c in row
                 if isinstance(c.value, str)]
        assert heads, ws.title
        assert flat(heads[0]) in flat(text), (key, number, ws.title, heads[0])
    assert set(printed) == set(names), set(names) - set(printed)  # every sheet prints
    assert ("DHR Cases" in names) == (key == "full")
    dashboard = book["Dashboard"]
    assert dashboard.print_title_rows.startswith(f"${dashboard_header(dashboard)}:")


def dashboard_header(ws) -> int:
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Supporting indicator")


def test_the_latest_periods_figure_is_on_the_dashboard_sheet_and_in_the_report(rendered):
    value, period = rendered["stored"]
    assert period == "Nov 2016 – Oct 2017" and value == 3179  # the demo's latest period, as stored
    shown = f"{value:,.0f}"
    for key in ("full", "public"):
        row = dashboard_rows(rendered["books"][key]["Dashboard"])["Domestic Crimes"]
        assert (row["Latest"], row["Latest period"]) == (value, period)
        pages = [text for words, text, height in rendered["pages"][key]
                 if sheet_of(words, height, rendered["books"][key].sheetnames) == "Dashboard"]
        # On paper: on the page that has the indicator (the period may wrap over two lines).
        assert any("Domestic Crimes" in t and re.search(rf"\b{shown}\b", t) for t in pages), key
    document = Document(rendered["folder"] / FILES["report"])
    rows = [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]
    crimes = [r for r in rows if r[0] == "Domestic Crimes"]
    assert crimes and crimes[0][3:5] == [period, shown]
    assert any("Domestic Crimes" in text and shown in text for _w, text, _h in rendered["pages"]["report"])


def test_the_report_has_real_headings_and_marked_table_header_rows(rendered):
    document = Document(rendered["folder"] / FILES["report"])
    headings = [(p.style.name, p.text) for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert headings[0] == ("Heading 1", "Performance report Nov 2016 – Oct 2017")
    titles = [text for style, text in headings if style == "Heading 1"]
    assert titles[1:] == ["Summary", "Appendix 1: performance by outcome", "District tables",
                          "Domestic Homicide Reviews (restricted)", "Notes and definitions"]
    assert ("Heading 3", "Domestic Burglary rate (per 1,000 population)") in headings  # a red, with its reason
    for table in document.tables:
        first = table.rows[0]._tr
        assert first.xpath("./w:trPr/w:tblHeader"), [c.text for c in table.rows[0].cells]
    # RAG cells are shaded and say their colour in words.
    shaded = {cell.text: cell._tc.xpath("./w:tcPr/w:shd/@w:fill") for table in document.tables
              for row in table.rows for cell in row.cells if cell.text in ("R Red", "A Amber", "G Green")}
    assert shaded == {"R Red": ["d4351c"], "A Amber": ["f47738"], "G Green": ["00703c"]}
