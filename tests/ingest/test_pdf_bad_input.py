"""Bad PDFs end in one clear error of the right class that names the file and a fix (catalogue U01-U10)."""

from __future__ import annotations

from pathlib import Path

import pypdf
import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas

from core.errors import (
    CorruptFile,
    EmptyFile,
    EncryptedFile,
    InputFileError,
    LimitExceeded,
    NeedsOCR,
    UnsupportedFormat,
)
from ingest.limits import Limits
from ingest.readers import pdf as reader

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


def encrypted(path: Path, *, user: str, owner: str) -> Path:
    writer = pypdf.PdfWriter(clone_from=SAMPLES / "vendor_table.pdf")
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    with path.open("wb") as fh:
        writer.write(fh)
    return path


def textless(path: Path) -> Path:
    """What a scanner produces, minus the image: pages with drawings and no text."""
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    for _ in range(2):
        canvas.rect(50, 50, 400, 600, fill=1)
        canvas.showPage()
    canvas.save()
    return path


def pages(path: Path, count: int) -> Path:
    canvas = Canvas(str(path), pagesize=A4, invariant=1)
    for number in range(count):
        canvas.drawString(72, 700, f"{number + 1}.1 Do you review access on page {number + 1}?")
        canvas.showPage()
    canvas.save()
    return path


def truncated(path: Path) -> Path:
    data = (SAMPLES / "vendor_table.pdf").read_bytes()
    path.write_bytes(data[: len(data) // 3])
    return path


def garbage_after_header(path: Path) -> Path:
    path.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    return path


def html_named_pdf(path: Path) -> Path:
    path.write_text("<!DOCTYPE html><html><body>Questionnaire</body></html>")
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


CASES = [
    pytest.param(
        lambda p: encrypted(p, user="secret", owner="owner"),
        EncryptedFile,
        "password",
        id="U04-user-password",
    ),
    pytest.param(textless, NeedsOCR, "ocrmypdf", id="U06-no-text-layer"),
    pytest.param(truncated, CorruptFile, "could not be read", id="U07-truncated"),
    pytest.param(garbage_after_header, CorruptFile, "could not be read", id="U07-garbage-after-header"),
    pytest.param(html_named_pdf, UnsupportedFormat, "", id="U02-html-named-pdf"),
    pytest.param(empty, EmptyFile, "empty", id="U01-empty"),
]


@pytest.mark.parametrize(("make", "error", "words"), CASES)
def test_pdf_bad_input_raises_one_clear_error(
    make: object, error: type[InputFileError], words: str, tmp_path: Path
) -> None:
    path = make(tmp_path / "vendor questionnaire.pdf")  # type: ignore[operator]
    with pytest.raises(error) as info:
        reader.read(path, limits=Limits())
    message = str(info.value)
    assert type(info.value) is error
    assert "vendor questionnaire.pdf" in message, message
    assert "Fix:" in message and words in message, message


def test_pdf_page_limit_is_checked_before_extraction(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = pages(tmp_path / "long.pdf", 5)

    def no_extraction(*args: object, **kwargs: object) -> None:
        raise AssertionError("pdfplumber must not open a PDF over the page limit")

    monkeypatch.setattr(reader.pdfplumber, "open", no_extraction)
    with pytest.raises(LimitExceeded) as info:
        reader.read(path, limits=Limits(max_pages=3))
    assert (
        "5 pages" in str(info.value)
        and "long.pdf" in str(info.value)
        and "TRUSTDESK_MAX_PAGES" in str(info.value)
    )


def test_pdf_within_the_page_limit_reads(tmp_path: Path) -> None:
    found = reader.read(pages(tmp_path / "five.pdf", 5), limits=Limits(max_pages=5)).questions
    assert [q.number for q in found] == ["1.1", "2.1", "3.1", "4.1", "5.1"]


def test_pdf_owner_password_only_is_read_and_flagged(tmp_path: Path) -> None:
    path = encrypted(tmp_path / "restricted.pdf", user="", owner="owner-secret")
    result = reader.read(path, limits=Limits())
    assert len(result.questions) == 12
    assert result.detected["permissions_restricted"] is True
