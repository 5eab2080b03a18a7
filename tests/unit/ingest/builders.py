"""Build good and bad upload files in code, so every test says exactly what it feeds in."""
import io
import re
import struct
import zipfile
from collections.abc import Callable

import xlsxwriter

SAFE_OPTIONS = {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False, "strings_to_numbers": False}


def xlsx(build: Callable[[xlsxwriter.Workbook], None]) -> bytes:
    """An .xlsx made by XlsxWriter; ``build`` adds sheets and cells."""
    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, SAFE_OPTIONS)
    build(workbook)
    workbook.close()
    return buffer.getvalue()


def simple_xlsx(cells: dict[str, object] | None = None, sheet: str = "Returns") -> bytes:
    def build(workbook):
        worksheet = workbook.add_worksheet(sheet)
        for ref, value in (cells or {"A1": "Label", "B1": 12}).items():
            worksheet.write(ref, value)

    return xlsx(build)


def rezip(
    data: bytes,
    replace: dict[str, bytes] | None = None,
    add: dict[str, bytes] | None = None,
    remove: set[str] = frozenset(),
) -> bytes:
    """A copy of a zip with members replaced, added or removed."""
    replace, add = replace or {}, add or {}
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename in remove:
                continue
            target.writestr(info.filename, replace.get(info.filename, source.read(info.filename)))
        for name, content in add.items():
            target.writestr(name, content)
    return buffer.getvalue()


def zip_of(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def member(data: bytes, name: str) -> bytes:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return archive.read(name)


def forge_uncompressed_size(data: bytes, name: str, size: int) -> bytes:
    """Rewrite the uncompressed size a zip declares for ``name`` (in the central directory
    and the local header), leaving the compressed bytes alone: a lying archive."""
    forged = bytearray(data)
    encoded = name.encode()
    # (signature, offset of the uncompressed size, of the name length, of the name): the
    # central directory record, then the local header.
    for signature, size_at, name_length_at, name_at in ((b"PK\x01\x02", 24, 28, 46), (b"PK\x03\x04", 22, 26, 30)):
        position = forged.find(signature)
        while position != -1:
            name_length = struct.unpack_from("<H", forged, position + name_length_at)[0]
            if bytes(forged[position + name_at : position + name_at + name_length]) == encoded:
                struct.pack_into("<I", forged, position + size_at, size)
            position = forged.find(signature, position + 4)
    return bytes(forged)


def compound_file(streams: dict[str, bytes]) -> bytes:
    """A minimal valid OLE2 Compound File (version 3, 512-byte sectors) holding ``streams``
    at the top level: the container of legacy .xls files and of password-protected .xlsx
    files (streams EncryptionInfo and EncryptedPackage). Each stream is padded to 4,096
    bytes so that it lives in ordinary sectors rather than the mini stream."""
    sector = 512
    free, end_of_chain, fat_sector = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
    # Directory siblings must be ordered by name length, then by upper-cased name.
    names = sorted(streams, key=lambda n: (len(n), n.upper()))
    payloads = [streams[n].ljust(4096, b"\x00") for n in names]
    fat = [fat_sector, end_of_chain]  # sector 0: the FAT; sector 1: the directory
    starts = []
    for payload in payloads:
        count = -(-len(payload) // sector)
        first = len(fat)
        starts.append(first)
        fat.extend(range(first + 1, first + count))
        fat.append(end_of_chain)
    assert len(fat) <= sector // 4 and len(names) <= 3
    header = bytearray(sector)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<IIIIIIIII", header, 40, 0, 1, 1, 0, 4096, end_of_chain, 0, end_of_chain, 0)
    struct.pack_into("<109I", header, 76, 0, *([free] * 108))
    fat_bytes = struct.pack(f"<{sector // 4}I", *(fat + [free] * (sector // 4 - len(fat))))

    def entry(name: str, kind: int, child: int, right: int, start: int, size: int) -> bytes:
        record = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        record[0 : len(encoded)] = encoded
        struct.pack_into("<HBB", record, 64, len(encoded), kind, 1)
        struct.pack_into("<III", record, 68, free, right, child)
        struct.pack_into("<IQ", record, 116, start, size)
        return bytes(record)

    directory = entry("Root Entry", 5, 1 if names else free, free, end_of_chain, 0)
    for index, (name, payload) in enumerate(zip(names, payloads), start=1):
        right = index + 1 if index < len(names) else free
        directory += entry(name, 2, free, right, starts[index - 1], len(payload))
    directory = directory.ljust(sector, b"\x00")
    return bytes(header) + fat_bytes + directory + b"".join(payloads)


def move_last_cell(data: bytes, new_ref: str, sheet_part: str = "xl/worksheets/sheet1.xml") -> bytes:
    """Move the last cell of a sheet (and its row) to ``new_ref``, e.g. XFD1048576, by
    editing the XML: XlsxWriter itself would take seconds walking to such a row."""
    xml = member(data, sheet_part)
    row_start = xml.rindex(b"<row ")
    cell_start = xml.rindex(b'<c r="')
    old_ref = xml[cell_start + 6 : xml.index(b'"', cell_start + 6)]
    new_row = new_ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ").encode()
    old_row = old_ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    tail = xml[row_start:].replace(b'<row r="' + old_row + b'"', b'<row r="' + new_row + b'"', 1)
    tail = tail.replace(b'<c r="' + old_ref + b'"', b'<c r="' + new_ref.encode() + b'"', 1)
    return rezip(data, replace={sheet_part: xml[:row_start] + tail})


def sheet_part(data: bytes, sheet: str) -> str:
    """The zip member holding the worksheet named ``sheet``."""
    rid = re.search(rb'<sheet [^>]*name="%s"[^>]*r:id="([^"]+)"' % re.escape(sheet.encode()),
                    member(data, "xl/workbook.xml"))[1]
    target = re.search(rb'Id="%s"[^>]*Target="([^"]+)"|Target="([^"]+)"[^>]*Id="%s"' % (rid, rid),
                       member(data, "xl/_rels/workbook.xml.rels"))
    return "xl/" + (target[1] or target[2]).decode().removeprefix("/xl/")


def with_empty_formatted_rows(data: bytes, count: int, sheet: str) -> bytes:
    """The workbook with ``count`` empty rows appended to a sheet, each formatted (a row style
    and a styled empty cell in A), as a spreadsheet program saves a sheet whose formatting
    was dragged down to the bottom: nothing in them, but each is a row and a cell to load."""
    part = sheet_part(data, sheet)
    xml = member(data, part)
    end = xml.index(b"</sheetData>")
    last = max(int(n) for n in re.findall(rb'<row r="(\d+)"', xml[:end]))
    rows = b"".join(b'<row r="%d" s="1" customFormat="1"><c r="A%d" s="1"/></row>' % (n, n)
                    for n in range(last + 1, last + 1 + count))
    return rezip(data, replace={part: xml[:end] + rows + xml[end:]})
