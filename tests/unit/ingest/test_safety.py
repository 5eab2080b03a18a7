"""Each kind of bad file gets its own clear message, decided by the bytes, never the name."""
import io
import time
import zipfile
from pathlib import Path

import pytest

from app.ingest.problems import IngestError
from app.ingest.safety import SafetyLimits, check_workbook_bytes, open_checked_zip, read_zip_member, sha256_of
from tests.unit.ingest.builders import (
    compound_file,
    forge_uncompressed_size,
    member,
    rezip,
    simple_xlsx,
    xlsx,
    zip_of,
)

LIMITS = SafetyLimits()
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "ingest"


def refusal(data: bytes, filename: str = "return.xlsx", limits: SafetyLimits = LIMITS) -> str:
    with pytest.raises(IngestError) as raised:
        check_workbook_bytes(data, filename, limits)
    [problem] = raised.value.problems
    assert problem.sheet is None and problem.cell is None and problem.severity == "error"
    return problem.message


def test_a_good_workbook_passes_whatever_its_name():
    check_workbook_bytes(simple_xlsx(), "figures.csv", LIMITS)


def test_sha256_of():
    assert sha256_of(b"abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"


def test_empty_file():
    assert "'return.xlsx' is empty (0 bytes)" in refusal(b"")


def test_file_larger_than_the_limit():
    data = simple_xlsx()
    message = refusal(data, limits=SafetyLimits(max_bytes=1000))
    assert f"is {len(data) / 1024:,.0f} KB, larger than the 1,000 bytes we accept" in message
    assert "save it as Excel Workbook (.xlsx)" in message
    assert "is 25.0 MB, larger than the 20.0 MB we accept" in refusal(b"\x00" * (25 * 1024 * 1024))


def test_legacy_xls():
    message = refusal(compound_file({"Workbook": b"\x09\x08\x10\x00"}))
    assert "older Excel 97-2003 workbook (.xls)" in message
    assert "save it as Excel Workbook (.xlsx)" in message


def test_password_protected_xlsx_built_in_code():
    data = compound_file({"EncryptionInfo": b"\x04\x00\x04\x00\x40\x00\x00\x00", "EncryptedPackage": b"\x00" * 64})
    message = refusal(data)
    assert "protected with a password" in message
    assert "save it as Excel Workbook (.xlsx) without a password" in message


def test_password_protected_xlsx_made_by_an_encryptor():
    # Made once with msoffcrypto-tool 6.1 (OOXMLFile.encrypt, password "secret") from a
    # small openpyxl workbook: the real container Excel writes for "Encrypt with Password".
    data = (FIXTURES / "password_protected.xlsx").read_bytes()
    assert "save it as Excel Workbook (.xlsx) without a password" in refusal(data)


def test_a_cell_saying_encryptedpackage_does_not_make_an_xls_look_encrypted():
    text_in_a_cell = b"\x00" * 7 + "EncryptedPackage".encode("utf-16-le") + b"\x00\x00"
    data = compound_file({"Workbook": text_in_a_cell})
    assert ".xls" in refusal(data)


def test_old_word_document():
    assert "older Word document (.doc)" in refusal(compound_file({"WordDocument": b"\xec\xa5"}))


@pytest.mark.parametrize(
    "content",
    [
        b"Area,Incidents\nBlaby,1400\nMelton,320\n",
        "Area\tIncidents\r\nBlaby\t1400\r\n".encode("utf-16"),
        "Area;Incidents\nHarborough;£1,200\n".encode("cp1252"),
        b"Just some notes about the quarter\n",
    ],
    ids=["csv", "tsv-utf16", "semicolon-cp1252", "plain-text"],
)
def test_csv_or_text_with_an_xlsx_name(content):
    message = refusal(content)
    assert "is a CSV or text file, not an Excel workbook" in message
    assert "save it as Excel Workbook" in message


def test_pdf():
    assert "is a PDF document" in refusal(b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n")


@pytest.mark.parametrize(
    "head, kind",
    [
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "PNG"),
        (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00", "JPEG"),
        (b"GIF89a\x01\x00\x01\x00", "GIF"),
        (b"BM\x36\x00\x00\x00\x00\x00", "BMP"),
        (b"II*\x00\x08\x00\x00\x00", "TIFF"),
        (b"RIFF\x24\x00\x00\x00WEBPVP8 ", "WebP"),
    ],
)
def test_images(head, kind):
    assert f"is a picture ({kind} image)" in refusal(head + b"\x00\x01\x02" * 50)


def test_html_saved_with_an_excel_name():
    message = refusal(b"<!DOCTYPE html>\n<html><body><table><tr><td>1</td></tr></table></body></html>")
    assert "is a web page (HTML)" in message


def test_excel_2003_xml_spreadsheet():
    data = b'<?xml version="1.0"?>\n<Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet"></Workbook>'
    assert "Excel 2003 XML spreadsheet" in refusal(data)


def test_unknown_binary():
    assert "not a kind of file we recognise" in refusal(bytes(range(256)) * 4)


def test_zip_that_is_not_a_workbook():
    message = refusal(zip_of({"notes.txt": b"hello", "figures.csv": b"a,b\n1,2\n"}))
    assert "is a zip archive, not an Excel workbook" in message


def test_opendocument_spreadsheet():
    data = zip_of({"mimetype": b"application/vnd.oasis.opendocument.spreadsheet", "content.xml": b"<x/>"})
    message = refusal(data, "return.ods")
    assert "OpenDocument spreadsheet (.ods)" in message and "(.xlsx)" in message


def test_word_document_in_a_zip():
    assert "is a Word document" in refusal(zip_of({"[Content_Types].xml": b"<Types/>", "word/document.xml": b"<w/>"}))


def test_binary_workbook():
    data = zip_of({"[Content_Types].xml": b"<Types/>", "xl/workbook.bin": b"\x83\x01"})
    assert "Excel Binary Workbook (.xlsb)" in refusal(data)


def test_macro_enabled_workbook_with_a_vba_project():
    data = rezip(simple_xlsx(), add={"xl/vbaProject.bin": b"\xcc\x61" * 100})
    message = refusal(data)
    assert "contains macros" in message
    assert "save it as Excel Workbook (.xlsx), which has no macros" in message


def test_macro_enabled_content_type_alone():
    good = simple_xlsx()
    content_types = member(good, "[Content_Types].xml").replace(
        b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml",
        b"application/vnd.ms-excel.sheet.macroEnabled.main+xml",
    )
    assert b"macroEnabled" in content_types
    assert "contains macros" in refusal(rezip(good, replace={"[Content_Types].xml": content_types}))


@pytest.mark.parametrize("keep", [0.5, 0.9, 0.99])
def test_truncated_upload(keep):
    data = simple_xlsx()
    assert "incomplete or damaged" in refusal(data[: int(len(data) * keep)])


def test_corrupted_member_fails_its_crc():
    data = bytearray(zip_of({"[Content_Types].xml": b"<Types/>" * 50, "xl/workbook.xml": b"<workbook/>" * 50}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("xl/workbook.xml")
    # Flip a byte inside the compressed data (after the local header and its name).
    data[info.header_offset + 30 + len(info.filename) + 3] ^= 0xFF
    assert "incomplete or damaged" in refusal(bytes(data))


def test_too_many_entries():
    members = {f"xl/media/image{n}.png": b"" for n in range(30)}
    data = rezip(simple_xlsx(), add=members)
    message = refusal(data, limits=SafetyLimits(max_zip_entries=20))
    assert "parts, where a workbook has a few dozen" in message


def test_too_many_entries_is_refused_before_the_directory_is_parsed(monkeypatch):
    data = rezip(simple_xlsx(), add={f"xl/media/image{n}.png": b"" for n in range(30)})

    def parse_directory(*args, **kwargs):
        raise AssertionError("the central directory should not have been parsed")

    monkeypatch.setattr(zipfile.ZipFile, "_RealGetContents", parse_directory)
    assert "parts, where a workbook has a few dozen" in refusal(data, limits=SafetyLimits(max_zip_entries=20))


def test_declared_size_over_the_limit_is_refused_from_the_directory_alone():
    # A 300 MB entry claimed in the central directory: refused without decompressing.
    data = forge_uncompressed_size(simple_xlsx(), "xl/worksheets/sheet1.xml", 300 * 1024 * 1024)
    started = time.perf_counter()
    message = refusal(data)
    assert time.perf_counter() - started < 0.2
    assert "unpacks to 300.0 MB" in message and "which no genuine return does" in message


def test_real_zip_bomb_entry_is_refused_by_its_compression_ratio():
    # 300 MB of zeros, deflated while streaming (about 0.3 MB packed): refused by the
    # ratio the directory declares, before anything is decompressed.
    buffer = io.BytesIO()
    zeros = b"\x00" * (1024 * 1024)
    with (
        zipfile.ZipFile(io.BytesIO(simple_xlsx())) as source,
        zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive,
    ):
        for info in source.infolist():
            archive.writestr(info.filename, source.read(info.filename))
        with archive.open("xl/media/image1.png", "w") as entry:
            for _ in range(300):
                entry.write(zeros)
    data = buffer.getvalue()
    started = time.perf_counter()
    message = refusal(data, limits=SafetyLimits(max_uncompressed_bytes=1024 * 1024 * 1024))
    assert time.perf_counter() - started < 0.2
    assert "'xl/media/image1.png' unpacks to" in message and "times its packed size" in message


def test_whole_archive_ratio_over_the_limit():
    # Many small, highly compressed parts: none alone is big enough to matter, together they are.
    members = {f"xl/media/part{n}.bin": b"\x00" * (900 * 1024) for n in range(4)}
    message = refusal(rezip(simple_xlsx(), add=members))
    assert "times its own size" in message


def test_a_small_very_compressible_part_is_not_a_bomb():
    check_workbook_bytes(rezip(simple_xlsx(), add={"docProps/custom.xml": b" " * 50_000}), "r.xlsx", LIMITS)


def test_read_zip_member_stops_at_the_declared_size():
    # The directory says 100 bytes; the member really holds 200,000: reading it is refused
    # as damage rather than trusted or allowed to grow.
    good = rezip(simple_xlsx(), add={"xl/media/big.bin": b"x" * 200_000})
    archive = zipfile.ZipFile(io.BytesIO(forge_uncompressed_size(good, "xl/media/big.bin", 100)))
    with pytest.raises(IngestError) as raised:
        read_zip_member(archive, "xl/media/big.bin", LIMITS)
    assert "incomplete or damaged" in str(raised.value)


def test_read_zip_member_has_a_hard_cap():
    archive = zipfile.ZipFile(io.BytesIO(zip_of({"a.xml": b"y" * 5000})))
    with pytest.raises(IngestError):
        read_zip_member(archive, "a.xml", SafetyLimits(max_uncompressed_bytes=1000))
    assert read_zip_member(archive, "a.xml", LIMITS) == b"y" * 5000


def test_open_checked_zip_returns_the_archive():
    with open_checked_zip(simple_xlsx(), "r.xlsx", LIMITS) as archive:
        assert "xl/workbook.xml" in archive.namelist()


def test_filename_in_messages_is_only_the_base_name():
    message = refusal(b"%PDF-1.4", filename="C:\\Users\\officer\\Documents\\Q4 return.xlsx")
    assert message.startswith("'Q4 return.xlsx' is a PDF document")
    assert refusal(b"%PDF-1.4", filename="").startswith("This file is a PDF document")


def test_xlsxwriter_workbook_with_several_sheets_passes():
    def build(workbook):
        for name in ("Instructions", "Returns", "Appendix 2"):
            workbook.add_worksheet(name).write("A1", name)

    check_workbook_bytes(xlsx(build), "return.xlsx", LIMITS)


def _with_formula(formula: str) -> bytes:
    good = simple_xlsx()
    with zipfile.ZipFile(io.BytesIO(good)) as archive:
        sheet = archive.read("xl/worksheets/sheet1.xml")
    cell = f'<c r="Z1"><f>{formula}</f><v>0</v></c>'.encode()
    sheet = sheet.replace(b"</row>", cell + b"</row>", 1)
    return rezip(good, replace={"xl/worksheets/sheet1.xml": sheet})


def test_a_dde_formula_is_refused_naming_it():
    message = refusal(_with_formula("cmd|' /C calc'!A0"))
    assert "contains a DDE link: a formula that asks another program to run" in message
    assert "Paste Special → Values" in message
    # An ordinary formula naming another sheet is not a DDE link.
    check_workbook_bytes(_with_formula("'Sheet 2'!A1+SUM(B1:B3)"), "return.xlsx", LIMITS)


def test_external_links_and_dde_link_parts_and_activex_are_refused():
    good = simple_xlsx()
    link = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
           b'<externalBook r:id="rId1" xmlns:r="http://x"/></externalLink>'
    message = refusal(rezip(good, add={"xl/externalLinks/externalLink1.xml": link}))
    assert "links to 1 other workbook (external links)" in message and "Break Link" in message
    dde = b'<externalLink xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">' \
          b'<ddeLink ddeService="cmd" ddeTopic="/C calc"/></externalLink>'
    assert "contains a DDE link" in refusal(rezip(good, add={"xl/externalLinks/externalLink1.xml": dde}))
    assert "contains ActiveX controls" in refusal(rezip(good, add={"xl/activeX/activeX1.xml": b"<ax/>"}))
