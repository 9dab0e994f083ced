"""Upload -> parse -> match -> drafts, as small named steps.

Parsing and matching run outside any write transaction; the questions and drafts are then written in
one transaction, so a failed or killed job leaves no half-made questionnaire: it is either ``ready`` with
every draft, or ``failed`` with its error and can be retried.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path, PurePath
from typing import BinaryIO

from sqlalchemy import Engine, delete
from sqlmodel import Session, col, select

import ingest
import matcher
from answerbank import store as bank_store
from answerbank.matching import IndexCache, bank_items
from answerbank.models import BankEntry, OrgTerm
from answerbank.store import Actor
from core import audit
from core.db import read_session, write_session
from core.errors import InputFileError, TrustdeskError
from core.filestore import FileStore, StoredFile
from core.models import Organisation, utcnow
from core.sandbox import SandboxLimits, run_limited
from ingest.limits import Limits
from review import uploads
from review.models import Draft, QuestionnaireRecord, QuestionRecord
from review.uploads import Quota, safe_filename

log = logging.getLogger(__name__)
DEFAULT_QUOTA = Quota(max_bytes=5120 << 20, max_files=5000)
Progress = Callable[[str, int, int], None]  # (stage, done, total)


@dataclass(frozen=True)
class PipelineConfig:
    files: FileStore
    cache: IndexCache
    limits: Limits
    sandbox: SandboxLimits
    thresholds: matcher.Thresholds | None = None
    top_k: int = 5
    quota: Quota = DEFAULT_QUOTA


@dataclass(frozen=True)
class Accepted:
    record: QuestionnaireRecord
    duplicate: bool


@dataclass(frozen=True)
class Request:
    """Who sent the questionnaire and by when: the form fields of an upload."""

    requester: str = ""
    requester_kind: str = "customer"
    due_date: date | None = None


def accept_upload(
    engine: Engine,
    config: PipelineConfig,
    *,
    org: Organisation,
    stream: BinaryIO,
    filename: str,
    actor: Actor,
    request: Request | None = None,
) -> Accepted:
    """Check the upload without parsing it, then store it and record the questionnaire; the same bytes
    again give the earlier import back (U24). A refusal raises after writing one audit event, with no
    file stored and no questionnaire recorded."""
    assert org.id is not None
    try:
        with uploads.stage(stream, filename=filename, limits=config.limits) as staged:
            with read_session(engine) as s:
                earlier = uploads.existing_import(s, org_id=org.id, sha256=staged.sha256)
                if earlier is not None:
                    return Accepted(earlier, duplicate=True)
                uploads.check_quota(
                    s, org_id=org.id, incoming=staged.size, quota=config.quota, filename=staged.filename
                )
            with staged.path.open("rb") as fh:
                stored = config.files.put(fh, name=staged.filename)
            shown = staged.filename
    except InputFileError as exc:
        with write_session(engine) as s:
            uploads.record_rejection(s, org=org, actor=actor, filename=filename, error=exc)
        raise
    wanted = request or Request()
    with write_session(engine) as s:
        record = create_questionnaire(
            s,
            org=org,
            filename=shown,
            stored=stored,
            actor=actor,
            requester=wanted.requester,
            requester_kind=wanted.requester_kind,
            due_date=wanted.due_date,
        )
    return Accepted(record, duplicate=False)


def create_questionnaire(
    session: Session,
    *,
    org: Organisation,
    filename: str,
    stored: StoredFile,
    actor: Actor,
    requester: str = "",
    requester_kind: str = "customer",
    due_date: date | None = None,
    title: str | None = None,
) -> QuestionnaireRecord:
    assert org.id is not None
    name = safe_filename(filename)
    record = QuestionnaireRecord(
        org_id=org.id,
        title=(title or name)[:255],
        filename=name,
        file_sha256=stored.sha256,
        file_size=stored.size,
        requester=requester[:200],
        requester_kind=requester_kind,
        due_date=due_date,
        owner_id=actor.user_id,
        created_by=actor.label,
    )
    session.add(record)
    session.flush()
    audit.record(
        session,
        actor=actor.label,
        actor_id=actor.user_id,
        org_id=org.id,
        action="questionnaire.upload",
        target_type="questionnaire",
        target_id=record.id or 0,
        detail={"file": name, "sha256": stored.sha256, "size": stored.size},
    )
    return record


def process(
    engine: Engine, config: PipelineConfig, *, questionnaire_id: int, progress: Progress | None = None
) -> None:
    """Parse and match one questionnaire; on any error mark it failed with a message that says why."""
    report = progress or (lambda _stage, _done, _total: None)
    try:
        record = _start(engine, questionnaire_id)
        parsed = _parse(config, record)
        _set_progress(engine, questionnaire_id, found=len(parsed.questions))
        report("parsed", len(parsed.questions), len(parsed.questions))
        results, entries = _match(engine, config, record, parsed.questions)
        report("matched", len(results), len(parsed.questions))
        _store(engine, questionnaire_id, parsed, results, entries)
    except Exception as exc:  # the job must always end in a state the user can see
        message = (
            str(exc) if isinstance(exc, TrustdeskError) else f"internal error: {type(exc).__name__}: {exc}"
        )
        if not isinstance(exc, TrustdeskError):
            log.exception("questionnaire %s failed", questionnaire_id)
        _fail(engine, questionnaire_id, message)


def _start(engine: Engine, questionnaire_id: int) -> QuestionnaireRecord:
    with write_session(engine) as s:
        record = s.get(QuestionnaireRecord, questionnaire_id)
        assert record is not None, f"questionnaire {questionnaire_id} vanished"
        record.status, record.error, record.attempts = "processing", None, record.attempts + 1
        record.found = record.matched = 0
        record.updated_at = utcnow()
        s.add(record)
        return record


def _parse(config: PipelineConfig, record: QuestionnaireRecord) -> ingest.Questionnaire:
    with tempfile.TemporaryDirectory(prefix="trustdesk-parse-") as tmp:
        path = Path(tmp) / f"upload{PurePath(record.filename).suffix.lower()[:10]}"
        with config.files.open(record.file_sha256) as src, path.open("wb") as dst:
            shutil.copyfileobj(src, dst)
        return run_limited(
            ingest.parse,
            path,
            sandbox=config.sandbox,
            what=record.filename,
            limits=config.limits,
            filename=record.filename,
        )


def _match(
    engine: Engine, config: PipelineConfig, record: QuestionnaireRecord, questions: Sequence[ingest.Question]
) -> tuple[list[matcher.MatchResult], dict[str, BankEntry]]:
    with read_session(engine) as s:
        org = s.get(Organisation, record.org_id)
        assert org is not None
        entries = bank_store.entries_by_key(s, org_id=record.org_id)
        extra = {t.family: t.terms for t in s.exec(select(OrgTerm).where(OrgTerm.org_id == record.org_id))}
    items = bank_items(list(entries.values()))
    if not items or not questions:
        return [matcher.MatchResult(question=q.text, band="none", candidates=()) for q in questions], entries
    index = config.cache.get(org_slug=org.slug, items=items, extra=extra)
    queries = [matcher.Query(text=q.text, number=q.number, answer_type=q.answer_type) for q in questions]
    return matcher.match(index, queries, top_k=config.top_k, thresholds=config.thresholds), entries


def _store(
    engine: Engine,
    questionnaire_id: int,
    parsed: ingest.Questionnaire,
    results: Sequence[matcher.MatchResult],
    entries: dict[str, BankEntry],
) -> None:
    with write_session(engine) as s:
        record = s.get(QuestionnaireRecord, questionnaire_id)
        assert record is not None
        _clear(s, questionnaire_id)
        for position, (question, result) in enumerate(zip(parsed.questions, results, strict=True)):
            row = QuestionRecord(
                questionnaire_id=questionnaire_id,
                position=position,
                ref=question.ref,
                number=question.number,
                section=question.section,
                text=question.text,
                answer_type=question.answer_type,
                choices=list(question.choices),
                location=question.location.to_dict(),
                existing_answer=question.existing_answer,
            )
            s.add(row)
            s.flush()
            assert row.id is not None
            s.add(draft_for(row.id, questionnaire_id, result, entries, existing=question.existing_answer))
        record.status, record.reader, record.warnings = "ready", parsed.reader, list(parsed.warnings)
        record.found = record.matched = len(parsed.questions)
        record.updated_at = utcnow()
        s.add(record)
        _audit_parsed(s, record, parsed)


def _audit_parsed(s: Session, record: QuestionnaireRecord, parsed: ingest.Questionnaire) -> None:
    audit.record(
        s,
        actor="worker",
        org_id=record.org_id,
        action="questionnaire.parsed",
        target_type="questionnaire",
        target_id=record.id or 0,
        detail={
            "reader": parsed.reader,
            "questions": len(parsed.questions),
            "warnings": len(parsed.warnings),
            # a PDF with an owner password only is read, and the restriction is kept on record (U05)
            "permissions_restricted": bool(parsed.detected.get("permissions_restricted", False)),
        },
    )


def _clear(s: Session, questionnaire_id: int) -> None:
    s.execute(delete(Draft).where(col(Draft.questionnaire_id) == questionnaire_id))
    s.execute(delete(QuestionRecord).where(col(QuestionRecord.questionnaire_id) == questionnaire_id))


def draft_for(
    question_id: int,
    questionnaire_id: int,
    result: matcher.MatchResult,
    entries: dict[str, BankEntry],
    *,
    existing: str | None = None,
) -> Draft:
    candidates = [
        {"key": c.entry_key, "score": round(c.score, 4), "band": c.band, "reasons": c.reasons}
        for c in result.candidates
    ]
    best = result.candidates[0] if result.candidates and result.band != "none" else None
    entry = entries.get(best.entry_key) if best else None
    return Draft(
        question_id=question_id,
        questionnaire_id=questionnaire_id,
        entry_key=entry.key if entry else None,
        entry_version=entry.version if entry else None,
        answer=entry.answer if entry else (existing or ""),
        short_answer=entry.short_answer if entry else None,
        band=result.band if entry else "none",
        score=round(best.score, 4) if best else 0.0,
        reasons=dict(best.reasons) if best else {},
        candidates=candidates,
    )


def _set_progress(engine: Engine, questionnaire_id: int, *, found: int) -> None:
    with write_session(engine) as s:
        record = s.get(QuestionnaireRecord, questionnaire_id)
        assert record is not None
        record.found = found
        s.add(record)


def _fail(engine: Engine, questionnaire_id: int, message: str) -> None:
    with write_session(engine) as s:
        record = s.get(QuestionnaireRecord, questionnaire_id)
        if record is None:
            return
        _clear(s, questionnaire_id)
        record.status, record.error, record.updated_at = "failed", message[:2000], utcnow()
        s.add(record)
        audit.record(
            s,
            actor="worker",
            org_id=record.org_id,
            action="questionnaire.failed",
            target_type="questionnaire",
            target_id=questionnaire_id,
            detail={"error": message[:500]},
        )
