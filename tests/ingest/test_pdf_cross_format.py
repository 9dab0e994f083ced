"""The same questionnaire as DOCX, PDF (table, text, form) and XLSX yields the same questions.

Also proves the samples in ``tests/samples`` are exactly what ``make_samples.py`` writes, and that the
registry picks each of these readers by content even when the file name lies.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import ingest
from ingest.limits import Limits
from ingest.model import Questionnaire
from ingest.registry import choose
from ingest.sniff import read_head
from tests.samples import make_pdf_exports, make_samples
from tests.shared_data import require_shared

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
EXPECTED = [(number, text) for _, number, text in make_samples.questions()]
SECTIONS = [section for section, _, _ in make_samples.questions()]
FILES = {
    "vendor_table.docx": "docx",
    "vendor_numbered.docx": "docx",
    "vendor_table.pdf": "pdf",
    "vendor_text.pdf": "pdf",
    "vendor_form.pdf": "pdf",
    "vendor_table.xlsx": "xlsx",
}


def parse(path: Path) -> Questionnaire:
    return ingest.parse(path, limits=Limits())


@pytest.mark.parametrize("name", sorted(FILES))
def test_every_format_of_the_sample_yields_the_same_questions(name: str) -> None:
    result = parse(SAMPLES / name)
    assert result.reader == FILES[name]
    assert [(q.number, q.text) for q in result.questions] == EXPECTED
    assert [q.section for q in result.questions] == SECTIONS


@pytest.mark.parametrize("name", sorted(FILES))
def test_registry_picks_the_reader_by_content_not_by_name(name: str, tmp_path: Path) -> None:
    disguised = tmp_path / "upload.bin"
    shutil.copyfile(SAMPLES / name, disguised)
    assert choose(read_head(disguised), disguised.name).name == FILES[name]


@pytest.mark.shared_data
def test_registry_picks_vsaq_for_the_google_templates() -> None:
    path = require_shared("data", "questionnaires", "vsaq", "webapp.json")
    assert choose(read_head(path), path.name).name == "vsaq"


def test_samples_are_what_make_samples_writes(tmp_path: Path) -> None:
    made = make_samples.main(tmp_path)
    assert sorted(p.name for p in made) == sorted(FILES)
    stale = [p.name for p in made if p.read_bytes() != (SAMPLES / p.name).read_bytes()]
    assert not stale, f"run `.venv/bin/python -m tests.samples.make_samples`; stale: {stale}"


def test_samples_stay_commit_sized() -> None:
    assert all(
        (SAMPLES / name).stat().st_size < 64_000
        for name in [*FILES, *make_pdf_exports.EXPORTS, "caiq3_export_marks.pdf"]
    )


def test_pdf_exports_are_what_make_pdf_exports_writes(tmp_path: Path) -> None:
    made = make_pdf_exports.main(tmp_path)
    stale = [p.name for p in made if p.read_bytes() != (SAMPLES / p.name).read_bytes()]
    assert not stale, f"run `.venv/bin/python -m tests.samples.make_pdf_exports`; stale: {stale}"


@pytest.mark.parametrize(
    ("name", "workbook", "tabs", "pages"),
    [
        ("caiq_export_ruled.pdf", "sheet_caiq_v4_completed.xlsx", ("CAIQv4",), 2),
        ("caiq_export_plain.pdf", "sheet_caiq_v4_completed.xlsx", ("CAIQv4",), 2),
        ("caiq_export_wide.pdf", "sheet_caiq_v4_completed.xlsx", ("CAIQv4",), 3),
        ("hecvat_export_ruled.pdf", "sheet_hecvat_full.xlsx", ("Organization", "Product"), 2),
        ("hecvat_export_plain.pdf", "sheet_hecvat_full.xlsx", ("Organization", "Product"), 2),
        ("caiq3_export_marks.pdf", "sheet_two_row_header.xlsx", ("Assessment",), 2),
    ],
)
def test_workbook_printed_to_pdf_yields_the_questions_of_its_workbook(
    name: str, workbook: str, tabs: tuple[str, ...], pages: int
) -> None:
    """A completed CAIQ or HECVAT exported to PDF (ruled or without gridlines, the header repeated on the
    next page, domain banners spanning the row, yes/no and free-text answers, a wide sheet's other
    columns printed on later pages, CAIQ v3's Yes | No | Not Applicable columns marked with an X under a
    two-row header) gives the workbook's numbers, texts, sections and answers for the tabs printed, and
    nothing else."""
    sheet = [q for q in parse(SAMPLES / workbook).questions if q.ref.split("!")[0] in tabs]
    printed = parse(SAMPLES / name)
    assert printed.reader == "pdf" and printed.detected["pages"] == pages
    assert [(q.number, q.text) for q in printed.questions] == [(q.number, q.text) for q in sheet]
    assert [q.section for q in printed.questions] == [q.section for q in sheet]
    assert [q.existing_answer for q in printed.questions] == [q.existing_answer for q in sheet]
