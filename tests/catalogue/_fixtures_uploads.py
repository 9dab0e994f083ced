"""Fixtures and generators for the catalogue's upload and rendering cases (sections 2.1 and 2.2).

Every hostile file is generated here at test time (each is at most about 1 MB on disk); the helpers go
through the real upload route and check what the catalogue asks of every refusal: a clear 4xx message
that names the file and the fix, nothing stored but one audit event, and a service that still answers.
"""

from __future__ import annotations

import html
import io
import os
import re
import signal
import socket
import threading
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pypdf
import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient
from openpyxl import Workbook
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen.canvas import Canvas
from sqlalchemy import Engine
from sqlmodel import Session, select
from werkzeug.datastructures import FileStorage
from werkzeug.test import TestResponse, encode_multipart

from core.models import AuditEvent
from evidence.models import Evidence
from review.jobs import InProcessQueue
from review.models import Draft, QuestionnaireRecord, QuestionRecord
from tests.helpers import PASSWORD, id_in, make_org, make_user
from web.context import Runtime

SAMPLES = Path(__file__).resolve().parents[1] / "samples"
XLSX_SAMPLE = SAMPLES / "sheet_x_columns.xlsx"
DOCX_SAMPLE = SAMPLES / "vendor_table.docx"
PDF_SAMPLE = SAMPLES / "vendor_table.pdf"
CFB_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
USER = "am@acme.example"
INDEX = "/o/acme/questionnaires/"
REJECTED = "upload_validation.failed"


# ---------------------------------------------------------------- sessions and the upload path


@pytest.fixture
def acme(runner: CliRunner) -> None:
    """Organisation acme with one account manager (who may upload)."""
    make_org(runner, "acme", "Acme Corp")
    make_user(runner, USER, "acme", "account_manager")
    make_user(runner, "approver@acme.example", "acme", "approver")


@pytest.fixture
def signed_in(acme: None, client: FlaskClient) -> FlaskClient:
    response = client.post("/login", data={"email": USER, "password": PASSWORD})
    assert response.status_code == 302, "login failed"
    return client


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """This test's own temporary folder, so a left-over upload copy is seen (and no one else's is)."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr("tempfile.tempdir", str(folder))
    return folder


def post_form(client: FlaskClient, url: str, fields: dict[str, object]) -> TestResponse:
    """A multipart POST encoded in memory (the test client would spool a large body to an unclosed
    temporary file)."""
    boundary, body = encode_multipart(fields)  # type: ignore[arg-type]
    return client.post(url, data=body, content_type=f"multipart/form-data; boundary={boundary}")


def upload(client: FlaskClient, data: bytes, name: str) -> TestResponse:
    file = FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream")
    return post_form(
        client, INDEX + "upload", {"file": file, "requester": "Initech", "requester_kind": "customer"}
    )


def text_of(response: TestResponse) -> str:
    return html.unescape(response.get_data(as_text=True))


def flashes(response: TestResponse) -> list[str]:
    return re.findall(r'class="flash[^"]*"[^>]*>(.*?)</', text_of(response), flags=re.S)


def assert_refused(response: TestResponse, status: int, name: str, *words: str) -> None:
    """A 4xx page whose message names the file, what is wrong and the fix."""
    body = text_of(response)
    shown = flashes(response) or [body[-600:]]
    assert response.status_code == status, f"expected {status}, got {response.status_code}: {shown}"
    assert name in body, f"the message does not name {name!r}: {shown}"
    assert "Fix:" in body, f"the message gives no fix: {shown}"
    for word in words:
        assert word in body, f"{word!r} missing from the message: {shown}"


def files_in_store(runtime: Runtime) -> list[Path]:
    root = runtime.settings.files_dir
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def audit_actions(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.id))]  # type: ignore[arg-type]


def assert_nothing_stored(engine: Engine, runtime: Runtime, private_tmp: Path | None = None) -> None:
    """No questionnaire, no question, no evidence, no file (not even a temporary one); one audit event."""
    with Session(engine) as s:
        assert s.exec(select(QuestionnaireRecord)).all() == [], "a questionnaire row was stored"
        assert s.exec(select(QuestionRecord)).all() == [], "question rows were stored"
        assert s.exec(select(Evidence)).all() == [], "an evidence row was stored"
    assert files_in_store(runtime) == [], "a file was left in the file store"
    if private_tmp is not None:
        assert list(private_tmp.iterdir()) == [], "a temporary copy of the upload was left behind"
    assert audit_actions(engine).count(REJECTED) == 1, audit_actions(engine)


def assert_service_answers(client: FlaskClient) -> None:
    assert client.get(INDEX).status_code == 200, "the service stopped answering"


def wait(runtime: Runtime) -> None:
    queue = runtime.jobs
    assert isinstance(queue, InProcessQueue), "tests run jobs in-process"
    queue.wait()


def upload_and_wait(
    client: FlaskClient, runtime: Runtime, engine: Engine, data: bytes, name: str
) -> QuestionnaireRecord:
    """Files that pass the pre-parse checks are accepted at once (302) and parsed by the job."""
    response = upload(client, data, name)
    assert response.status_code == 302, f"{name!r}: {response.status_code} {flashes(response)}"
    qid = id_in(response.headers["Location"])
    wait(runtime)
    with Session(engine) as s:
        record = s.get(QuestionnaireRecord, qid)
        assert record is not None
        return record


def assert_failed_cleanly(engine: Engine, runtime: Runtime, record: QuestionnaireRecord, *words: str) -> None:
    """A job refused by the parser: failed with a clear reason, no question or draft rows, no orphan
    file, the failure audited."""
    assert record.status == "failed", f"status {record.status}, error {record.error}"
    error = record.error or ""
    assert record.filename in error and "Fix:" in error, error
    assert "internal error" not in error and "failed unexpectedly" not in error, error
    for word in words:
        assert word in error, f"{word!r} missing from {error!r}"
    with Session(engine) as s:
        assert s.exec(select(QuestionRecord)).all() == [], "question rows were stored"
        assert s.exec(select(Draft)).all() == [], "draft rows were stored"
        referenced = {r.file_sha256 for r in s.exec(select(QuestionnaireRecord))}
    assert runtime.files.orphans(referenced) == [], "a file no row refers to was left in the store"
    assert "questionnaire.failed" in audit_actions(engine)


def assert_read_or_refused(engine: Engine, runtime: Runtime, record: QuestionnaireRecord) -> None:
    """Hostile but recoverable: either a clean failure or a successful (recovered) import."""
    if record.status != "ready":
        assert_failed_cleanly(engine, runtime, record)


# ---------------------------------------------------------------- spreadsheets and Word files


def questionnaire_xlsx(questions: int = 3, *, tag: str = "") -> bytes:
    """A small questionnaire: header "ID, Question, Answer" and ``questions`` rows; ``tag`` makes the
    bytes unique (the same bytes twice are one import)."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Security"
    sheet.append(["ID", "Question", "Answer"])
    for i in range(1, questions + 1):
        sheet.append([f"1.{i}", f"Do you review access to system {i} every quarter{tag}?", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def patched_zip(src: bytes | Path, changes: dict[str, bytes | Callable[[bytes], bytes]]) -> bytes:
    """A copy of an OOXML package with members replaced (a callable rewrites the old bytes) or added."""
    raw = src.read_bytes() if isinstance(src, Path) else src
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(raw)) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            change = changes.get(info.filename)
            if change is not None:
                data = change(data) if callable(change) else change
            zout.writestr(info.filename, data, zipfile.ZIP_DEFLATED)
        for name, change in changes.items():
            if name not in zin.namelist():
                zout.writestr(
                    name, change if isinstance(change, bytes) else change(b""), zipfile.ZIP_DEFLATED
                )
    return out.getvalue()


def cfb(names: list[str]) -> bytes:
    """An OLE2 compound file holding directory entries ``names`` (enough for the magic-byte check)."""
    header = CFB_MAGIC + b"\x00" * 504
    return header + b"".join(n.encode("utf-16-le").ljust(64, b"\x00") + b"\x00" * 64 for n in names)


def sheet_rows(count: int, *, start: int = 2) -> bytes:
    return b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t>1.%d</t></is></c>'
        b'<c r="B%d" t="inlineStr"><is><t>Is control %d reviewed every year?</t></is></c></row>'
        % (i, i, i, i, i)
        for i in range(start, start + count)
    )


def xlsx_with_rows(count: int) -> bytes:
    """``count`` question rows under a header, written straight into the sheet XML."""
    header = (
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c><c r="B1" t="inlineStr"><is><t>Question'
        b'</t></is></c><c r="C1" t="inlineStr"><is><t>Answer</t></is></c></row>'
    )

    def rewrite(sheet: bytes) -> bytes:
        start, end = sheet.index(b"<sheetData>") + len(b"<sheetData>"), sheet.index(b"</sheetData>")
        return sheet[:start] + header + sheet_rows(count) + sheet[end:]

    return patched_zip(questionnaire_xlsx(1), {"xl/worksheets/sheet1.xml": rewrite})


def strip_declaration(data: bytes) -> bytes:
    if data.startswith(b"<?xml"):
        return data[data.index(b"?>") + 2 :]
    return data


def with_doctype(doctype: str) -> Callable[[bytes], bytes]:
    """Put ``doctype`` in front of an XML part (replacing its declaration)."""
    return lambda data: b'<?xml version="1.0"?>' + doctype.encode() + strip_declaration(data)


LAUGHS_DTD = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10 if i > 1 else "&lol;" * 10}">' for i in range(1, 10))
    + "]>"
)
QUADRATIC_DTD = '<!DOCTYPE q [<!ENTITY a "' + "a" * 50_000 + '">]>'


# ---------------------------------------------------------------- PDFs


def pdf_pages(count: int, *, text: bool = True) -> bytes:
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=A4, invariant=1)
    for number in range(count):
        if text:
            canvas.drawString(72, 700, f"{number + 1}.1 Do you review access on page {number + 1}?")
        else:
            canvas.rect(50, 50, 400, 600, fill=1)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def blank_pages(count: int) -> bytes:
    writer = pypdf.PdfWriter()
    for _ in range(count):
        writer.add_blank_page(width=595, height=842)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def encrypted_pdf(*, user: str, owner: str) -> bytes:
    writer = pypdf.PdfWriter(clone_from=PDF_SAMPLE)
    writer.encrypt(user_password=user, owner_password=owner, algorithm="RC4-128")
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def raw_pdf(objects: list[bytes], *, root: int = 1, xref_prev_self: bool = False) -> bytes:
    """A PDF from object bodies (object i+1 is ``objects[i]``), with a correct cross-reference table;
    ``xref_prev_self`` makes the trailer's /Prev point at its own table (a /Prev cycle)."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    prev = b" /Prev %d" % xref if xref_prev_self else b""
    out += b"trailer\n<< /Size %d /Root %d 0 R%s >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        prev,
        xref,
    )
    return bytes(out)


def stream(data: bytes, extra: bytes = b"", *, compress: bool = False) -> bytes:
    body = zlib.compress(data, 9) if compress else data
    flate = b" /Filter /FlateDecode" if compress else b""
    return b"<< /Length %d%s %s >>\nstream\n" % (len(body), flate, extra) + body + b"\nendstream"


def page_pdf(
    content: bytes, *, resources: bytes = b"<< >>", extra: list[bytes] | None = None, compress: bool = False
) -> bytes:
    """One page whose content stream is ``content``; ``extra`` objects are numbered from 5."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources %s >>"
            % resources,
            stream(content, compress=compress),
            *(extra or []),
        ]
    )


TEXT = b"BT /F1 12 Tf 72 700 Td (1.1 Do you encrypt backups?) Tj ET"
FONT = b"<< /Font << /F1 5 0 R >> >>"
HELVETICA = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def pdf_prev_cycle() -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources "
            + FONT
            + b" >>",
            stream(TEXT),
            HELVETICA,
        ],
        xref_prev_self=True,
    )


def pdf_pages_cycle() -> bytes:
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
            b"<< /Type /Pages /Parent 2 0 R /Kids [2 0 R 3 0 R] /Count 1 >>",
        ]
    )


def pdf_recursive_xobject() -> bytes:
    form = stream(
        b"/X0 Do",
        b"/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X0 5 0 R >> >>",
    )
    return page_pdf(b"/X0 Do " + TEXT, resources=b"<< /XObject << /X0 5 0 R >> >>", extra=[form])


def pdf_deep_nesting(depth: int = 200_000) -> bytes:
    return page_pdf(
        b"[" * depth + b"]" * depth + b" " + TEXT, resources=FONT, extra=[HELVETICA], compress=True
    )


def pdf_truncated() -> bytes:
    data = PDF_SAMPLE.read_bytes()
    return data[: len(data) // 3]


def pdf_garbage_after_header() -> bytes:
    return b"%PDF-1.7\n" + bytes(range(256)) * 40


def pdf_flate_bomb(expanded_mb: int = 1024) -> bytes:
    """A page content stream of ``expanded_mb`` MiB of spaces, Flate-compressed to about 1 MiB."""
    packer = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    body = b"".join(packer.compress(chunk) for _ in range(expanded_mb)) + packer.flush()
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + body + b"\nendstream"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources "
            + FONT
            + b" >>",
            content,
            HELVETICA,
        ]
    )


def pdf_cpu_bomb(operators: int = 1_500_000) -> bytes:
    """Millions of tiny text-showing operators (tens of MiB of content, a few hundred KiB compressed)."""
    ops = b"BT /F1 1 Tf 1 1 Td (x) Tj ET\n" * operators
    return page_pdf(ops, resources=FONT, extra=[HELVETICA], compress=True)


def pdf_corrupt_flate() -> bytes:
    good = zlib.compress(TEXT * 2000, 9)
    broken = good[:20] + bytes(b ^ 0x5A for b in good[20:200]) + good[200:]
    content = b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(broken) + broken + b"\nendstream"
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources "
            + FONT
            + b" >>",
            content,
            HELVETICA,
        ]
    )


# ---------------------------------------------------------------- network and process probes


@dataclass
class Listener:
    """A TCP port on loopback that records every connection: proof that no parser fetched anything."""

    port: int = 0
    connections: list[bytes] = field(default_factory=list)


@pytest.fixture
def listener() -> Iterator[Listener]:
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.2)
    probe = Listener(port=server.getsockname()[1])
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _addr = server.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(0.5)
                try:
                    probe.connections.append(conn.recv(1024))
                except OSError:
                    probe.connections.append(b"")

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield probe
    stop.set()
    thread.join(2)
    server.close()


def killed_mid_parse(*_args: object, **_kwargs: object) -> None:
    """Stands in for the parser in the sandbox child: the child is killed as the OOM killer would."""
    os.kill(os.getpid(), signal.SIGKILL)
