"""Bad Word files end in one clear error of the right class naming the file and a fix (catalogue U01-U19)."""

from __future__ import annotations

import socket
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from core.errors import CorruptFile, EmptyFile, InputFileError, LimitExceeded, UnsupportedFormat
from ingest.limits import Limits
from ingest.readers import docx as reader

SAMPLE = Path(__file__).resolve().parents[1] / "samples" / "vendor_table.docx"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + f"]><w:document {W}><w:body><w:p><w:r><w:t>1.1 Do you &lol9;?</w:t></w:r></w:p></w:body></w:document>"
)
XXE = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/hostname">]>'
    f"<w:document {W}><w:body><w:p><w:r><w:t>1.1 Do you use the host &x; for backups?</w:t></w:r></w:p>"
    "</w:body></w:document>"
)


def replace_member(path: Path, member: str, payload: bytes) -> Path:
    with zipfile.ZipFile(SAMPLE) as src, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as out:
        for info in src.infolist():
            out.writestr(info, payload if info.filename == member else src.read(info))
        if member not in src.namelist():
            out.writestr(member, payload)
    return path


def bomb(path: Path) -> Path:
    return replace_member(path, "word/document.xml", LAUGHS.encode())


def xxe(path: Path) -> Path:
    return replace_member(path, "word/document.xml", XXE.encode())


def zip_bomb(path: Path) -> Path:
    return replace_member(path, "word/media/filler.bin", b"\0" * 30_000_000)


def legacy_doc(path: Path) -> Path:
    path.write_bytes(CFB_MAGIC + b"\0" * 504 + "WordDocument".encode("utf-16-le") + b"\0" * 512)
    return path


def encrypted_docx(path: Path) -> Path:
    path.write_bytes(CFB_MAGIC + b"\0" * 504 + "EncryptionInfo".encode("utf-16-le") + b"\0" * 512)
    return path


def empty(path: Path) -> Path:
    path.write_bytes(b"")
    return path


def xlsx_named_docx(path: Path) -> Path:
    path.write_bytes((SAMPLE.parent / "vendor_table.xlsx").read_bytes())
    return path


CASES = [
    pytest.param(empty, EmptyFile, "empty", id="U01-empty"),
    pytest.param(xlsx_named_docx, UnsupportedFormat, "Excel workbook", id="U02-xlsx-named-docx"),
    pytest.param(legacy_doc, UnsupportedFormat, "legacy", id="U03-legacy-doc"),
    pytest.param(encrypted_docx, UnsupportedFormat, "password", id="U03-password-protected"),
    pytest.param(bomb, CorruptFile, "DTD", id="U16-billion-laughs"),
    pytest.param(xxe, CorruptFile, "DTD", id="U17-xxe"),
    pytest.param(zip_bomb, LimitExceeded, "zip bomb", id="U18-zip-bomb"),
]


@pytest.mark.parametrize(("make", "error", "words"), CASES)
def test_docx_bad_input_raises_one_clear_error(
    make: Callable[[Path], Path],
    error: type[InputFileError],
    words: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = make(tmp_path / "vendor answers.docx")

    def no_network(*args: object, **kwargs: object) -> None:
        raise AssertionError("a reader must never open a socket")

    monkeypatch.setattr(socket, "socket", no_network)
    with pytest.raises(error) as info:
        reader.read(path, limits=Limits())
    message = str(info.value)
    assert type(info.value) is error
    assert "vendor answers.docx" in message and "Fix:" in message and words in message, message


def test_docx_damaged_part_is_corrupt_not_a_crash(tmp_path: Path) -> None:
    path = replace_member(tmp_path / "broken.docx", "word/document.xml", b"<w:document><w:body><w:p>")
    with pytest.raises(CorruptFile) as info:
        reader.read(path, limits=Limits())
    assert "broken.docx" in str(info.value) and "save it again" in str(info.value)
