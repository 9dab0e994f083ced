"""Upload -> parse -> match -> drafts, as small named steps.

Parsing and matching run outside any write transaction; the questions and drafts are then written in
one transaction, so a failed or killed job leaves no half-made questionnaire: it is either ``ready`` with
every draft, or ``failed`` with its error and can be retried. A job first claims its questionnaire with a
compare-and-set from ``queued`` to ``processing``, so a job delivered twice, or taken by two workers,
runs once. A worker killed mid-job leaves ``processing`` behind; :func:`fail_stale` turns such rows
into ``failed`` (retryable) once they are older than any job may run.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path, PurePath
from typing import BinaryIO

from sqlalchemy import Engine, delete, update
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
JOB_TIMEOUT_S = 600
#: a ``processing`` row older than this has no live job behind it (the job timeout plus a margin)
STALE_AFTER = timedelta(seconds=JOB_TIMEOUT_S + 300)


@dataclass(frozen=True)
class PipelineConfig:
    files: FileStore
    cache: IndexCache
    limits: Limits
    sandbox: SandboxLimits
    thresholds: matcher.Thresholds | None = None
    top_k: int = 5
    progress_every: int = 50  # questions matched between two progress reports
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
    audit.record_by(
        session,
        actor,
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
        claimed = _claim(engine, questionnaire_id)
        if claimed is None:
            log.info(
                "questionnaire %s is not queued (taken by another job or done): skipped", questionnaire_id
            )
            return
        record = claimed
        parsed = _parse(config, record)
        total = len(parsed.questions)
        _set_progress(engine, questionnaire_id, found=total)
        report("parsed", total, total)

        def matched(done: int) -> None:
            _set_progress(engine, questionnaire_id, matched=done)
            report("matched", done, total)

        results, entries = _match(engine, config, record, parsed.questions, on_matched=matched)
        _store(engine, questionnaire_id, parsed, results, entries)
    except Exception as exc:  # the job must always end in a state the user can see
        message = (
            str(exc) if isinstance(exc, TrustdeskError) else f"internal error: {type(exc).__name__}: {exc}"
        )
        if not isinstance(exc, TrustdeskError):
            log.exception("questionnaire %s failed", questionnaire_id)
        _fail(engine, questionnaire_id, message)


def _claim(engine: Engine, questionnaire_id: int) -> QuestionnaireRecord | None:
    """Move the questionnaire from ``queued`` to ``processing``; None if another job has it or had it."""
    with write_session(engine) as s:
        taken = s.execute(
            update(QuestionnaireRecord)
            .where(
                col(QuestionnaireRecord.id) == questionnaire_id, col(QuestionnaireRecord.status) == "queued"
            )
            .values(
                status="processing",
                error=None,
                attempts=QuestionnaireRecord.attempts + 1,
                found=0,
                matched=0,
                updated_at=utcnow(),
            )
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            return None
        return s.get(QuestionnaireRecord, questionnaire_id)


def fail_stale(engine: Engine, *, older_than: timedelta = STALE_AFTER) -> list[int]:
    """Mark ``processing`` questionnaires untouched for ``older_than`` as failed (their job died:
    worker killed, machine lost) so the user can retry them. Returns their ids."""
    cutoff = utcnow() - older_than
    with write_session(engine) as s:
        stale = s.exec(
            select(QuestionnaireRecord)
            .where(QuestionnaireRecord.status == "processing", col(QuestionnaireRecord.updated_at) <= cutoff)
            .with_for_update()
        ).all()
        for record in stale:
            _mark_failed(
                s, record, "the job stopped before it finished (worker killed or timed out). Fix: retry"
            )
        return [r.id or 0 for r in stale]


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
    engine: Engine,
    config: PipelineConfig,
    record: QuestionnaireRecord,
    questions: Sequence[ingest.Question],
    *,
    on_matched: Callable[[int], None],
) -> tuple[list[matcher.MatchResult], dict[str, BankEntry]]:
    """Match in slices of ``config.progress_every`` questions, reporting the count after each slice."""
    with read_session(engine) as s:
        org = s.get(Organisation, record.org_id)
        assert org is not None
        entries = bank_store.entries_by_key(s, org_id=record.org_id)
        extra = {t.family: t.terms for t in s.exec(select(OrgTerm).where(OrgTerm.org_id == record.org_id))}
    items = bank_items(list(entries.values()))
    if not items or not questions:
        on_matched(len(questions))
        return [matcher.MatchResult(question=q.text, band="none", candidates=()) for q in questions], entries
    index = config.cache.get(org_slug=org.slug, items=items, extra=extra)
    queries = [matcher.Query(text=q.text, number=q.number, answer_type=q.answer_type) for q in questions]
    results: list[matcher.MatchResult] = []
    step = max(1, config.progress_every)
    for start in range(0, len(queries), step):
        chunk = queries[start : start + step]
        results.extend(matcher.match(index, chunk, top_k=config.top_k, thresholds=config.thresholds))
        on_matched(len(results))
    return results, entries


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
        audit.record(
            s,
            actor="worker",
            org_id=record.org_id,
            action="questionnaire.ready",
            target_type="questionnaire",
            target_id=questionnaire_id,
            detail={"questions": len(parsed.questions), "attempt": record.attempts, "reader": parsed.reader},
        )


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


def _set_progress(
    engine: Engine, questionnaire_id: int, *, found: int | None = None, matched: int | None = None
) -> None:
    """Record how far the job is, in its own short transaction, so every page and worker sees it."""
    with write_session(engine) as s:
        record = s.get(QuestionnaireRecord, questionnaire_id)
        assert record is not None
        record.found = record.found if found is None else found
        record.matched = record.matched if matched is None else matched
        record.updated_at = utcnow()
        s.add(record)


def _fail(engine: Engine, questionnaire_id: int, message: str) -> None:
    with write_session(engine) as s:
        record = s.get(QuestionnaireRecord, questionnaire_id)
        if record is not None:
            _mark_failed(s, record, message)


def _mark_failed(s: Session, record: QuestionnaireRecord, message: str) -> None:
    assert record.id is not None
    _clear(s, record.id)
    record.status, record.error, record.updated_at = "failed", message[:2000], utcnow()
    s.add(record)
    audit.record(
        s,
        actor="worker",
        org_id=record.org_id,
        action="questionnaire.failed",
        target_type="questionnaire",
        target_id=record.id,
        detail={"error": message[:500]},
    )
