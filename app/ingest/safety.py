"""Safety checks on an uploaded file's bytes, made before any XML inside it is parsed.

The file's type is decided by its bytes, never its name: an officer's "returns.xlsx" may be
a CSV, a PDF, an old .xls or a password-protected workbook, and each gets its own message
saying what to do. Zip bombs are refused from the central directory alone, before anything
is decompressed, and every member we later read goes through ``read_zip_member``, which
stops at a hard cap whatever the directory claims.
"""
import codecs
import hashlib
import io
import re
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import PurePath

from app.ingest.problems import file_error
from app.vocabulary import MAX_FIGURE

MB = 1024 * 1024


@dataclass
class SafetyLimits:
    max_bytes: int = 20 * MB
    max_zip_entries: int = 2000
    max_uncompressed_bytes: int = 200 * MB
    # Applied to each entry and to the whole archive.
    max_compression_ratio: float = 200
    # Below this size an entry (or archive) cannot hurt whatever its ratio: a 2 KB part of
    # repeated spaces compresses 300-fold and is harmless.
    min_bytes_for_ratio_check: int = 1 * MB
    max_rows: int = 5000
    max_columns: int = 200
    max_cell_chars: int = 2000
    max_seconds: float = 60
    # The largest figure (either sign) per kind of cell: beyond it a figure is refused.
    max_figure: Mapping[str, float] = field(default_factory=lambda: dict(MAX_FIGURE))


SAVE_AS_XLSX = "save it as Excel Workbook (.xlsx) and upload that"
DAMAGED = (
    "The file is incomplete or damaged, so we cannot open it (it may not have finished "
    "saving or uploading): save it again in Excel or LibreOffice and re-upload it."
)
# Members we read whole during the checks, so that a CRC error in one is caught here.
SMALL_MEMBER_BYTES = 1 * MB

# A DDE formula names a program, a topic and an item: =cmd|' /C calc'!A0 (in the sheet XML
# as <f>cmd|' /C calc'!A0</f>).
DDE_FORMULA = re.compile(rb"<f(?: [^>]*)?>[^<]*[A-Za-z0-9_.]+\|[^<]*![^<]*</f>")
OLE2_SIGNATURE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
IMAGE_SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"BM", "BMP"),
)


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def check_workbook_bytes(data: bytes, filename: str, limits: SafetyLimits) -> None:
    """Raise IngestError (one problem, about the whole file) unless ``data`` looks like an
    .xlsx workbook that is safe to open."""
    open_checked_zip(data, filename, limits).close()


def open_checked_zip(data: bytes, filename: str, limits: SafetyLimits) -> zipfile.ZipFile:
    """``check_workbook_bytes``, returning the opened archive for the reader to use."""
    subject = _subject(filename)
    if not data:
        raise file_error(
            f"{subject} is empty (0 bytes). Check that you chose the right file, save the "
            "return again in Excel and upload it."
        )
    if len(data) > limits.max_bytes:
        raise file_error(
            f"{subject} is {_megabytes(len(data))}, larger than the {_megabytes(limits.max_bytes)} "
            "we accept. A return is normally far smaller: remove pictures and any sheets you "
            f"added, {SAVE_AS_XLSX}."
        )
    if data.startswith(OLE2_SIGNATURE):
        raise file_error(_ole2_message(data, subject))
    if not data.startswith(ZIP_SIGNATURES):
        raise file_error(_not_a_zip_message(data, subject))
    declared_entries = _declared_entry_count(data)
    if declared_entries is not None and declared_entries > limits.max_zip_entries:
        raise file_error(_too_many_parts(declared_entries))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, NotImplementedError, OSError):
        raise file_error(DAMAGED) from None
    try:
        _check_directory(archive, len(data), subject, limits)
        _check_workbook_parts(archive, subject, limits)
    except BaseException:
        archive.close()
        raise
    return archive


def read_zip_member(zf: zipfile.ZipFile, name: str, limits: SafetyLimits) -> bytes:
    """Read one member, streaming, and stop at a hard cap: the smaller of its declared size
    and the archive limit. A member whose real content exceeds what the directory says, or
    fails its CRC, raises IngestError rather than filling memory."""
    try:
        info = zf.getinfo(name)
    except KeyError:
        raise file_error(DAMAGED) from None
    cap = min(info.file_size, limits.max_uncompressed_bytes)
    chunks: list[bytes] = []
    total = 0
    try:
        with zf.open(info) as member:
            while True:
                chunk = member.read(min(MB, cap - total + 1))
                if not chunk:
                    break
                total += len(chunk)
                if total > cap:
                    raise file_error(_bomb_message(f"its part '{name}' unpacks to more than we accept"))
                chunks.append(chunk)
    except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, NotImplementedError, RuntimeError, OSError):
        # RuntimeError: a member encrypted with a zip password.
        raise file_error(DAMAGED) from None
    return b"".join(chunks)


def _check_directory(archive: zipfile.ZipFile, file_size: int, subject: str, limits: SafetyLimits) -> None:
    """Zip-bomb checks from the central directory alone: nothing is decompressed here."""
    infos = archive.infolist()
    if len(infos) > limits.max_zip_entries:
        raise file_error(_too_many_parts(len(infos)))
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise file_error(DAMAGED)
    declared_total = sum(info.file_size for info in infos)
    if declared_total > limits.max_uncompressed_bytes:
        raise file_error(
            _bomb_message(
                f"it unpacks to {_megabytes(declared_total)}, more than the "
                f"{_megabytes(limits.max_uncompressed_bytes)} we accept"
            )
        )
    for info in infos:
        if info.file_size >= limits.min_bytes_for_ratio_check and (
            info.file_size > limits.max_compression_ratio * max(info.compress_size, 1)
        ):
            ratio = info.file_size / max(info.compress_size, 1)
            raise file_error(
                _bomb_message(f"its part '{info.filename}' unpacks to {ratio:,.0f} times its packed size")
            )
    if declared_total >= limits.min_bytes_for_ratio_check and (
        declared_total > limits.max_compression_ratio * file_size
    ):
        raise file_error(
            _bomb_message(f"it unpacks to {declared_total / file_size:,.0f} times its own size")
        )
    if any(info.flag_bits & 0x1 for info in infos):
        raise file_error(_password_message(subject))
    if any(info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) for info in infos):
        # Excel and LibreOffice only ever store or deflate; anything else was not saved by them.
        raise file_error(DAMAGED)


def _declared_entry_count(data: bytes) -> int | None:
    """The entry count in the end-of-central-directory record, read before zipfile builds an
    object for every entry; None when there is no plain record (zipfile will say why)."""
    position = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_557))
    if position == -1 or position + 12 > len(data):
        return None
    count = int.from_bytes(data[position + 10 : position + 12], "little")
    return None if count == 0xFFFF else count  # 0xFFFF: the real count is in the Zip64 record


def _too_many_parts(count: int) -> str:
    return _bomb_message(f"it holds {count:,} parts, where a workbook has a few dozen")


def _check_workbook_parts(archive: zipfile.ZipFile, subject: str, limits: SafetyLimits) -> None:
    names = set(archive.namelist())
    if "mimetype" in names:
        mimetype = read_zip_member(archive, "mimetype", limits)[:200]
        if mimetype.startswith(b"application/vnd.oasis.opendocument.spreadsheet"):
            raise file_error(
                f"{subject} is an OpenDocument spreadsheet (.ods). In LibreOffice choose File > "
                "Save As, pick the type 'Excel 2007-365 (.xlsx)', and upload that file."
            )
        if mimetype.startswith(b"application/vnd.oasis.opendocument"):
            raise file_error(
                f"{subject} is an OpenDocument text or presentation file, not a workbook. {_upload_the_return()}"
            )
    if "xl/workbook.bin" in names:
        raise file_error(f"{subject} is an Excel Binary Workbook (.xlsb): open it in Excel, {SAVE_AS_XLSX}.")
    if "word/document.xml" in names:
        raise file_error(f"{subject} is a Word document, not an Excel workbook. {_upload_the_return()}")
    if "ppt/presentation.xml" in names:
        raise file_error(f"{subject} is a PowerPoint presentation, not an Excel workbook. {_upload_the_return()}")
    if "[Content_Types].xml" not in names or "xl/workbook.xml" not in names:
        raise file_error(
            f"{subject} is a zip archive, not an Excel workbook. If the return is inside it, "
            "extract it and upload the .xlsx file itself; otherwise "
            f"{SAVE_AS_XLSX}."
        )
    # Read every small member whole so that a CRC error or a broken deflate stream is
    # reported now, as damage, rather than half-way through reading.
    content_types = b""
    dde_formula = False
    for info in archive.infolist():
        if info.file_size <= SMALL_MEMBER_BYTES:
            content = read_zip_member(archive, info.filename, limits)
            if info.filename == "[Content_Types].xml":
                content_types = content
            elif info.filename.startswith("xl/worksheets/") and DDE_FORMULA.search(content):
                dde_formula = True
    if "xl/vbaProject.bin" in names or b"macroenabled" in content_types.lower():
        raise file_error(
            f"{subject} contains macros (it is a macro-enabled workbook). For safety we do not "
            "accept macros: save it as Excel Workbook (.xlsx), which has no macros, and "
            "upload that."
        )


    # Active content is refused, not stripped: the file we keep is the evidence behind every
    # figure and must be the one the officer sent, and breaking links is one click for them.
    links = [name for name in names if name.startswith("xl/externalLinks/") and name.endswith(".xml")]
    if dde_formula or any(b"<ddeLink" in read_zip_member(archive, name, limits) for name in links):
        raise file_error(
            f"{subject} contains a DDE link: a formula that asks another program to run (such as "
            "=cmd|...). For safety we do not accept it. Replace those formulas with their values "
            "(copy, then Paste Special → Values), save the workbook and upload it again."
        )
    if links:
        raise file_error(
            f"{subject} links to {len(links)} other workbook{'s' if len(links) > 1 else ''} (external links), "
            "whose figures could change without anyone seeing. Break the links (in Excel: Data → Edit Links → "
            "Break Link; in LibreOffice: Edit → Links to External Files → Break Link), save the workbook and "
            "upload it again."
        )
    if any(name.startswith("xl/activeX/") for name in names):
        raise file_error(
            f"{subject} contains ActiveX controls. For safety we do not accept them: delete the controls "
            "(buttons, boxes), save the workbook and upload it again."
        )


def _ole2_message(data: bytes, subject: str) -> str:
    """An OLE2 (Compound File) container: a password-protected .xlsx, or a legacy Office file."""
    streams = _cfb_entry_names(data, ("EncryptionInfo", "EncryptedPackage", "Workbook", "Book", "WordDocument"))
    if {"EncryptionInfo", "EncryptedPackage"} & streams:
        return _password_message(subject)
    if "WordDocument" in streams and not {"Workbook", "Book"} & streams:
        return f"{subject} is an older Word document (.doc), not an Excel workbook. {_upload_the_return()}"
    return (
        f"{subject} is an older Excel 97-2003 workbook (.xls). Open it in Excel or "
        f"LibreOffice, {SAVE_AS_XLSX}."
    )


def _cfb_entry_names(data: bytes, wanted: tuple[str, ...]) -> set[str]:
    """Which of ``wanted`` are names of directory entries in a Compound File.

    Directory entries are 128-byte records at 128-byte-aligned offsets (sectors are 512 or
    4096 bytes): a UTF-16LE name, then at 0x40 its byte length including the terminator and
    at 0x42 the object type (1 storage, 2 stream). Matching all three at an aligned offset
    finds the entries without walking the allocation table, and will not mistake a cell
    that happens to contain the word for a stream.
    """
    found = set()
    for name in wanted:
        encoded = name.encode("utf-16-le") + b"\x00\x00"
        position = data.find(encoded)
        while position != -1:
            if (
                position % 128 == 0
                and int.from_bytes(data[position + 0x40 : position + 0x42], "little") == len(encoded)
                and data[position + 0x42 : position + 0x43] in (b"\x01", b"\x02")
            ):
                found.add(name)
                break
            position = data.find(encoded, position + 1)
    return found


def _not_a_zip_message(data: bytes, subject: str) -> str:
    head = data[:16]
    if head.startswith(b"%PDF"):
        return f"{subject} is a PDF document, not an Excel workbook. {_upload_the_return()}"
    for signature, kind in IMAGE_SIGNATURES:
        if head.startswith(signature):
            return f"{subject} is a picture ({kind} image), not an Excel workbook. {_upload_the_return()}"
    if head.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return f"{subject} is a picture (WebP image), not an Excel workbook. {_upload_the_return()}"
    text = _as_text(data[: 64 * 1024])
    if text is None:
        return f"{subject} is not a kind of file we recognise. {_upload_the_return()}"
    start = text.lstrip().lower()
    if start.startswith(("<!doctype html", "<html", "<table")) or "<html" in start[:2048]:
        return (
            f"{subject} is a web page (HTML), not an Excel workbook; some systems export web "
            f"pages with an Excel name. Open it in Excel, {SAVE_AS_XLSX}."
        )
    if start.startswith("<?xml") and "urn:schemas-microsoft-com:office:spreadsheet" in start:
        return f"{subject} is an Excel 2003 XML spreadsheet. Open it in Excel, {SAVE_AS_XLSX}."
    if start.startswith("<"):
        return f"{subject} is an XML file, not an Excel workbook. {_upload_the_return()}"
    return (
        f"{subject} is a CSV or text file, not an Excel workbook, whatever its name says. "
        "Copy your figures into the blank return we sent you, save it as Excel Workbook "
        "(.xlsx) and upload that."
    )


def _as_text(sample: bytes) -> str | None:
    """The sample decoded, if it reads as text (UTF-8, UTF-16 with a BOM, or Windows-1252)."""
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encodings = ["utf-16"]
    elif b"\x00" in sample:
        return None
    else:
        encodings = ["utf-8-sig", "cp1252"]
    for encoding in encodings:
        try:
            # Incremental, so a character cut in half at the end of the sample is not an error.
            text = codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError:
            continue
        controls = sum(1 for ch in text if ch < " " and ch not in "\t\r\n\f")
        if controls <= len(text) // 100:
            return text
    return None


def _password_message(subject: str) -> str:
    return (
        f"{subject} is protected with a password, so we cannot read it. Open it in Excel, "
        "remove the password (File > Info > Protect Workbook > Encrypt with Password, and "
        "clear the box), save it as Excel Workbook (.xlsx) without a password and upload it again."
    )


def _bomb_message(reason: str) -> str:
    return (
        f"We have not opened this file because {reason}, which no genuine return does. "
        "Save the return again in Excel or LibreOffice as Excel Workbook (.xlsx) and "
        "re-upload it; if the problem continues, contact the partnership's performance team."
    )


def _upload_the_return() -> str:
    return "Upload the return itself, saved as Excel Workbook (.xlsx)."


def _subject(filename: str) -> str:
    name = PurePath(filename.replace("\\", "/")).name if filename else ""
    if not name:
        return "This file"
    if len(name) > 80:
        name = name[:77] + "..."
    return f"'{name}'"


def _megabytes(size: int) -> str:
    if size < 1024:
        return f"{size:,} bytes"
    if size < MB:
        return f"{size / 1024:,.0f} KB"
    return f"{size / MB:,.1f} MB"
