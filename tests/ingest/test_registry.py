"""The registry scores every reader on the content, logs the winner and survives a missing reader."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

import ingest
from core.errors import InputFileError, UnsupportedFormat
from ingest import registry
from ingest.limits import Limits

SAMPLES = Path(__file__).resolve().parent.parent / "samples"


def test_winner_is_logged_with_every_score(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="ingest.registry"):
        assert ingest.detect(SAMPLES / "sheet_x_columns.xlsx") == "xlsx"
    assert any(
        "reader xlsx chosen" in r.getMessage() and "'csv': 0" in r.getMessage() for r in caplog.records
    )


def test_a_missing_reader_module_does_not_break_the_others(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "READERS", ("not_written_yet", "xlsx", "csv"))
    assert ingest.detect(SAMPLES / "semicolon_cp1252.csv") == "csv"


def test_csv_content_is_read_as_csv_whatever_its_name(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("ID;Question;Answer\n1;Do you have an ISMS?;Yes\n", encoding="utf-8")
    assert ingest.detect(path) == "csv"
    assert ingest.parse(path).questions[0].existing_answer == "Yes"


def test_content_no_reader_knows_is_unsupported(tmp_path: Path) -> None:
    path = tmp_path / "picture.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)
    with pytest.raises(UnsupportedFormat, match=r"picture\.png.*no reader recognises") as caught:
        ingest.parse(path)
    assert caught.value.fix


def test_errors_and_warnings_name_the_users_file_not_the_storage_key(tmp_path: Path) -> None:
    stored = tmp_path / "3f2a9c.bin"
    sample = (SAMPLES / "sheet_x14_validation.xlsx").read_bytes()
    stored.write_bytes(sample)
    warnings = ingest.parse(stored, filename="vendor.xlsx", limits=Limits(max_rows=3)).warnings
    assert any(w.startswith("vendor.xlsx!Security") for w in warnings), warnings
    assert not any("3f2a9c" in w for w in warnings), warnings
    stored.write_bytes(sample.replace(b"xl/workbook.xml", b"xl/workbook.xmX"))  # damaged, found by the reader
    with pytest.raises(InputFileError) as caught:
        ingest.parse(stored, filename="vendor.xlsx")
    assert "vendor.xlsx" in str(caught.value) and "3f2a9c" not in str(caught.value)


def test_ingest_imports_no_database_and_no_web_framework() -> None:
    code = "import sys, ingest, ingest.readers.xlsx, ingest.readers.csv, ingest.writers.xlsx; " + (
        "print(sorted(m for m in sys.modules if m.split('.')[0] in {'sqlmodel', 'sqlalchemy', 'flask'}))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
