"""Export approved answers: into the original file (through ``ingest``'s writers), or as XLSX, CSV or
JSON. Only approved answers leave, unless the caller asks for an explicit draft export, which is marked
DRAFT. Every export is recorded with who, when, and the bank entry version behind each answer."""

from __future__ import annotations

import csv
import io
import json
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

import ingest
from answerbank.io import neutralise
from answerbank.store import Actor
from core import audit
from core.db import read_session, write_session
from core.errors import ValidationError
from core.filestore import FileStore
from core.sandbox import SandboxLimits, run_limited
from ingest.model import Location
from review.models import Draft, ExportRecord, QuestionnaireRecord, QuestionRecord
from review.store import questions_with_drafts

FORMATS = ("original", "xlsx", "csv", "json")
COLUMNS = (
    "number",
    "section",
    "question",
    "short_answer",
    "answer",
    "status",
    "entry_key",
    "entry_version",
    "approved_by",
    "approved_at",
)


@dataclass(frozen=True)
class ExportResult:
    filename: str
    data: bytes
    record: ExportRecord
    provenance: list[dict[str, Any]]


def answer_text(question: QuestionRecord, draft: Draft) -> str:
    """What goes into the file: the short answer for yes/no and choice questions, else the full answer."""
    if question.answer_type in ("yes_no", "choice") and draft.short_answer:
        return draft.short_answer
    return draft.answer


def _selected(rows: list[tuple[QuestionRecord, Draft]], *, draft: bool) -> list[tuple[QuestionRecord, Draft]]:
    return [(q, d) for q, d in rows if d.status == "approved" or (draft and d.status == "draft" and d.answer)]


def provenance(rows: list[tuple[QuestionRecord, Draft]]) -> list[dict[str, Any]]:
    return [
        {
            "ref": q.ref,
            "number": q.number,
            "status": d.status,
            "entry_key": d.entry_key,
            "entry_version": d.entry_version,
            "edited": d.edited,
            "approved_by": d.decided_by,
            "approved_at": d.decided_at.isoformat() if d.decided_at else None,
        }
        for q, d in rows
    ]


@dataclass(frozen=True)
class Rendered:
    filename: str
    data: bytes
    sha256: str
    answers: int
    provenance: list[dict[str, Any]]


def export_outside_writes(
    engine: Engine,
    *,
    files: FileStore,
    sandbox: SandboxLimits,
    record: QuestionnaireRecord,
    fmt: str,
    actor: Actor,
    draft: bool = False,
) -> ExportResult:
    """Render and store the file with no write lock held, then record it in one short transaction."""
    with read_session(engine) as s:
        rendered = render(s, files=files, sandbox=sandbox, record=record, fmt=fmt, draft=draft)
    with write_session(engine) as s:
        export_record = record_export(s, record=record, rendered=rendered, fmt=fmt, actor=actor, draft=draft)
    return ExportResult(rendered.filename, rendered.data, export_record, rendered.provenance)


def render(
    session: Session,
    *,
    files: FileStore,
    sandbox: SandboxLimits,
    record: QuestionnaireRecord,
    fmt: str,
    draft: bool = False,
) -> Rendered:
    """Write the answers into a file and put it in the file store (before any row points at it). The
    customer's original is a stranger's file: it is reopened and filled in the parsing sandbox."""
    if fmt not in FORMATS:
        raise ValidationError(f"export format {fmt!r} is unknown", fix=f"use one of {', '.join(FORMATS)}")
    assert record.id is not None
    rows = _selected(questions_with_drafts(session, questionnaire_id=record.id), draft=draft)
    if not rows:
        raise ValidationError(
            "no approved answers to export",
            where=record.title,
            fix="approve answers first, or make an explicit draft export (--draft)",
        )
    data, filename = _render(files, sandbox, record, rows, fmt, draft)
    stored = files.put_bytes(data, name=filename)
    return Rendered(filename, data, stored.sha256, len(rows), provenance(rows))


def record_export(
    session: Session,
    *,
    record: QuestionnaireRecord,
    rendered: Rendered,
    fmt: str,
    actor: Actor,
    draft: bool,
) -> ExportRecord:
    assert record.id is not None
    export_record = ExportRecord(
        questionnaire_id=record.id,
        format=fmt,
        draft=draft,
        file_sha256=rendered.sha256,
        filename=rendered.filename,
        provenance=rendered.provenance,
        created_by=actor.label,
    )
    session.add(export_record)
    audit.record_by(
        session,
        actor,
        org_id=record.org_id,
        action="questionnaire.export",
        target_type="questionnaire",
        target_id=record.id,
        detail={"format": fmt, "draft": draft, "answers": rendered.answers, "sha256": rendered.sha256},
    )
    return export_record


def _render(
    files: FileStore,
    sandbox: SandboxLimits,
    record: QuestionnaireRecord,
    rows: list[tuple[QuestionRecord, Draft]],
    fmt: str,
    draft: bool,
) -> tuple[bytes, str]:
    stem, suffix = PurePath(record.filename).stem, PurePath(record.filename).suffix
    mark = "-DRAFT" if draft else "-answered"
    if fmt == "original":
        data, out_name = _original(files, sandbox, record, rows)
        return data, f"{stem}{mark}{PurePath(out_name).suffix or suffix}"
    table = [_row(q, d) for q, d in rows]
    if fmt == "json":
        body = {"questionnaire": record.title, "draft": draft, "answers": table}
        return json.dumps(body, indent=2, ensure_ascii=False).encode(), f"{stem}{mark}.json"
    if fmt == "csv":
        return _csv(table, draft), f"{stem}{mark}.csv"
    return _xlsx(table, draft), f"{stem}{mark}.xlsx"


def _row(q: QuestionRecord, d: Draft) -> dict[str, str]:
    return {
        "number": q.number or "",
        "section": q.section or "",
        "question": q.text,
        "short_answer": d.short_answer or "",
        "answer": d.answer,
        "status": d.status.upper(),
        "entry_key": d.entry_key or "",
        "entry_version": str(d.entry_version or ""),
        "approved_by": d.decided_by or "",
        "approved_at": d.decided_at.isoformat() if d.decided_at else "",
    }


def _csv(table: list[dict[str, str]], draft: bool) -> bytes:
    buffer = io.StringIO()
    if draft:
        buffer.write("DRAFT - not approved answers included\n")
    writer = csv.DictWriter(buffer, fieldnames=list(COLUMNS))
    writer.writeheader()
    writer.writerows({k: neutralise(v) for k, v in row.items()} for row in table)
    return buffer.getvalue().encode("utf-8")


def _xlsx(table: list[dict[str, str]], draft: bool) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "DRAFT answers" if draft else "Answers"
    if draft:
        sheet.append(["DRAFT - not approved answers included"])
    sheet.append(list(COLUMNS))
    for row in table:
        sheet.append([neutralise(row[c]) for c in COLUMNS])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def to_ingest_question(q: QuestionRecord) -> ingest.Question:
    location = dict(q.location)
    if location.get("box") is not None:
        location["box"] = tuple(location["box"])
    return ingest.Question(
        ref=q.ref,
        number=q.number,
        section=q.section,
        text=q.text,
        answer_type=q.answer_type,  # type: ignore[arg-type]
        choices=tuple(q.choices),
        location=Location(**location),
        existing_answer=q.existing_answer,
    )


def _original(
    files: FileStore,
    sandbox: SandboxLimits,
    record: QuestionnaireRecord,
    rows: list[tuple[QuestionRecord, Draft]],
) -> tuple[bytes, str]:
    answers = {q.ref: answer_text(q, d) for q, d in rows}
    questions = [to_ingest_question(q) for q, _d in rows]
    with tempfile.TemporaryDirectory(prefix="trustdesk-export-") as tmp:
        suffix = PurePath(record.filename).suffix.lower()[:10]
        src, out = Path(tmp) / f"original{suffix}", Path(tmp) / f"filled{suffix}"
        with files.open(record.file_sha256) as fh, src.open("wb") as dst:
            shutil.copyfileobj(fh, dst)
        written = run_limited(  # the message names the step: "vendor.xlsx (writing the answers in): ..."
            ingest.fill,
            src,
            questions,
            answers,
            out,
            sandbox=sandbox,
            what=f"{record.filename} (writing the answers in)",
        )
        return written.read_bytes(), written.name
