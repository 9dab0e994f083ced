"""Four hostile questionnaires, generated at run time (none is kept in the repository).

Each is small on disk and expensive to read without limits (``bad-input-catalogue.md`` U08-U18):

- ``zip-bomb.xlsx``: a workbook whose sheet inflates from about 100 KB to ``scale`` x 100 MB (U12);
- ``huge-pages.pdf``: ``scale`` x 5,000 pages of 200 x 200 inches, the largest page PDF allows (U10);
- ``nested.docx``: a document body nested ``scale`` x 50,000 tables deep, each level a little different
  so the archive check's compression ratio does not catch it first (U07, U16);
- ``slow.pdf``: one page whose content stream holds ``scale`` x 300,000 graphics and text-positioning
  operators, the catalogue's CPU bomb (U09): slow to interpret (about a minute), small in memory.
"""

from __future__ import annotations

import io
import random
import zipfile
import zlib
from collections.abc import Callable

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>{overrides}</Types>'
)
RELS = (
    '<?xml version="1.0" encoding="UTF-8"?>'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rels}</Relationships>'
)
OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORD_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _zip(parts: dict[str, str | bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return out.getvalue()


def _rel(rid: str, kind: str, target: str) -> str:
    return f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"/>'


def zip_bomb_xlsx(scale: float = 1.0) -> bytes:
    row = '<row r="1"><c r="A1" t="inlineStr"><is><t>Do you encrypt data at rest?</t></is></c></row>'
    padding = " " * int(scale * 100_000_000)
    sheet = f'<worksheet xmlns="{SHEET_NS}"><sheetData>{row}{padding}</sheetData></worksheet>'
    workbook = (
        f'<workbook xmlns="{SHEET_NS}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<sheets><sheet name="Security" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )
    main = "application/vnd.openxmlformats-officedocument.spreadsheetml"
    overrides = (
        f'<Override PartName="/xl/workbook.xml" ContentType="{main}.sheet.main+xml"/>'
        f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{main}.worksheet+xml"/>'
    )
    sheet_rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(overrides=overrides),
            "_rels/.rels": RELS.format(rels=_rel("rId1", OFFICE_DOC, "xl/workbook.xml")),
            "xl/workbook.xml": workbook,
            "xl/_rels/workbook.xml.rels": RELS.format(rels=_rel("rId1", sheet_rel, "worksheets/sheet1.xml")),
            "xl/worksheets/sheet1.xml": sheet,
        }
    )


def nested_docx(scale: float = 1.0) -> bytes:
    depth = max(1, int(scale * 50_000))
    rng = random.Random(7)
    levels = (
        f'<w:tbl><w:tblPr><w:tblCaption w:val="{rng.getrandbits(64):x}"/></w:tblPr><w:tr><w:tc>'
        for _ in range(depth)
    )
    body = "".join(levels) + "<w:p><w:r><w:t>Q1. Do you use MFA?</w:t></w:r></w:p>"
    body += "</w:tc></w:tr></w:tbl>" * depth
    document = f'<w:document xmlns:w="{WORD_NS}"><w:body>{body}</w:body></w:document>'
    main = "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"
    overrides = f'<Override PartName="/word/document.xml" ContentType="{main}"/>'
    return _zip(
        {
            "[Content_Types].xml": CONTENT_TYPES.format(overrides=overrides),
            "_rels/.rels": RELS.format(rels=_rel("rId1", OFFICE_DOC, "word/document.xml")),
            "word/document.xml": document,
        }
    )


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF from numbered objects (1 is the catalog) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def huge_pages_pdf(scale: float = 1.0) -> bytes:
    pages = max(1, int(scale * 5_000))
    kids = b" ".join(b"%d 0 R" % (n + 3) for n in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Count %d /Kids [%s] >>" % (pages, kids),
    ]
    objects += [b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 14400 14400] >>"] * pages
    return _pdf(objects)


def slow_pdf(scale: float = 1.0) -> bytes:
    text = b"BT /F1 9 Tf 72 720 Td (Do you review firewall rules every quarter?) Tj ET\n"
    busy = b"q 1 0 0 1 0 0 cm BT 72 720 Td ET Q\n"  # work for the interpreter, nothing kept in memory
    stream = zlib.compress(text + busy * max(1, int(scale * 300_000)), 9)
    font = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"
    page = b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Count 1 /Kids [3 0 R] >>",
            page,
            content,
            font,
        ]
    )


HOSTILE: dict[str, Callable[[float], bytes]] = {
    "zip-bomb.xlsx": zip_bomb_xlsx,
    "huge-pages.pdf": huge_pages_pdf,
    "nested.docx": nested_docx,
    "slow.pdf": slow_pdf,
}


def hostile_files(scale: float = 1.0) -> list[tuple[str, bytes]]:
    """(file name, content) of the four hostile files; ``scale`` below 1 makes them cheaper (tests)."""
    return [(name, make(scale)) for name, make in HOSTILE.items()]
