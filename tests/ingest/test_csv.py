"""CSV questionnaires: encoding and delimiter sniffed, the same detection as a sheet, safe write-back."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import ingest

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_semicolon_cp1252_csv_is_decoded_and_split() -> None:
    result = ingest.parse(SAMPLES / "semicolon_cp1252.csv")
    assert result.reader == "csv"
    assert result.detected["encoding"] == "cp1252" and result.detected["delimiter"] == ";"
    assert [q.number for q in result.questions] == ["4.1", "4.2", "4.2.1"]
    assert result.questions[2].text == "Qui a accès aux clés ’maîtres’ ?"
    assert result.questions[0].existing_answer == "Oui"
    assert result.sections == ["Sécurité des données"], "'4' followed by 4.1 is a heading"


def test_utf8_bom_comma_csv_without_numbers(tmp_path: Path) -> None:
    path = tmp_path / "plain.csv"
    path.write_bytes("\ufeffQuestion,Response\nDo you encrypt backups?,\nDescribe your SDLC,\n".encode())
    result = ingest.parse(path)
    assert [q.text for q in result.questions] == ["Do you encrypt backups?", "Describe your SDLC"]
    assert result.questions[0].location.cell == "B2"


def test_csv_write_back_keeps_encoding_and_neutralises_formulas(tmp_path: Path) -> None:
    src = SAMPLES / "semicolon_cp1252.csv"
    questions = ingest.parse(src).questions
    answers = {questions[1].ref: '=HYPERLINK("http://evil")', questions[2].ref: "L’équipe sécurité"}
    out = ingest.fill(src, questions, answers, tmp_path / "filled.csv")
    raw = out.read_bytes()
    assert raw.decode("cp1252").count("\r\n") == src.read_bytes().decode("cp1252").count("\r\n")
    again = {q.ref: q.existing_answer for q in ingest.parse(out).questions}
    assert again[questions[2].ref] == "L’équipe sécurité"
    assert again[questions[1].ref] == '\'=HYPERLINK("http://evil")'
    rows = list(csv.reader(io.StringIO(raw.decode("cp1252")), delimiter=";"))
    assert not any(cell.startswith(("=", "+", "@")) for row in rows for cell in row)


def test_utf16_tab_separated_export_with_choices_in_the_header(tmp_path: Path) -> None:
    """Excel's "Unicode text" export: UTF-16 with a BOM, tab-separated."""
    path = tmp_path / "export.txt"
    text = "ID\tQuestion\tResponse (Yes/No/N/A)\r\nAC-1\tIs MFA enforced for admins?\tYes\r\nAC-2\tAre accounts reviewed?\t\r\n"
    path.write_bytes(text.encode("utf-16"))
    result = ingest.parse(path)
    assert result.reader == "csv" and result.detected["delimiter"] == "\t"
    assert [q.number for q in result.questions] == ["AC-1", "AC-2"]
    assert result.questions[0].choices == ("Yes", "No", "N/A") and result.questions[0].answer_type == "yes_no"
    assert result.questions[0].existing_answer == "Yes"
