# ruff: noqa: F811  (pytest fixtures imported from _fixtures_uploads are requested by name)
"""Catalogue section 2.1, uploads and parsing: one test per case, named with its ID, through the real
upload route (and ``trustdesk questionnaire import`` where the CLI path differs).

Refusals decided before parsing (type, archive and size checks) answer 4xx at once and store nothing
but one ``upload_validation.failed`` audit event. Files that need the sandboxed parser to be judged are
accepted (302), and the job ends ``failed`` with the reason, no question or draft rows and no orphan file
(U26's "import job marked FAILED"), or in a bounded import.
"""

from __future__ import annotations

import dataclasses
import io
import json
import os
import re
import unicodedata
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from core.models import AuditEvent
from review import pipeline
from review.files import sweep_orphans
from review.models import QuestionnaireRecord, QuestionRecord
from tests.catalogue._fixtures_uploads import (  # noqa: F401  (pytest fixtures)
    DOCX_SAMPLE,
    INDEX,
    LAUGHS_DTD,
    QUADRATIC_DTD,
    REJECTED,
    XLSX_SAMPLE,
    Listener,
    acme,
    assert_failed_cleanly,
    assert_nothing_stored,
    assert_read_or_refused,
    assert_refused,
    assert_service_answers,
    audit_actions,
    blank_pages,
    cfb,
    encrypted_pdf,
    files_in_store,
    flashes,
    killed_mid_parse,
    listener,
    patched_zip,
    pdf_corrupt_flate,
    pdf_cpu_bomb,
    pdf_deep_nesting,
    pdf_flate_bomb,
    pdf_garbage_after_header,
    pdf_pages,
    pdf_pages_cycle,
    pdf_prev_cycle,
    pdf_recursive_xobject,
    pdf_truncated,
    post_form,
    private_tmp,
    questionnaire_xlsx,
    signed_in,
    text_of,
    upload,
    upload_and_wait,
    wait,
    with_doctype,
    xlsx_with_rows,
)
from tests.helpers import cli, oid
from web.cli import main
from web.context import Runtime


def configure(runtime: Runtime, **changes: object) -> None:
    """Change settings before the first job is queued (the queue reads them when it is created)."""
    runtime.settings = dataclasses.replace(runtime.settings, **changes)  # type: ignore[arg-type]
    runtime.__dict__.pop("jobs", None)


def refused_at_upload(
    client: FlaskClient,
    engine: Engine,
    runtime: Runtime,
    tmp: Path,
    data: bytes,
    name: str,
    status: int,
    *words: str,
) -> None:
    assert_refused(upload(client, data, name), status, name, *words)
    assert_nothing_stored(engine, runtime, tmp)
    assert_service_answers(client)


# ---------------------------------------------------------------- refused before parsing


@pytest.mark.parametrize("name", ["vendor.xlsx", "policy.pdf", "answers.docx", "questions.csv", "noext"])
def test_U01_empty_file_is_refused_before_any_parser_runs(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, private_tmp: Path, name: str
) -> None:
    refused_at_upload(signed_in, engine, runtime, private_tmp, b"", name, 400, "The file is empty")


def test_U01_empty_file_is_refused_by_the_cli_import_too(
    acme: None, runner: CliRunner, engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    path = tmp_path / "vendor.xlsx"
    path.write_bytes(b"")
    result = runner.invoke(main, ["questionnaire", "import", str(path), "--org", "acme"])
    assert result.exit_code == 1 and "vendor.xlsx" in result.output and "empty" in result.output, (
        result.output
    )
    assert "Fix:" in result.output
    assert_nothing_stored(engine, runtime)


U02_CASES = [
    pytest.param(
        b"<!DOCTYPE html><html><body>login</body></html>", "policy.pdf", "not a PDF", id="html-as-pdf"
    ),
    pytest.param(DOCX_SAMPLE.read_bytes(), "vendor.xlsx", "Word document", id="docx-as-xlsx"),
    pytest.param(XLSX_SAMPLE.read_bytes(), "answers.docx", "Excel workbook", id="xlsx-as-docx"),
    pytest.param(pdf_pages(1), "answers.docx", "PDF document", id="pdf-as-docx"),
]


@pytest.mark.parametrize(("data", "name", "words"), U02_CASES)
def test_U02_content_that_does_not_match_its_extension_is_415(
    signed_in: FlaskClient,
    engine: Engine,
    runtime: Runtime,
    private_tmp: Path,
    data: bytes,
    name: str,
    words: str,
) -> None:
    refused_at_upload(signed_in, engine, runtime, private_tmp, data, name, 415, words)


@pytest.mark.parametrize(
    ("names", "filename", "words"),
    [
        pytest.param(["Root Entry", "Workbook"], "old.xls", "legacy .xls or .doc", id="legacy-xls"),
        pytest.param(["Root Entry", "WordDocument"], "old.doc", "legacy .xls or .doc", id="legacy-doc"),
        pytest.param(
            ["Root Entry", "EncryptionInfo", "EncryptedPackage"], "locked.xlsx", "password", id="xlsx-pw"
        ),
        pytest.param(
            ["Root Entry", "EncryptionInfo", "EncryptedPackage"], "locked.docx", "password", id="docx-pw"
        ),
    ],
)
def test_U03_legacy_or_password_protected_office_file_is_415(
    signed_in: FlaskClient,
    engine: Engine,
    runtime: Runtime,
    private_tmp: Path,
    names: list[str],
    filename: str,
    words: str,
) -> None:
    refused_at_upload(
        signed_in,
        engine,
        runtime,
        private_tmp,
        cfb(names),
        filename,
        415,
        "Legacy or password-protected Office file",
        words,
        "without a password",
    )


def test_U11_million_row_sheet_is_refused_by_the_zip_guard_without_parsing(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, private_tmp: Path
) -> None:
    data = xlsx_with_rows(1_000_000)
    assert len(data) < 20_000_000
    refused_at_upload(
        signed_in,
        engine,
        runtime,
        private_tmp,
        data,
        "huge.xlsx",
        422,
        "Spreadsheet too large (max 10,000 rows)",
    )


def test_U11_sheet_over_the_row_limit_is_truncated_and_the_user_is_told(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    configure(runtime, max_rows=40)
    record = upload_and_wait(signed_in, runtime, engine, xlsx_with_rows(60), "long.xlsx")
    assert record.status == "ready", record.error
    assert record.found == 39, "the header and the first 39 question rows are read"
    warning = next(w for w in record.warnings if "more than 40 rows" in w)
    assert (
        "long.xlsx!Security" in warning and "only the first 40" in warning and "TRUSTDESK_MAX_ROWS" in warning
    )
    assert "only the first 40" in text_of(signed_in.get(f"{INDEX}{oid(record.id)}"))
    assert_service_answers(signed_in)


def test_U12_xlsx_zip_bomb_is_refused_by_the_zip_guard(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, private_tmp: Path
) -> None:
    data = patched_zip(XLSX_SAMPLE, {"xl/worksheets/sheet1.xml": lambda x: x + b" " * 130_000_000})
    assert len(data) < 1_000_000
    refused_at_upload(signed_in, engine, runtime, private_tmp, data, "bomb.xlsx", 422, "zip bomb")


@pytest.mark.parametrize(
    ("member", "name"),
    [("xl/sharedStrings.xml", "strings.xlsx"), ("word/document.xml", "words.docx")],
)
def test_U15_huge_text_node_is_refused_by_the_per_part_cap(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, private_tmp: Path, member: str, name: str
) -> None:
    src = XLSX_SAMPLE if name.endswith(".xlsx") else DOCX_SAMPLE
    data = patched_zip(src, {member: b"<t>" + b"a" * 300_000_000 + b"</t>"})
    assert len(data) < 1_000_000
    refused_at_upload(
        signed_in, engine, runtime, private_tmp, data, name, 422, "Document too large or complex"
    )


def test_U15_cell_text_is_capped_at_excels_limit_and_the_cut_is_reported(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    data = patched_zip(
        xlsx_with_rows(2),
        {
            "xl/worksheets/sheet1.xml": lambda x: x.replace(
                b"Is control 2 reviewed", b"Is control " + b"long " * 10_000
            )
        },
    )
    record = upload_and_wait(signed_in, runtime, engine, data, "long.xlsx")
    assert record.status == "ready", record.error
    with Session(engine) as s:
        texts = [q.text for q in s.exec(select(QuestionRecord))]
    assert max(len(t) for t in texts) <= 32_767
    assert any("long.xlsx!Security!B2" in w and "32,767" in w for w in record.warnings), record.warnings
    assert_service_answers(signed_in)


def test_U18_docx_zip_bomb_is_refused_by_the_zip_guard(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, private_tmp: Path
) -> None:
    data = patched_zip(DOCX_SAMPLE, {"word/media/filler.bin": b"\0" * 16_000_000})
    assert len(data) < 1_000_000
    refused_at_upload(signed_in, engine, runtime, private_tmp, data, "bomb.docx", 422, "zip bomb")


def test_U20_macro_enabled_workbook_is_415(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, private_tmp: Path
) -> None:
    data = patched_zip(XLSX_SAMPLE, {"xl/vbaProject.bin": b"\xd0\xcf\x11\xe0 never run"})
    refused_at_upload(
        signed_in,
        engine,
        runtime,
        private_tmp,
        data,
        "vendor.xlsx",
        415,
        "Macro-enabled workbooks are not accepted",
    )


def test_U21_upload_over_the_request_limit_is_413_with_a_friendly_page(
    signed_in: FlaskClient, app: Flask, engine: Engine, runtime: Runtime, private_tmp: Path
) -> None:
    app.config["MAX_CONTENT_LENGTH"] = 1 << 20
    response = upload(signed_in, b"x" * (2 << 20), "big.csv")
    assert response.status_code == 413 and "Nothing was stored" in text_of(response)
    with Session(engine) as s:
        assert s.exec(select(QuestionnaireRecord)).all() == []
    assert files_in_store(runtime) == [] and list(private_tmp.iterdir()) == []
    assert_service_answers(signed_in)


def test_U22_too_many_form_parts_or_a_huge_text_field_is_413(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    parts: dict[str, object] = {f"f{i}": "x" for i in range(1_100)}
    assert post_form(signed_in, INDEX + "upload", parts).status_code == 413
    assert post_form(signed_in, INDEX + "upload", {"requester": "x" * 600_000}).status_code == 413
    with Session(engine) as s:
        assert s.exec(select(QuestionnaireRecord)).all() == []
    assert files_in_store(runtime) == []
    assert_service_answers(signed_in)


def test_U25_organisation_over_its_quota_gets_413_quota_exceeded(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    configure(runtime, org_max_files=1)
    first = upload_and_wait(signed_in, runtime, engine, questionnaire_xlsx(tag=" a"), "first.xlsx")
    assert first.status == "ready"
    response = upload(signed_in, questionnaire_xlsx(tag=" b"), "second.xlsx")
    assert_refused(response, 413, "second.xlsx", "Quota exceeded", "TRUSTDESK_ORG_MAX_FILES")
    with Session(engine) as s:
        assert [r.filename for r in s.exec(select(QuestionnaireRecord))] == ["first.xlsx"]
    assert len(files_in_store(runtime)) == 1 and audit_actions(engine).count(REJECTED) == 1
    configure(runtime, org_max_files=5000, org_quota_mb=1)
    big = patched_zip(questionnaire_xlsx(tag=" c"), {"xl/media/padding.bin": os.urandom(1_100_000)})
    assert_refused(upload(signed_in, big, "third.xlsx"), 413, "third.xlsx", "Quota exceeded")
    assert_service_answers(signed_in)


# ---------------------------------------------------------------- judged by the sandboxed parser


def test_U04_pdf_with_a_user_password_fails_as_password_protected(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    record = upload_and_wait(
        signed_in, runtime, engine, encrypted_pdf(user="s3cret", owner="own"), "locked.pdf"
    )
    assert_failed_cleanly(engine, runtime, record, "PDF is password-protected", "unprotected copy")
    assert_service_answers(signed_in)


def test_U05_owner_password_only_imports_and_the_restriction_is_audited(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    record = upload_and_wait(
        signed_in, runtime, engine, encrypted_pdf(user="", owner="own"), "restricted.pdf"
    )
    assert record.status == "ready" and record.found == 12, record.error
    with Session(engine) as s:
        parsed = s.exec(select(AuditEvent).where(AuditEvent.action == "questionnaire.parsed")).one()
    assert parsed.detail["permissions_restricted"] is True
    assert_service_answers(signed_in)


def test_U06_scanned_pdf_without_text_fails_asking_for_a_text_pdf(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    record = upload_and_wait(signed_in, runtime, engine, pdf_pages(2, text=False), "scan.pdf")
    assert_failed_cleanly(engine, runtime, record, "no selectable text found", "original DOCX/XLSX")
    assert_service_answers(signed_in)


@pytest.mark.parametrize(
    ("make", "name"),
    [
        pytest.param(lambda: encrypted_pdf(user="s3cret", owner="own"), "locked.pdf", id="U04"),
        pytest.param(lambda: pdf_pages(2, text=False), "scan.pdf", id="U06"),
        pytest.param(lambda: blank_pages(400), "long.pdf", id="U10"),
    ],
)
def test_U04_U06_U10_a_failed_import_once_discarded_leaves_nothing_but_audit_events(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, make: Callable[[], bytes], name: str
) -> None:
    """Accepted, then failed by the parser: the failed record (with its reason) and its file stay until
    someone retries or discards it; discarded, only the audit trail remains and the sweep takes the file."""
    record = upload_and_wait(signed_in, runtime, engine, make(), name)
    assert_failed_cleanly(engine, runtime, record)
    assert sweep_orphans(engine, runtime.files, grace_s=0) == [], "a failed import keeps its file for a retry"
    page = signed_in.get(f"{INDEX}{oid(record.id)}").get_data(as_text=True)
    assert "Discard this import" in page and "Retry" in page
    response = signed_in.post(f"{INDEX}{oid(record.id)}/discard")
    assert response.status_code == 302 and response.headers["Location"].endswith(INDEX)
    listing = signed_in.get(INDEX)
    assert f"{name} discarded." in flashes(listing)
    assert signed_in.get(f"{INDEX}{oid(record.id)}").status_code == 404
    assert sweep_orphans(engine, runtime.files, grace_s=0) == [record.file_sha256]
    with Session(engine) as s:
        assert s.exec(select(QuestionnaireRecord)).all() == [], "the questionnaire row is gone"
        assert s.exec(select(QuestionRecord)).all() == []
    assert files_in_store(runtime) == [], "the file went with the sweep"
    actions = [a for a in audit_actions(engine) if a.startswith("questionnaire.")]
    assert actions == ["questionnaire.upload", "questionnaire.failed", "questionnaire.discarded"]
    assert_service_answers(signed_in)


def test_only_a_failed_import_can_be_discarded_a_ready_one_is_409_and_kept(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    record = upload_and_wait(signed_in, runtime, engine, questionnaire_xlsx(), "vendor.xlsx")
    assert record.status == "ready"
    assert signed_in.post(f"{INDEX}{oid(record.id)}/discard").status_code == 409
    with Session(engine) as s:
        assert s.get(QuestionnaireRecord, record.id) is not None
    assert "questionnaire.discarded" not in audit_actions(engine)


U07_CASES = [
    pytest.param(pdf_truncated, id="truncated"),
    pytest.param(pdf_garbage_after_header, id="garbage-after-header"),
    pytest.param(pdf_prev_cycle, id="circular-prev"),
    pytest.param(pdf_pages_cycle, id="pages-cycle"),
    pytest.param(pdf_recursive_xobject, id="self-recursive-xobject"),
    pytest.param(pdf_deep_nesting, id="deep-nesting"),
]


@pytest.mark.parametrize("make", U07_CASES)
def test_U07_malformed_pdf_fails_cleanly_or_is_recovered_and_the_worker_survives(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, make: object
) -> None:
    record = upload_and_wait(signed_in, runtime, engine, make(), "broken.pdf")  # type: ignore[operator]
    assert_read_or_refused(engine, runtime, record)
    after = upload_and_wait(signed_in, runtime, engine, questionnaire_xlsx(), "next.xlsx")
    assert after.status == "ready", "the worker must survive a malformed PDF"


def test_U08_pdf_decompression_bomb_fails_within_the_memory_cap(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    data = pdf_flate_bomb(1024)
    assert len(data) < 1_500_000
    record = upload_and_wait(signed_in, runtime, engine, data, "bomb.pdf")
    assert_failed_cleanly(engine, runtime, record, "too large or complex")
    assert_service_answers(signed_in)


@pytest.mark.parametrize("make", [pdf_cpu_bomb, pdf_corrupt_flate], ids=["cpu-bomb", "corrupt-flate"])
def test_U09_cpu_bomb_or_corrupt_flate_ends_at_the_parse_timeout_while_others_are_served(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, make: object
) -> None:
    configure(runtime, parse_timeout=2.0)
    response = upload(signed_in, make(), "slow.pdf")  # type: ignore[operator]
    assert response.status_code == 302, "the upload is acknowledged, the parse runs off the request"
    assert_service_answers(signed_in)
    wait(runtime)
    with Session(engine) as s:
        record = s.exec(select(QuestionnaireRecord)).one()
    assert_read_or_refused(engine, runtime, record)
    if make is pdf_cpu_bomb:
        assert_failed_cleanly(engine, runtime, record, "longer than 2 s")


def test_U10_pdf_over_the_page_limit_is_refused_from_the_page_count(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    record = upload_and_wait(signed_in, runtime, engine, blank_pages(5_000), "long.pdf")
    assert_failed_cleanly(engine, runtime, record, "Too many pages (max 300)", "5,000 pages")
    assert_service_answers(signed_in)


def far_cell(sheet: bytes) -> bytes:
    far = b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>far</t></is></c></row></sheetData>'
    return sheet.replace(b"</sheetData>", far)


def lying_dimension(sheet: bytes) -> bytes:
    return re.sub(rb'<dimension ref="[^"]*"/>', b'<dimension ref="A1:XFD1048576"/>', sheet)


def test_U13_single_far_cell_gives_a_bounded_import(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    data = patched_zip(xlsx_with_rows(5), {"xl/worksheets/sheet1.xml": far_cell})
    record = upload_and_wait(signed_in, runtime, engine, data, "far.xlsx")
    assert record.status == "ready" and record.found == 5, record.error
    assert_service_answers(signed_in)


def test_U14_lying_dimension_gives_a_bounded_import(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    data = patched_zip(xlsx_with_rows(5), {"xl/worksheets/sheet1.xml": lying_dimension})
    record = upload_and_wait(signed_in, runtime, engine, data, "lie.xlsx")
    assert record.status == "ready" and record.found == 5, record.error
    assert_service_answers(signed_in)


U16_PARTS = [
    ("xlsx", "xl/sharedStrings.xml"),
    ("xlsx", "xl/worksheets/sheet1.xml"),
    ("xlsx", "xl/workbook.xml"),
    ("xlsx", "xl/styles.xml"),
    ("xlsx", "[Content_Types].xml"),
    ("docx", "word/document.xml"),
    ("docx", "word/styles.xml"),
    ("docx", "[Content_Types].xml"),
]


@pytest.mark.parametrize("dtd", [LAUGHS_DTD, QUADRATIC_DTD], ids=["billion-laughs", "quadratic"])
@pytest.mark.parametrize(("kind", "member"), U16_PARTS, ids=[f"{k}-{m}" for k, m in U16_PARTS])
def test_U16_xml_bomb_in_any_ooxml_part_is_refused_as_disallowed_xml(
    signed_in: FlaskClient,
    engine: Engine,
    runtime: Runtime,
    private_tmp: Path,
    kind: str,
    member: str,
    dtd: str,
) -> None:
    assert openpyxl.DEFUSEDXML is True, "openpyxl must parse through defusedxml"
    src = XLSX_SAMPLE if kind == "xlsx" else DOCX_SAMPLE
    data = patched_zip(src, {member: with_doctype(dtd)})
    refused_at_upload(
        signed_in,
        engine,
        runtime,
        private_tmp,
        data,
        f"bomb.{kind}",
        422,
        "Document contains disallowed XML constructs (DTD/entities)",
        member,
    )


@pytest.mark.parametrize("kind", ["xlsx", "docx"])
@pytest.mark.parametrize("target", ["file", "http"])
def test_U17_external_entity_is_refused_and_never_resolved(
    signed_in: FlaskClient,
    engine: Engine,
    runtime: Runtime,
    private_tmp: Path,
    listener: Listener,
    kind: str,
    target: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    url = "file:///etc/hostname" if target == "file" else f"http://127.0.0.1:{listener.port}/x"
    dtd = f'<!DOCTYPE r [<!ENTITY h SYSTEM "{url}">]>'
    member = "xl/worksheets/sheet1.xml" if kind == "xlsx" else "word/document.xml"
    src = XLSX_SAMPLE if kind == "xlsx" else DOCX_SAMPLE
    data = patched_zip(src, {member: lambda x: with_doctype(dtd)(x).replace(b"Question", b"&h; Question", 1)})
    response = upload(signed_in, data, f"xxe.{kind}")
    assert_refused(response, 422, f"xxe.{kind}", "disallowed XML constructs (DTD/entities)")
    assert_nothing_stored(engine, runtime, private_tmp)
    assert listener.connections == [], "a parser opened a connection"
    hostname = Path("/etc/hostname").read_text().strip() if Path("/etc/hostname").exists() else ""
    if hostname:
        with Session(engine) as s:
            dumped = json.dumps([e.model_dump(mode="json") for e in s.exec(select(AuditEvent))])
        # as a whole word: a short host name ("vm") also turns up inside random CSRF tokens and ids
        leaked = re.compile(rf"(?<![\w-]){re.escape(hostname)}(?![\w-])")
        assert not leaked.search(dumped) and not leaked.search(caplog.text)
        messages = flashes(response)
        assert messages, "the refusal is shown as a message"
        assert not any(leaked.search(message) for message in messages), messages
    assert_service_answers(signed_in)


@pytest.mark.parametrize(
    "relationship",
    [
        '<Relationship Id="rIdX" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        'Target="../../../../../../etc/passwd"/>',
        '<Relationship Id="rIdY" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/image" '
        'Target="http://127.0.0.1:{port}/img.png" TargetMode="External"/>',
    ],
    ids=["path-traversal", "external"],
)
def test_U19_docx_relationship_traversal_or_external_target_is_ignored_or_refused(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, listener: Listener, relationship: str
) -> None:
    rel = relationship.format(port=listener.port).encode()
    data = patched_zip(
        DOCX_SAMPLE,
        {"word/_rels/document.xml.rels": lambda x: x.replace(b"</Relationships>", rel + b"</Relationships>")},
    )
    record = upload_and_wait(signed_in, runtime, engine, data, "rels.docx")
    assert_read_or_refused(engine, runtime, record)
    assert listener.connections == []
    with Session(engine) as s:
        dumped = json.dumps([q.text for q in s.exec(select(QuestionRecord))])
    assert "root:x:0:0" not in dumped
    assert_service_answers(signed_in)


# ---------------------------------------------------------------- names, duplicates, crashes, formulas


U23_NAMES = [
    ("../../etc/passwd", "passwd.xlsx"),
    ("..\\..\\win.ini", "win.ini.xlsx"),
    ("evidence.pdf\x00.exe", "evidence.pdf.exe.xlsx"),
    ("CON", "CON.xlsx"),
    (".htaccess", "htaccess.xlsx"),
    ("政策.xlsx", "政策.xlsx"),
    (unicodedata.normalize("NFD", "Sécurité.xlsx"), "Sécurité.xlsx"),
    ("<script>.xlsx", "_script_.xlsx"),
    ("q" * 300 + ".xlsx", "q" * 195 + ".xlsx"),
]


def test_U23_hostile_filenames_are_cleaned_shown_escaped_and_never_used_as_paths(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    for i, (given, shown) in enumerate(U23_NAMES):
        record = upload_and_wait(signed_in, runtime, engine, questionnaire_xlsx(tag=f" {i}"), given)
        assert record.filename == shown, f"{given!r} became {record.filename!r}"
        assert unicodedata.is_normalized("NFC", record.filename) and len(record.filename) <= 200
        assert runtime.files.path_for(record.file_sha256).is_file(), "stored under its SHA-256"
        download = signed_in.get(f"{INDEX}{oid(record.id)}/file")
        assert download.status_code == 200, f"download of {given!r} failed"
        disposition = download.headers["Content-Disposition"]
        assert "\r" not in disposition and "\n" not in disposition
    stored = [p.name for p in files_in_store(runtime)]
    assert all(len(n) == 64 for n in stored), stored
    listing = signed_in.get(INDEX).get_data(as_text=True)
    assert "<script>" not in listing and "_script_.xlsx" in listing
    assert_service_answers(signed_in)


def test_U23_a_name_with_crlf_is_stripped_and_its_download_never_fails(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, runner: CliRunner, tmp_path: Path
) -> None:
    """A browser cannot send CR LF inside a multipart file name, but a file on disk can have one."""
    path = tmp_path / "vendor\r\nSet-Cookie: x=1.xlsx"
    path.write_bytes(questionnaire_xlsx())
    result = cli(runner, "questionnaire", "import", str(path), "--org", "acme", "--json")
    assert result.exit_code == 0, result.output
    with Session(engine) as s:
        record = s.exec(select(QuestionnaireRecord)).one()
    assert record.filename == "vendorSet-Cookie_ x=1.xlsx"
    download = signed_in.get(f"{INDEX}{oid(record.id)}/file")
    assert download.status_code == 200
    assert "Set-Cookie" not in download.headers or "x=1" not in download.headers.get("Set-Cookie", "")
    assert_service_answers(signed_in)


def test_U24_the_same_file_twice_returns_the_existing_import(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, runner: CliRunner, tmp_path: Path
) -> None:
    data = questionnaire_xlsx()
    first = upload_and_wait(signed_in, runtime, engine, data, "vendor.xlsx")
    again = upload(signed_in, data, "vendor (1).xlsx")
    assert again.status_code == 302 and again.headers["Location"].endswith(f"/{oid(first.id)}")
    assert "already imported" in text_of(signed_in.get(again.headers["Location"]))
    path = tmp_path / "vendor.xlsx"
    path.write_bytes(data)
    result = cli(runner, "questionnaire", "import", str(path), "--org", "acme", "--json")
    assert result.exit_code == 0 and f"already imported as questionnaire {first.id}" in result.output
    with Session(engine) as s:
        assert len(s.exec(select(QuestionnaireRecord)).all()) == 1
    assert len(files_in_store(runtime)) == 1
    assert_service_answers(signed_in)


def test_U26_parser_killed_mid_parse_marks_the_import_failed_and_it_can_be_retried(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = pipeline.run_limited

    def killed(_fn: object, *args: object, **kwargs: object) -> object:
        return real(killed_mid_parse, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(pipeline, "run_limited", killed)
    record = upload_and_wait(signed_in, runtime, engine, questionnaire_xlsx(), "vendor.xlsx")
    assert_failed_cleanly(engine, runtime, record)
    monkeypatch.setattr(pipeline, "run_limited", real)
    assert signed_in.post(f"{INDEX}{oid(record.id)}/retry").status_code == 302
    wait(runtime)
    with Session(engine) as s:
        again = s.get(QuestionnaireRecord, record.id)
        assert again is not None and again.status == "ready" and again.found == 3, again.error


def test_U27_formulas_without_cached_values_are_reported_in_a_warning(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["#", "Question", "Answer", "Score"])
    for i in range(1, 4):
        ws.append([i, f"Do you run control {i} every year?", None, f'=IF(C{i + 1}="Yes",1,0)'])
    buffer = io.BytesIO()
    wb.save(buffer)
    record = upload_and_wait(signed_in, runtime, engine, buffer.getvalue(), "formulas.xlsx")
    assert record.status == "ready" and record.found == 3
    assert any("3 cells contain formulas without values; re-save in Excel" in w for w in record.warnings)
    assert "re-save in Excel" in text_of(signed_in.get(f"{INDEX}{oid(record.id)}"))
    assert_service_answers(signed_in)
