"""The registry scores every reader on the content, logs the winner and survives a missing reader."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

import ingest
from core.errors import UnsupportedFormat
from ingest import registry

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
