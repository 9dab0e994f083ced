"""Recognise an evidence file by its content (magic bytes), never by its name or the browser's claim.

Accepted: PDF, Office Open XML (DOCX, XLSX, PPTX), PNG, JPEG, GIF, WebP and UTF-8 text (plain, CSV,
Markdown, JSON). Anything else is refused with :class:`UnsupportedFormat`.
"""

from __future__ import annotations

import io
import zipfile

from core.errors import CorruptFile, UnsupportedFormat

#: media type -> the file extension used for downloads and pack members
EXTENSIONS = {
    "application/pdf": ".pdf",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": ".xlsx",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation": ".pptx",
    "image/png": ".png",
    "image/jpeg": ".jpg",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "text/plain": ".txt",
}
_OOXML = {
    "word/": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xl/": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ppt/": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
SNIFF_BYTES = 8192


#: the extensions a user's file name may carry for each media type; any other known one is a mismatch
_NAMED = {
    ".pdf": "application/pdf",
    ".docx": _OOXML["word/"],
    ".xlsx": _OOXML["xl/"],
    ".pptx": _OOXML["ppt/"],
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
}
_MARKUP = (b"<!doctype html", b"<html", b"<svg", b"<?xml", b"<script", b"<head", b"<body", b"<iframe")


def sniff(head: bytes, *, data: bytes | None = None, name: str = "upload") -> str:
    """The media type of a file from its content, refused when the name claims another known type
    (an HTML page named .pdf, catalogue R08 and U02)."""
    media_type = _by_content(head, data=data, name=name)
    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    claimed = _NAMED.get(suffix)
    if claimed is not None and claimed != media_type:
        raise UnsupportedFormat(
            f"{name}: the name says {suffix} but the content is {media_type}",
            fix=f"upload the original {suffix} file, or rename the file to match what it really is",
        )
    return media_type


def _by_content(head: bytes, *, data: bytes | None, name: str) -> str:
    if head.startswith(b"%PDF-"):
        return "application/pdf"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "image/webp"
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(data if data is not None else head, name)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_MARKUP):
        raise UnsupportedFormat(
            f"{name} is HTML, SVG or XML markup, which is never kept as evidence (a browser could run it)",
            fix="print the page to PDF and upload the PDF, or record a link to it",
        )
    if _is_text(head):
        return "text/plain"
    raise UnsupportedFormat(
        f"{name} is not a file type kept as evidence",
        fix="upload a PDF, DOCX, XLSX, PPTX, PNG, JPEG, GIF, WebP or UTF-8 text file, or record a link",
    )


def _ooxml(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = archive.namelist()
    except zipfile.BadZipFile as exc:
        raise CorruptFile(
            f"{name} looks like a ZIP file but cannot be opened", fix="upload it again"
        ) from exc
    if "[Content_Types].xml" in names:
        for prefix, media_type in _OOXML.items():
            if any(n.startswith(prefix) for n in names):
                return media_type
    raise UnsupportedFormat(
        f"{name} is a ZIP archive, not an Office document",
        fix="upload the documents inside it one by one",
    )


def _is_text(head: bytes) -> bool:
    if not head or b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        # a multi-byte character cut at the end of the sniffed window is still text
        if exc.start < len(head) - 4:
            return False
    return True
