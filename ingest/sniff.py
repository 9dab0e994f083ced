"""Look at a file before any reader does: empty, too big, wrong type, encrypted, macro-enabled, or a bomb.

Pipeline: ``read_head`` -> ``content_kind`` (magic bytes) -> ``check_cfb`` / ``check_zip`` (sizes, then
``check_macros`` for workbooks and Word documents) -> the extension check. Everything here reads the central directory or a
few bytes; nothing is decompressed except ``[Content_Types].xml`` (at most 1 MiB) and, to count rows of
a worksheet, the sheet itself (``count_rows``, which stops at the limit).
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from core.errors import CorruptFile, EmptyFile, EncryptedFile, LimitExceeded, UnsupportedFormat
from ingest.limits import Limits

HEAD_BYTES = 65_536
ZIP_MAGIC = b"PK\x03\x04"
EMPTY_ZIP_MAGIC = b"PK\x05\x06"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
PDF_MAGIC = b"%PDF-"
_EXTENSION_KIND = {
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".docx": "docx",
    ".docm": "docx",
    ".pdf": "pdf",
}
_KIND_LABEL = {"xlsx": "an Excel workbook", "docx": "a Word document", "pdf": "a PDF document"}
_ROW_TAG = re.compile(rb"<(?:\w+:)?row[\s>/]")
_CONTENT_TYPES_MAX = 1 << 20  # [Content_Types].xml is a few KiB; a bigger one is not read


def read_head(path: Path) -> bytes:
    with path.open("rb") as fh:
        return fh.read(HEAD_BYTES)


def content_kind(head: bytes) -> str:
    """``zip``, ``cfb``, ``pdf``, ``html``, ``binary`` or ``text``, from magic bytes only."""
    if head.startswith((ZIP_MAGIC, EMPTY_ZIP_MAGIC)):
        return "zip"
    if head.startswith(CFB_MAGIC):
        return "cfb"
    if PDF_MAGIC in head[:1024]:
        return "pdf"
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith((b"<!doctype html", b"<html")):
        return "html"
    if b"\x00" in head[:8192] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "binary"
    return "text"


def ooxml_kind(names: list[str]) -> str | None:
    """``xlsx`` or ``docx`` from an OOXML package's member names, ``None`` for any other zip."""
    if "[Content_Types].xml" not in names:
        return None
    if any(n.startswith("xl/workbook") for n in names):
        return "xlsx"
    if any(n.startswith("word/document") for n in names):
        return "docx"
    return "ooxml"


def check_file(path: Path, *, limits: Limits, display: str) -> str:
    """Raise on files no reader should see; return the content kind (``xlsx``, ``pdf``, ``text`` ...)."""
    size = path.stat().st_size
    if size == 0:
        raise EmptyFile(
            "The file is empty (0 bytes)", where=display, fix="upload the file again, or the right file"
        )
    if size > limits.max_file_bytes:
        raise LimitExceeded(
            f"the file is {size:,} bytes, over the limit of {limits.max_file_bytes:,}",
            where=display,
            fix="split the questionnaire into smaller files or raise TRUSTDESK_MAX_FILE_BYTES",
        )
    head = read_head(path)
    kind = content_kind(head)
    if kind == "cfb":
        check_cfb(path, display=display)
    if kind == "zip":
        kind = check_zip(path, limits=limits, display=display)
    check_extension(kind, display=display)
    return kind


def _holds(path: Path, needles: tuple[bytes, ...]) -> bool:
    """Stream the file looking for any of ``needles`` (the CFB directory may sit at the end)."""
    overlap = max(len(n) for n in needles)
    tail = b""
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            if any(n in data for n in needles):
                return True
            tail = data[-overlap:]
    return False


def check_cfb(path: Path, *, display: str) -> None:
    """An OLE2 container is either a password-protected OOXML file or a legacy .xls/.doc: neither is
    read (catalogue U03, detected by the ``D0CF11E0`` magic), so both are an unsupported format."""
    names = ("EncryptionInfo".encode("utf-16-le"), "EncryptedPackage".encode("utf-16-le"))
    if _holds(path, names):
        raise UnsupportedFormat(
            "Legacy or password-protected Office file: this one is password-protected",
            where=display,
            fix="open it in Excel or Word, remove the password (File > Info > Protect) and save it as "
            ".docx/.xlsx without a password",
        )
    raise UnsupportedFormat(
        "Legacy or password-protected Office file: this is a legacy .xls or .doc",
        where=display,
        fix="open it in Excel or Word and save it as .xlsx or .docx without a password",
    )


def check_zip(path: Path, *, limits: Limits, display: str) -> str:
    """Check entry count, declared sizes and compression ratio from the central directory."""
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise CorruptFile(
            f"the archive is damaged or truncated ({exc})",
            where=display,
            fix="download or export the file again; if it came by e-mail, ask the sender to re-send it",
        ) from exc
    if len(infos) > limits.max_archive_entries:
        raise LimitExceeded(
            f"the archive holds {len(infos):,} entries, over the limit of {limits.max_archive_entries:,}",
            where=display,
            fix="this is not an ordinary Office file; re-save it from Excel or Word",
        )
    check_sizes(infos, limits=limits, display=display)
    if any(info.flag_bits & 0x1 for info in infos):
        raise EncryptedFile("the archive is encrypted", where=display, fix="save it again without a password")
    kind = ooxml_kind([info.filename for info in infos])
    if kind is not None:
        check_xml_prologs(path, infos, display=display)
    if kind is None:
        raise UnsupportedFormat(
            "the file is a ZIP archive, not an Office document",
            where=display,
            fix="upload the .xlsx, .docx or .pdf itself, not an archive containing it",
        )
    if kind in ("xlsx", "docx"):
        check_macros(path, infos, kind=kind, display=display)
    return kind


def check_xml_prologs(path: Path, infos: list[zipfile.ZipInfo], *, display: str) -> None:
    """Refuse a DTD or entity declaration in any XML part of an OOXML package (XML bombs, XXE; catalogue
    U16, U17) before any parser sees it; only the first 4 KiB of each part is decompressed."""
    try:
        with zipfile.ZipFile(path) as zf:
            for info in infos:
                if info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    with zf.open(info) as fh:
                        prolog = fh.read(4096)
                    if b"<!DOCTYPE" in prolog.upper() or b"<!ENTITY" in prolog.upper():
                        raise CorruptFile(
                            f"Document contains disallowed XML constructs (DTD/entities) in {info.filename}",
                            where=display,
                            fix="open it in Excel or Word and save it again; if it came from outside, do not "
                            "trust it",
                        )
    except (zipfile.BadZipFile, OSError, EOFError, zlib.error, NotImplementedError) as exc:
        raise CorruptFile(
            f"the archive is damaged ({exc})",
            where=display,
            fix="download or export the file again; if it came by e-mail, ask the sender to re-send it",
        ) from exc


_MACRO = {
    "xlsx": (
        "Macro-enabled workbooks are not accepted",
        "open it in Excel and save as .xlsx without macros (File > Save As > Excel Workbook)",
        ".xlsm",
    ),
    "docx": (
        "Macro-enabled documents are not accepted",
        "open it in Word and save as .docx without macros (File > Save As > Word Document)",
        ".docm",
    ),
}


def check_macros(path: Path, infos: list[zipfile.ZipInfo], *, kind: str, display: str) -> None:
    """A macro-enabled workbook or document is refused (catalogue U20): a VBA project
    (``xl/vbaProject.bin``, ``word/vbaProject.bin``), Excel 4.0 macro sheets (``xl/macrosheets/``), the
    macro-enabled content type, or the ``.xlsm`` / ``.docm`` name. Trustdesk never stores, parses or
    hands back a file that carries code, so no write-back can ever return it with its macros."""
    names = {info.filename.lower(): info for info in infos}
    types = names.get("[content_types].xml")
    macro_type = False
    if types is not None and types.file_size <= _CONTENT_TYPES_MAX:
        try:
            with zipfile.ZipFile(path) as zf:
                macro_type = b"macroenabled" in zf.read(types).lower()
        except (zipfile.BadZipFile, OSError, EOFError, zlib.error) as exc:
            raise CorruptFile(
                f"the archive is damaged ({exc})",
                where=display,
                fix="download or export the file again; if it came by e-mail, ask the sender to re-send it",
            ) from exc
    what, fix, suffix = _MACRO[kind]
    code = [n for n in names if n.endswith("vbaproject.bin") or n.startswith("xl/macrosheets/")]
    if code or macro_type or Path(display.split("!")[0]).suffix.lower() == suffix:
        raise UnsupportedFormat(what, where=display, fix=fix)


def check_sizes(infos: list[zipfile.ZipInfo], *, limits: Limits, display: str) -> None:
    """Declared sizes only: a member over ``max_member_bytes`` or expanding more than the ratio, or a
    total over ``max_uncompressed_bytes``, is refused before anything is decompressed (U11, U12, U15, U18)."""
    total = 0
    for info in infos:
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1_000_000 and ratio > limits.max_compression_ratio:
            raise LimitExceeded(
                f"Document too large or complex: member {info.filename} expands {ratio:,.0f}-fold, over "
                f"the limit of {limits.max_compression_ratio:,.0f} (a zip bomb?)",
                where=display,
                fix="re-save the file from Excel or Word, or send its content as a new, simpler document",
            )
        if info.file_size > limits.max_member_bytes:
            raise _member_too_large(info, limits=limits, display=display)
    if total > limits.max_uncompressed_bytes:
        raise LimitExceeded(
            f"Document too large or complex: the archive expands to {total:,} bytes, over the limit of "
            f"{limits.max_uncompressed_bytes:,}",
            where=display,
            fix="split the questionnaire into smaller files",
        )


def _member_too_large(info: zipfile.ZipInfo, *, limits: Limits, display: str) -> LimitExceeded:
    size, cap = f"{info.file_size:,}", f"{limits.max_member_bytes:,}"
    if info.filename.startswith("xl/worksheets/"):
        return LimitExceeded(
            f"Spreadsheet too large (max {limits.max_rows:,} rows): {info.filename} holds {size} bytes, "
            f"over the limit of {cap} per part",
            where=display,
            fix=f"split the workbook into files of at most {limits.max_rows:,} rows, or delete the rows "
            "that are not questions",
        )
    return LimitExceeded(
        f"Document too large or complex: {info.filename} holds {size} bytes, over the limit of {cap} per part",
        where=display,
        fix="remove large embedded pictures or text and save the file again, or split the document",
    )


def check_extension(kind: str, *, display: str) -> None:
    """Wrong type behind a familiar extension (a PDF named .xlsx, HTML named .pdf) is refused."""
    suffix = Path(display.split("!")[0]).suffix.lower()
    expected = _EXTENSION_KIND.get(suffix)
    if expected is None or expected == kind:
        return
    actual = _KIND_LABEL.get(kind, "not " + _KIND_LABEL[expected])
    if kind in ("html", "binary", "text", "ooxml"):
        actual = f"not {_KIND_LABEL[expected]} ({kind} content)"
    raise UnsupportedFormat(
        f"the name says {suffix} but the content is {actual}",
        where=display,
        fix=f"upload the original {suffix} file, or rename the file to match what it really is",
    )


def count_rows(zf: zipfile.ZipFile, member: str, *, stop_after: int) -> int:
    """Count ``<row>`` elements of a worksheet by streaming it; stop once ``stop_after`` is passed."""
    count, tail = 0, b""
    with zf.open(member) as fh:
        while chunk := fh.read(1 << 20):
            data = tail + chunk
            count += len(_ROW_TAG.findall(data))
            tail = data[-16:]
            count -= len(_ROW_TAG.findall(tail))
            if count > stop_after:
                return count
    return count + len(_ROW_TAG.findall(tail))
