"""Store functions for questionnaires in flight (session first, keyword-only).

Decisions on drafts are compare-and-set updates on ``row_version``: of two reviewers acting on the
same draft version one wins, the other gets :class:`Conflict` and nothing of theirs is lost silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, func, update
from sqlalchemy import delete as sa_delete
from sqlalchemy.orm import defer
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import Session, col, select

from answerbank import store as bank_store
from answerbank.store import Actor
from core import accounts, audit
from core.db import compare_and_set
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.models import ROLE_ABILITIES, AuditEvent, utcnow
from review.models import Draft, DraftComment, ExportRecord, QuestionnaireRecord, QuestionRecord

APPROVABLE = ("approved", "rejected")


def get_questionnaire(session: Session, *, org_id: int, questionnaire_id: int) -> QuestionnaireRecord:
    """The questionnaire if it belongs to ``org_id``; otherwise NotFound (never a hint it exists)."""
    record = session.get(QuestionnaireRecord, questionnaire_id)
    if record is None or record.org_id != org_id:
        raise NotFound(
            f"questionnaire {questionnaire_id} does not exist in this organisation",
            fix="list questionnaires with `trustdesk questionnaire list --org SLUG`",
        )
    return record


def list_questionnaires(session: Session, *, org_id: int) -> list[QuestionnaireRecord]:
    query = select(QuestionnaireRecord).where(QuestionnaireRecord.org_id == org_id)
    return list(session.exec(query.order_by(col(QuestionnaireRecord.id).desc())))


def questions_with_drafts(session: Session, *, questionnaire_id: int) -> list[tuple[QuestionRecord, Draft]]:
    rows = session.exec(
        select(QuestionRecord, Draft)
        .join(Draft, col(Draft.question_id) == col(QuestionRecord.id))
        .where(QuestionRecord.questionnaire_id == questionnaire_id)
        .order_by(col(QuestionRecord.position))
    )
    return list(rows)


@dataclass(frozen=True)
class DraftFilter:
    """Which drafts a review page shows; empty means any."""

    band: str = ""
    status: str = ""
    section: str = ""
    assigned_to: int | None = None


def _filtered(query: Any, questionnaire_id: int, where: DraftFilter) -> Any:
    query = query.where(QuestionRecord.questionnaire_id == questionnaire_id)
    if where.band or where.status or where.assigned_to is not None:
        # said of the draft too, so the database can start from the draft's indexes (migration 0006)
        query = query.where(Draft.questionnaire_id == questionnaire_id)
    if where.band:
        query = query.where(Draft.band == where.band)
    if where.status:
        query = query.where(Draft.status == where.status)
    if where.section:
        query = query.where(QuestionRecord.section == where.section)
    if where.assigned_to is not None:
        query = query.where(Draft.assigned_to == where.assigned_to)
    return query


def draft_page(
    session: Session, *, questionnaire_id: int, where: DraftFilter, offset: int, limit: int
) -> tuple[list[tuple[QuestionRecord, Draft]], int]:
    """One page of a questionnaire's questions with their drafts, filtered and paged in SQL, and how many
    match the filter in all."""
    joined = select(QuestionRecord, Draft).join(Draft, col(Draft.question_id) == col(QuestionRecord.id))
    query = _filtered(joined, questionnaire_id, where).order_by(col(QuestionRecord.position))
    rows = list(session.exec(query.offset(offset).limit(limit)))
    if rows and len(rows) < limit:  # the last page: everything that matches is before it or on it
        return rows, offset + len(rows)
    counted = (
        select(func.count())
        .select_from(QuestionRecord)
        .join(Draft, col(Draft.question_id) == col(QuestionRecord.id))
    )
    total = int(session.exec(_filtered(counted, questionnaire_id, where)).one())
    return rows, total


def sections(session: Session, *, questionnaire_id: int) -> list[str]:
    """The questionnaire's sections in the order they first appear."""
    first = func.min(QuestionRecord.position)
    rows = session.exec(
        select(QuestionRecord.section, first)
        .where(QuestionRecord.questionnaire_id == questionnaire_id, col(QuestionRecord.section).is_not(None))
        .group_by(col(QuestionRecord.section))
        .order_by(first)
    )
    return [section for section, _first in rows if section]


def get_draft(
    session: Session, *, org_id: int, draft_id: int
) -> tuple[QuestionnaireRecord, QuestionRecord, Draft]:
    """The draft with its questionnaire and question, in one query; NotFound unless it is ``org_id``'s."""
    found = session.exec(
        select(QuestionnaireRecord, QuestionRecord, Draft)
        .join(QuestionRecord, col(QuestionRecord.id) == col(Draft.question_id))
        .join(QuestionnaireRecord, col(QuestionnaireRecord.id) == col(Draft.questionnaire_id))
        .where(Draft.id == draft_id)
    ).first()
    if found is None or found[0].org_id != org_id:
        raise NotFound(f"draft {draft_id} does not exist", fix="reload the questionnaire")
    record, question, draft = found
    return record, question, draft


def band_counts(session: Session, *, questionnaire_id: int) -> dict[str, int]:
    return band_counts_for(session, questionnaire_ids=[questionnaire_id]).get(
        questionnaire_id, _zero_counts()
    )


#: Built once and run with parameters (as the two below): an approval runs both, and building them
#: cost more than running them (docs/benchmarks.md, "less CPU per request").
_DRAFT = Draft.__table__  # type: ignore[attr-defined]
_APPROVED_COUNT = (
    select(func.count())
    .select_from(_DRAFT)
    .where(_DRAFT.c.questionnaire_id == bindparam("qid"), _DRAFT.c.status == "approved")
)


def approved_count(session: Session, *, questionnaire_id: int) -> int:
    """How many of the questionnaire's drafts are approved (the review page's "Approved n of N")."""
    return int(session.connection().execute(_APPROVED_COUNT, {"qid": questionnaire_id}).scalar_one())


#: The draft to decide on and its organisation; the matcher's reasons and candidates (JSON, the bulk of
#: the row) are not read, as a decision needs neither.
_DECIDING = (
    select(Draft, QuestionnaireRecord.org_id)
    .join(QuestionnaireRecord, col(QuestionnaireRecord.id) == col(Draft.questionnaire_id))
    .where(col(Draft.id) == bindparam("draft_id"))
    .options(defer(Draft.reasons), defer(Draft.candidates))  # type: ignore[arg-type]
    .execution_options(populate_existing=True)  # the row as it is now, not a copy the session holds
)


def _draft_to_decide(session: Session, *, org_id: int, draft_id: int) -> Draft:
    found = session.exec(_DECIDING, params={"draft_id": draft_id}).first()
    if found is None or found[1] != org_id:
        raise NotFound(f"draft {draft_id} does not exist", fix="reload the questionnaire")
    return found[0]


def _zero_counts() -> dict[str, int]:
    return dict.fromkeys(("auto", "review", "none", "draft", "approved", "rejected"), 0)


def band_counts_for(session: Session, *, questionnaire_ids: Sequence[int]) -> dict[int, dict[str, int]]:
    """Drafts per band and per status of each questionnaire, counted by the database in one query."""
    rows = session.exec(
        select(Draft.questionnaire_id, Draft.band, Draft.status, func.count())
        .where(col(Draft.questionnaire_id).in_(list(questionnaire_ids)))
        .group_by(col(Draft.questionnaire_id), col(Draft.band), col(Draft.status))
    )
    found = {qid: _zero_counts() for qid in questionnaire_ids}
    for qid, band, status, n in rows:
        counts = found[qid]
        counts[band] = counts.get(band, 0) + n
        counts[status] = counts.get(status, 0) + n
    return found


@dataclass(frozen=True)
class Decision:
    """An approval or rejection checked against the draft as read: what :func:`apply_decision` writes,
    as one compare-and-set, if the draft is still at ``expected_version``."""

    draft: Draft
    expected_version: int
    values: dict[str, Any]
    org_id: int
    actor: Actor
    edited_now: bool  # this decision changes the text (the audit row says so)


def check_decision(
    session: Session,
    *,
    org_id: int,
    draft_id: int,
    expected_version: int,
    status: str,
    actor: Actor,
    answer: str | None = None,
    short_answer: str | None = None,
    can_approve: bool,
    segregate: bool = False,
    questionnaire_id: int | None = None,
) -> Decision:
    """Everything a decision needs to read and check, done without the write lock: the draft is ours,
    in this questionnaire, the actor may decide it, and the values to write.

    With ``segregate`` (``TRUSTDESK_SEGREGATE_APPROVAL``) nobody approves an answer they wrote: neither
    the last editor of the draft nor someone editing it in the approval itself. Reading before the write
    is safe because the write is a compare-and-set: any change in between (an edit included) moved
    ``row_version`` on, and the decision then loses with :class:`Conflict`.

    :func:`apply_decision` writes the result, in this session or in a write session opened after it
    (the web app takes the write lock only for that)."""
    if status not in APPROVABLE:
        raise ValidationError(f"status {status!r} is not a decision", fix="approve or reject")
    if not can_approve:
        raise PermissionDenied(
            "only approvers and admins approve or reject answers",
            fix="ask the organisation's vCISO to review it",
        )
    draft = _draft_to_decide(session, org_id=org_id, draft_id=draft_id)
    if questionnaire_id is not None and draft.questionnaire_id != questionnaire_id:
        raise NotFound(
            f"draft {draft_id} is not part of questionnaire {questionnaire_id}",
            fix="reload the questionnaire",
        )
    if draft.row_version != expected_version:  # the values below are computed from this version only
        raise _conflict(draft)
    if segregate and status == "approved":
        _check_segregation(session, draft=draft, actor=actor, answer=answer)
    edited = answer is not None and answer.strip() != draft.answer
    values: dict[str, Any] = {
        "status": status,
        "decided_by": actor.label,
        "decided_at": utcnow(),
        "answer": answer.strip() if edited and answer is not None else draft.answer,
        "edited": draft.edited or edited,
        "short_answer": (short_answer or None) if short_answer is not None else draft.short_answer,
    }
    return Decision(
        draft=draft,
        expected_version=expected_version,
        values=values,
        org_id=org_id,
        actor=actor,
        edited_now=edited,
    )


#: The decision's write, built once: under SQLite's write lock every statement built or run through the
#: ORM keeps the other writers waiting (docs/benchmarks.md, "a shorter write lock").
_DECISION = (
    update(_DRAFT)
    .where(
        _DRAFT.c.id == bindparam("draft_id"),
        _DRAFT.c.questionnaire_id == bindparam("in_questionnaire"),  # the one checked against the org
        _DRAFT.c.row_version == bindparam("expected"),
    )
    .values(
        status=bindparam("v_status"),
        decided_by=bindparam("v_decided_by"),
        decided_at=bindparam("v_decided_at"),
        answer=bindparam("v_answer"),
        edited=bindparam("v_edited"),
        short_answer=bindparam("v_short_answer"),
        row_version=bindparam("next_version"),
    )
)


def apply_decision(session: Session, decision: Decision) -> Draft:
    """Write a checked decision and its audit row, or raise Conflict if the draft moved on since."""
    draft = decision.draft
    assert draft.id is not None
    result = session.connection().execute(
        _DECISION,
        {
            "draft_id": draft.id,
            "in_questionnaire": draft.questionnaire_id,
            "expected": decision.expected_version,
            "next_version": decision.expected_version + 1,
            **{f"v_{name}": value for name, value in decision.values.items()},
        },
    )
    if int(getattr(result, "rowcount", 0)) != 1:
        raise _lost(session, draft.id)
    for name, value in {**decision.values, "row_version": decision.expected_version + 1}.items():
        set_committed_value(draft, name, value)  # no read-back
    audit.record_by(
        session,
        decision.actor,
        org_id=decision.org_id,
        action=f"draft.{decision.values['status']}",
        target_type="draft",
        target_id=draft.id,
        detail={"questionnaire": draft.questionnaire_id, "edited": decision.edited_now},
    )
    return draft


def last_editor(session: Session, *, draft_id: int) -> int | None:
    """The user who last changed the draft's text (from the audit log), if any."""
    event = session.exec(
        select(AuditEvent)
        .where(
            AuditEvent.target_type == "draft",
            AuditEvent.target_id == str(draft_id),
            col(AuditEvent.action).in_(("draft.edit", "draft.use_candidate")),
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(1)
    ).first()
    return event.actor_id if event else None


def _check_segregation(session: Session, *, draft: Draft, actor: Actor, answer: str | None) -> None:
    assert draft.id is not None
    if answer is not None and answer.strip() != draft.answer:
        raise PermissionDenied(
            "you cannot approve an answer you are editing (segregation of duties)",
            fix="save your text and ask another approver to approve it",
        )
    if actor.user_id is not None and last_editor(session, draft_id=draft.id) == actor.user_id:
        raise PermissionDenied(
            "you wrote this answer, so someone else must approve it (segregation of duties)",
            fix="ask another approver",
        )


def edit_draft(
    session: Session,
    *,
    org_id: int,
    draft_id: int,
    expected_version: int,
    answer: str,
    short_answer: str | None,
    actor: Actor,
) -> Draft:
    """Change a draft's text without deciding on it (account managers may do this)."""
    record, _question, draft = get_draft(session, org_id=org_id, draft_id=draft_id)
    if draft.status == "approved":
        since = " since you opened it" if draft.row_version != expected_version else ""
        raise Conflict(
            f"this answer was approved by {draft.decided_by}{since}",
            fix="ask an approver to reopen it; your text is kept below",
        )
    values = {
        "answer": answer.strip(),
        "short_answer": short_answer or None,
        "edited": True,
    }
    compare_and_set_draft(session, draft=draft, expected_version=expected_version, values=values)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="draft.edit",
        target_type="draft",
        target_id=draft_id,
        detail={"questionnaire": record.id},
    )
    return draft


def compare_and_set_draft(
    session: Session, *, draft: Draft, expected_version: int, values: dict[str, Any]
) -> None:
    """Write ``values`` to the draft if nobody changed it since ``expected_version``, else Conflict.

    ``row_version`` goes up by one either way it is written, so the next stale form loses too.
    """
    assert draft.id is not None
    won = compare_and_set(session, Draft, row_id=draft.id, expected=expected_version, values=values)
    if not won:
        raise _lost(session, draft.id)
    for name, value in {**values, "row_version": expected_version + 1}.items():  # no read-back
        set_committed_value(draft, name, value)


def _lost(session: Session, draft_id: int) -> Conflict:
    """The Conflict for a compare-and-set that lost: who won, and what the row holds now (read in
    ``session``, whichever session read the draft before)."""
    draft = session.get(Draft, draft_id, populate_existing=True)
    if draft is None:
        return Conflict("This answer was removed while you were looking at it", fix="reload the page")
    return _conflict(draft)


def _conflict(draft: Draft) -> Conflict:
    """What a stale decision or edit is told, from the draft as it is now."""
    if draft.status in APPROVABLE and draft.decided_by:  # catalogue C01: "Already approved by X"
        message = f"Already {draft.status} by {draft.decided_by} while you were looking at it"
    else:
        message = f"This answer was changed while you were looking at it (now {draft.status})"
    return Conflict(message, fix="reload the page: your text is kept below so you can copy it")


def bulk_approve(
    session: Session, *, org_id: int, questionnaire_id: int, band: str, actor: Actor, can_approve: bool
) -> int:
    """Approve every undecided draft in ``band``; returns how many."""
    if not can_approve:
        raise PermissionDenied("only approvers and admins approve answers", fix="ask the vCISO")
    get_questionnaire(session, org_id=org_id, questionnaire_id=questionnaire_id)
    result = session.execute(
        update(Draft)
        .where(
            col(Draft.questionnaire_id) == questionnaire_id,
            col(Draft.band) == band,
            col(Draft.status) == "draft",
            col(Draft.entry_key).is_not(None),
        )
        .values(
            status="approved", decided_by=actor.label, decided_at=utcnow(), row_version=Draft.row_version + 1
        )
    )
    count = int(result.rowcount)  # type: ignore[attr-defined]
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="draft.bulk_approve",
        target_type="questionnaire",
        target_id=questionnaire_id,
        detail={"band": band, "count": count},
    )
    return count


def assign(session: Session, *, org_id: int, draft_id: int, user_id: int | None, actor: Actor) -> Draft:
    """Give the draft to a colleague who may edit it (``None`` unassigns); anyone else is refused."""
    _record, _question, draft = get_draft(session, org_id=org_id, draft_id=draft_id)
    if user_id is not None:
        role = accounts.role_in(session, user_id=user_id, org_id=org_id)
        if role is None or "review.edit" not in ROLE_ABILITIES[role]:
            raise ValidationError(
                f"user {user_id} cannot work on this organisation's questionnaires",
                fix="assign a colleague of this organisation who is not a viewer",
            )
    draft.assigned_to = user_id
    session.add(draft)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="draft.assign",
        target_type="draft",
        target_id=draft_id,
        detail={"user_id": user_id},
    )
    return draft


def comment(session: Session, *, org_id: int, draft_id: int, body: str, actor: Actor) -> DraftComment:
    if not body.strip():
        raise ValidationError("the comment is empty", fix="write something")
    get_draft(session, org_id=org_id, draft_id=draft_id)
    note = DraftComment(draft_id=draft_id, author=actor.label, body=body.strip())
    session.add(note)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="draft.comment",
        target_type="draft",
        target_id=draft_id,
    )
    return note


def comments(session: Session, *, draft_ids: Sequence[int]) -> dict[int, list[DraftComment]]:
    found: dict[int, list[DraftComment]] = {}
    for note in session.exec(select(DraftComment).where(col(DraftComment.draft_id).in_(list(draft_ids)))):
        found.setdefault(note.draft_id, []).append(note)
    return found


def exports(session: Session, *, questionnaire_id: int) -> list[ExportRecord]:
    query = select(ExportRecord).where(ExportRecord.questionnaire_id == questionnaire_id)
    return list(session.exec(query.order_by(col(ExportRecord.id).desc())))


def get_export(session: Session, *, record: QuestionnaireRecord, export_id: int) -> ExportRecord:
    found = session.get(ExportRecord, export_id)
    if found is None or found.questionnaire_id != record.id:
        raise NotFound(f"export {export_id} does not exist", fix="export the questionnaire again")
    return found


def requeue(session: Session, *, org_id: int, questionnaire_id: int, actor: Actor) -> QuestionnaireRecord:
    """Put a failed questionnaire back in the queue (the caller submits the job after commit)."""
    record = get_questionnaire(session, org_id=org_id, questionnaire_id=questionnaire_id)
    if record.status != "failed":
        raise ValidationError(f"questionnaire {record.id} has not failed", fix="reload the page")
    record.status, record.error, record.updated_at = "queued", None, utcnow()
    session.add(record)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="questionnaire.retry",
        target_type="questionnaire",
        target_id=questionnaire_id,
    )
    return record


def discard_failed(
    session: Session, *, org_id: int, questionnaire_id: int, actor: Actor
) -> QuestionnaireRecord:
    """Delete a failed questionnaire; only the audit trail keeps it (``questionnaire.discarded``).

    A failed job keeps no questions or drafts, and nothing is exported from one. The stored file is left
    to the orphan sweep, which removes it once no row refers to it and it is past the grace period (a
    concurrent upload of the same bytes refreshes it, so it is never pulled from under that upload).
    """
    record = get_questionnaire(session, org_id=org_id, questionnaire_id=questionnaire_id)
    if record.status != "failed":
        raise Conflict(
            f"“{record.title}” is {record.status}, not failed: only a failed import can be discarded",
            fix="reload the page",
        )
    gone = session.execute(
        sa_delete(QuestionnaireRecord).where(
            col(QuestionnaireRecord.id) == questionnaire_id, col(QuestionnaireRecord.status) == "failed"
        )
    )
    if gone.rowcount != 1:  # type: ignore[attr-defined]  # retried by someone else meanwhile
        raise Conflict(f"“{record.title}” changed while you looked at it", fix="reload the page")
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="questionnaire.discarded",
        target_type="questionnaire",
        target_id=questionnaire_id,
        detail={"file": record.filename, "sha256": record.file_sha256, "error": (record.error or "")[:500]},
    )
    return record


def not_queued(session: Session, *, questionnaire_id: int, error: Exception) -> None:
    """The job could not be queued (Redis down?): fail visibly so the user can retry."""
    record = session.get(QuestionnaireRecord, questionnaire_id)
    if record is not None:
        record.status, record.updated_at = "failed", utcnow()
        record.error = f"the background job could not be queued ({type(error).__name__}: {error}). Fix: retry"
        session.add(record)


def use_candidate(
    session: Session, *, org_id: int, draft_id: int, key: str, expected_version: int, actor: Actor
) -> Draft:
    """Switch a draft to another of its candidates (the entry's current answer), as a compare-and-set."""
    _record, _question, draft = get_draft(session, org_id=org_id, draft_id=draft_id)
    choice = next((c for c in draft.candidates if c.get("key") == key), None)
    if choice is None:
        raise ValidationError(f"{key} is not a candidate for this question", fix="pick one from the list")
    if draft.status == "approved":
        raise Conflict("this answer is already approved", fix="ask an approver to reopen it")
    entry = bank_store.require_entry(session, org_id=org_id, key=key)
    values = {
        "answer": entry.answer,
        "short_answer": entry.short_answer,
        "entry_key": entry.key,
        "entry_version": entry.version,
        "edited": False,
        "band": str(choice.get("band", "review")),
        "score": float(choice.get("score", 0.0)),
        "reasons": dict(choice.get("reasons") or {}),
    }
    compare_and_set_draft(session, draft=draft, expected_version=expected_version, values=values)
    audit.record_by(
        session,
        actor,
        org_id=org_id,
        action="draft.use_candidate",
        target_type="draft",
        target_id=draft_id,
        detail={"entry_key": entry.key, "entry_version": entry.version},
    )
    return draft
