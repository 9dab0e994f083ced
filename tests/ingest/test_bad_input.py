"""Bad input ends in one specific error that names the file and says how to fix it, before any reader
runs (catalogue U01-U03, U12, U16, U20), or in a warning the user sees (U11, U15, U27). These are the
parser-level checks; tests/catalogue/test_uploads.py runs every case through the upload route. Fixtures are generated here, none is over 1 MB on disk."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest

import ingest
from core.errors import CorruptFile, EmptyFile, InputFileError, LimitExceeded, UnsupportedFormat
from ingest.limits import Limits
from ingest.sniff import CFB_MAGIC

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def assert_clear(error: InputFileError, filename: str) -> None:
    message = str(error)
    assert filename in message, message
    assert "Fix:" in message and error.fix, message


def test_U01_empty_file_is_refused_before_any_reader(tmp_path: Path) -> None:
    path = tmp_path / "vendor.xlsx"
    path.write_bytes(b"")
    with pytest.raises(EmptyFile, match="The file is empty") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "vendor.xlsx")


def test_U02_pdf_renamed_xlsx_is_a_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "answers.xlsx"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n")
    with pytest.raises(UnsupportedFormat, match=r"\.xlsx but the content is a PDF") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "answers.xlsx")


def test_U02_html_renamed_pdf_is_a_wrong_type(tmp_path: Path) -> None:
    path = tmp_path / "policy.pdf"
    path.write_bytes(b"<!DOCTYPE html><html><body>login</body></html>")
    with pytest.raises(UnsupportedFormat, match="not a PDF") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "policy.pdf")


def test_truncated_workbook_is_corrupt(tmp_path: Path) -> None:
    data = (SAMPLES / "sheet_x14_validation.xlsx").read_bytes()
    path = tmp_path / "broken.xlsx"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(CorruptFile) as caught:
        ingest.parse(path)
    assert_clear(caught.value, "broken.xlsx")


def _cfb(names: list[str]) -> bytes:
    header = CFB_MAGIC + b"\x00" * 504
    directory = b"".join(n.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for n in names)
    return header + directory


def test_U03_password_protected_workbook_is_an_unsupported_ole2_container(tmp_path: Path) -> None:
    path = tmp_path / "protected.xlsx"
    path.write_bytes(_cfb(["Root Entry", "EncryptionInfo", "EncryptedPackage"]))
    with pytest.raises(UnsupportedFormat, match="password-protected") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "protected.xlsx")


def test_U03_legacy_xls_asks_for_xlsx(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(_cfb(["Root Entry", "Workbook"]))
    with pytest.raises(UnsupportedFormat, match="legacy") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "old.xls")


def test_U12_zip_bomb_is_refused_from_the_central_directory(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\x00" * 30_000_000)
    assert path.stat().st_size < 1_000_000
    with pytest.raises(LimitExceeded, match="expands") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "bomb.xlsx")


def test_archive_with_too_many_entries_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "many.xlsx"
    shutil.copy(SAMPLES / "sheet_x_columns.xlsx", path)
    with pytest.raises(LimitExceeded, match="entries") as caught:
        ingest.parse(path, limits=Limits(max_archive_entries=3))
    assert_clear(caught.value, "many.xlsx")


def test_plain_zip_named_xlsx_is_not_an_office_file(tmp_path: Path) -> None:
    path = tmp_path / "evidence.xlsx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("notes.txt", "hello")
    with pytest.raises(UnsupportedFormat, match="ZIP archive") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "evidence.xlsx")


def test_U11_sheet_beyond_the_row_limit_is_truncated_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "huge.xlsx"
    shutil.copy(SAMPLES / "sheet_x14_validation.xlsx", path)
    result = ingest.parse(path, limits=Limits(max_rows=5))
    warning = next(w for w in result.warnings if "more than 5 rows" in w)
    assert "huge.xlsx!Security" in warning and "only the first 5 were read" in warning, warning
    assert "TRUSTDESK_MAX_ROWS" in warning and "Split" in warning
    assert all(
        int(q.ref.rsplit("!", 1)[1].lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")) <= 5 for q in result.questions
    )


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "big.csv"
    path.write_text("Question,Answer\n" + "Do you?,\n" * 200)
    with pytest.raises(LimitExceeded, match="over the limit") as caught:
        ingest.parse(path, limits=Limits(max_file_bytes=100))
    assert_clear(caught.value, "big.csv")


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
)


def test_U16_xml_bomb_in_the_workbook_part_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "laughs.xlsx"
    with zipfile.ZipFile(SAMPLES / "sheet_x_columns.xlsx") as zin, zipfile.ZipFile(path, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/workbook.xml":
                data = data.replace(b"<?xml version='1.0' encoding='UTF-8'?>", b"").replace(
                    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>', b""
                )
                data = BILLION_LAUGHS.encode() + data
            zout.writestr(info, data)
    with pytest.raises(CorruptFile, match="DTD/entities") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "laughs.xlsx")


def _patched(src: Path, dst: Path, member: str, old: bytes, new: bytes) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            zout.writestr(info, data.replace(old, new, 1) if info.filename == member else data)
    return dst


def test_U13_U14_far_cell_and_lying_dimension_read_only_the_real_rows(tmp_path: Path) -> None:
    src = SAMPLES / "sheet_x_columns.xlsx"
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row></sheetData>'
    path = _patched(src, tmp_path / "far.xlsx", "xl/worksheets/sheet1.xml", b"</sheetData>", far)
    path = _patched(
        path, tmp_path / "far2.xlsx", "xl/worksheets/sheet1.xml", b'ref="A1:G6"', b'ref="A1:XFD1048576"'
    )
    result = ingest.parse(path)
    assert len(result.questions) == 5


def test_U27_formulas_without_saved_values_are_counted_in_a_warning() -> None:
    result = ingest.parse(SAMPLES / "sheet_x14_validation.xlsx")
    assert any(
        "Security: 1 cell contains a formula without values" in w and "re-save in Excel" in w
        for w in result.warnings
    ), result.warnings


def test_U27_several_uncalculated_formulas_are_counted(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["#", "Question", "Answer", "Score"])
    for i in range(1, 4):
        ws.append([i, f"Do you run control {i} every year?", None, f'=IF(C{i + 1}="Yes",1,0)'])
    path = tmp_path / "formulas.xlsx"
    wb.save(path)  # openpyxl stores formulas without a cached value, as a file never opened in Excel
    result = ingest.parse(path)
    assert len(result.questions) == 3
    assert any("3 cells contain formulas without values; re-save in Excel" in w for w in result.warnings)


def test_U15_cell_text_is_capped_at_excels_limit_and_the_cut_is_reported(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["#", "Question", "Answer"])
    ws.append([1, "Do you LONG?", None])
    ws.append([2, "Are backups tested?", None])
    wb.save(tmp_path / "short.xlsx")
    path = _patched(  # openpyxl itself would cut the text on writing: put it into the XML
        tmp_path / "short.xlsx",
        tmp_path / "long.xlsx",
        "xl/worksheets/sheet1.xml",
        b"LONG",
        b"long " * 10_000,
    )
    result = ingest.parse(path)
    assert len(result.questions[0].text) <= 32_767
    assert any("long.xlsx!Sheet!B2" in w and "32,767" in w for w in result.warnings), result.warnings


def test_U11_default_row_limit_truncates_a_30000_row_sheet_at_10000(tmp_path: Path) -> None:
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>%d</v></c></row>' % (i, i, i) for i in range(1, 30_001))
    src = SAMPLES / "sheet_x_columns.xlsx"
    with zipfile.ZipFile(src) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    start, end = sheet.index(b"<sheetData>") + len(b"<sheetData>"), sheet.index(b"</sheetData>")
    path = _patched(src, tmp_path / "long.xlsx", "xl/worksheets/sheet1.xml", sheet[start:end], rows)
    result = ingest.parse(path)
    assert any("long.xlsx!Checklist" in w and "more than 10,000 rows" in w for w in result.warnings)


def test_U20_macro_workbook_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "vendor.xlsx"
    shutil.copy(SAMPLES / "sheet_x_columns.xlsx", path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 never run")
    with pytest.raises(UnsupportedFormat, match="Macro-enabled workbooks are not accepted") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "vendor.xlsx")
    assert "save as .xlsx without macros" in (caught.value.fix or "")


def test_U20_xlsm_content_type_or_name_is_refused_even_without_a_vba_part(tmp_path: Path) -> None:
    typed = _patched(
        SAMPLES / "sheet_x_columns.xlsx",
        tmp_path / "typed.xlsx",
        "[Content_Types].xml",
        b"spreadsheetml.sheet.main+xml",
        b"ms-excel.sheet.macroEnabled.main+xml",
    )
    named = tmp_path / "named.xlsm"
    shutil.copy(SAMPLES / "sheet_x_columns.xlsx", named)
    for path in (typed, named):
        with pytest.raises(UnsupportedFormat, match="Macro-enabled") as caught:
            ingest.parse(path)
        assert_clear(caught.value, path.name)


def test_u20_excel4_macro_sheet_is_refused_like_vba(tmp_path: Path) -> None:
    """XLM macros live in ``xl/macrosheets/``, not in a VBA project; they carry code all the same."""
    path = tmp_path / "vendor.xlsx"
    shutil.copy(SAMPLES / "sheet_x_columns.xlsx", path)
    with zipfile.ZipFile(path, "a") as zf:
        zf.writestr("xl/macrosheets/sheet1.xml", b"<xm:macrosheet/>")
    with pytest.raises(UnsupportedFormat, match="Macro-enabled workbooks are not accepted") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "vendor.xlsx")


def test_u20_macro_enabled_word_document_is_refused(tmp_path: Path) -> None:
    """The same rule for Word: a VBA project, or the .docm name, is refused with its own wording."""
    with_code = tmp_path / "vendor.docx"
    shutil.copy(SAMPLES / "vendor_table.docx", with_code)
    with zipfile.ZipFile(with_code, "a") as zf:
        zf.writestr("word/vbaProject.bin", b"\xd0\xcf\x11\xe0 never run")
    named = tmp_path / "vendor.docm"
    shutil.copy(SAMPLES / "vendor_table.docx", named)
    for path in (with_code, named):
        with pytest.raises(UnsupportedFormat, match="Macro-enabled documents are not accepted") as caught:
            ingest.parse(path)
        assert_clear(caught.value, path.name)
        assert "save as .docx without macros" in (caught.value.fix or "")


def test_U17_external_entity_in_a_sheet_is_refused_and_never_resolved(tmp_path: Path) -> None:
    assert openpyxl.DEFUSEDXML is True, "openpyxl must parse through defusedxml"
    xxe = b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY h SYSTEM "file:///etc/hostname">]><worksheet'
    src = SAMPLES / "sheet_x_columns.xlsx"
    with zipfile.ZipFile(src) as zf:
        sheet = zf.read("xl/worksheets/sheet1.xml")
    head = sheet[: sheet.index(b"<worksheet") + len(b"<worksheet")]
    path = _patched(src, tmp_path / "xxe.xlsx", "xl/worksheets/sheet1.xml", head, xxe)
    with pytest.raises(CorruptFile, match="DTD/entities") as caught:
        ingest.parse(path)
    assert_clear(caught.value, "xxe.xlsx")
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else "\x00"
    assert hostname not in str(caught.value)
