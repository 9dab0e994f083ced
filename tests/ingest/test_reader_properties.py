"""Any bytes given to any reader end in a Questionnaire or one of our TrustdeskError subclasses, never in
another exception (issue 7 item 8): random bytes, bytes behind each format's magic, and structured
mutations of a valid sample (a valid ZIP with one member damaged, a PDF with bytes flipped or cut).

Example counts follow the hypothesis profile: ``default`` is small enough for ``make test``; run
``HYPOTHESIS_PROFILE=fuzz pytest tests/ingest/test_reader_properties.py`` for a longer fuzz run.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import ingest
from core.errors import TrustdeskError
from ingest.limits import Limits
from ingest.model import Questionnaire
from ingest.readers import csv as csv_reader
from ingest.readers import docx as docx_reader
from ingest.readers import pdf as pdf_reader
from ingest.readers import vsaq as vsaq_reader
from ingest.readers import xlsx as xlsx_reader
from tests.ingest.test_vsaq import SNIPPET

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
LIMITS = Limits(max_rows=200, max_pages=5)
SAMPLE_FILES = {
    "xlsx": SAMPLES / "vendor_table.xlsx",
    "docx": SAMPLES / "vendor_table.docx",
    "pdf": SAMPLES / "vendor_table.pdf",
    "pdf-form": SAMPLES / "vendor_form.pdf",
    "csv": SAMPLES / "semicolon_cp1252.csv",
}
READERS: dict[str, tuple[ModuleType, str]] = {
    "xlsx": (xlsx_reader, ".xlsx"),
    "docx": (docx_reader, ".docx"),
    "pdf": (pdf_reader, ".pdf"),
    "pdf-form": (pdf_reader, ".pdf"),
    "csv": (csv_reader, ".csv"),
    "vsaq": (vsaq_reader, ".json"),
}
MAGIC = {"xlsx": b"PK\x03\x04", "docx": b"PK\x03\x04", "pdf": b"%PDF-1.7\n", "pdf-form": b"%PDF-1.4\n"}
SLOW = settings(
    deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)


def sample_bytes(kind: str) -> bytes:
    return SNIPPET.encode() if kind == "vsaq" else SAMPLE_FILES[kind].read_bytes()


def read_or_refuse(kind: str, data: bytes, folder: Path) -> Questionnaire | TrustdeskError:
    """The reader's answer: a Questionnaire or our error; any other exception fails the property."""
    reader, suffix = READERS[kind]
    path = folder / f"fuzzed{suffix}"
    path.write_bytes(data)
    try:
        result = reader.read(path, limits=LIMITS)
    except TrustdeskError as exc:
        assert str(exc), f"{kind}: an error without a message"
        return exc
    assert isinstance(result, Questionnaire), f"{kind}: returned {type(result).__name__}"
    return result


def mutate(data: bytes, draw: st.DrawFn) -> bytes:
    """Flip, insert or cut bytes at drawn places."""
    kind = draw(st.sampled_from(["flip", "insert", "cut", "truncate"]))
    at = draw(st.integers(min_value=0, max_value=max(len(data) - 1, 0)))
    if kind == "flip":
        return data[:at] + bytes([data[at] ^ draw(st.integers(1, 255))]) + data[at + 1 :] if data else data
    if kind == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=64)) + data[at:]
    if kind == "cut":
        return data[:at] + data[at + draw(st.integers(1, 512)) :]
    return data[:at]


@st.composite
def zip_with_a_damaged_member(draw: st.DrawFn, kind: str) -> bytes:
    """A structurally valid ZIP of the sample whose one member's content is mutated."""
    with zipfile.ZipFile(io.BytesIO(sample_bytes(kind))) as zf:
        members = {info.filename: zf.read(info) for info in zf.infolist()}
    name = draw(st.sampled_from(sorted(members)))
    members[name] = mutate(members[name], draw)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, content in members.items():
            zf.writestr(member, content)
    return out.getvalue()


@st.composite
def mutated_sample(draw: st.DrawFn, kind: str) -> bytes:
    return mutate(sample_bytes(kind), draw)


@pytest.mark.parametrize("kind", sorted(READERS))
@SLOW
@given(data=st.binary(max_size=2048))
def test_any_bytes_give_a_questionnaire_or_our_error(kind: str, data: bytes, tmp_path: Path) -> None:
    read_or_refuse(kind, MAGIC.get(kind, b"") + data, tmp_path)


@pytest.mark.parametrize("kind", sorted(READERS))
@SLOW
@given(data=st.data())
def test_a_mutated_valid_sample_gives_a_questionnaire_or_our_error(
    kind: str, data: st.DataObject, tmp_path: Path
) -> None:
    read_or_refuse(kind, data.draw(mutated_sample(kind)), tmp_path)


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
@SLOW
@given(data=st.data())
def test_a_valid_zip_with_a_damaged_member_gives_a_questionnaire_or_our_error(
    kind: str, data: st.DataObject, tmp_path: Path
) -> None:
    read_or_refuse(kind, data.draw(zip_with_a_damaged_member(kind)), tmp_path)


@SLOW
@given(
    data=st.binary(max_size=4096), name=st.sampled_from(["q.xlsx", "q.docx", "q.pdf", "q.csv", "q.json", "q"])
)
def test_the_whole_parse_path_gives_a_questionnaire_or_our_error(
    data: bytes, name: str, tmp_path: Path
) -> None:
    path = tmp_path / "upload"
    path.write_bytes(data)
    try:
        result = ingest.parse(path, limits=LIMITS, filename=name)
    except TrustdeskError:
        return
    assert isinstance(result, Questionnaire)
