"""Store functions for questionnaires in flight (session first, keyword-only).

Decisions on drafts are compare-and-set updates on ``row_version``: of two reviewers acting on the
same draft version one wins, the other gets :class:`Conflict` and nothing of theirs is lost silently.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select

from answerbank.store import Actor
from core import audit
from core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from core.models import AuditEvent, utcnow
from review.models import Draft, DraftComment, QuestionnaireRecord, QuestionRecord

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


def get_draft(
    session: Session, *, org_id: int, draft_id: int
) -> tuple[QuestionnaireRecord, QuestionRecord, Draft]:
    draft = session.get(Draft, draft_id)
    if draft is None:
        raise NotFound(f"draft {draft_id} does not exist", fix="reload the questionnaire")
    record = get_questionnaire(session, org_id=org_id, questionnaire_id=draft.questionnaire_id)
    question = session.get(QuestionRecord, draft.question_id)
    assert question is not None
    return record, question, draft


def band_counts(session: Session, *, questionnaire_id: int) -> dict[str, int]:
    rows = session.exec(select(Draft.band, Draft.status).where(Draft.questionnaire_id == questionnaire_id))
    bands: Counter[str] = Counter()
    for band, status in rows:
        bands[band] += 1
        bands[status] += 1
    return {k: bands.get(k, 0) for k in ("auto", "review", "none", "draft", "approved", "rejected")}


def decide(
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
) -> Draft:
    """Approve (optionally with an edited answer) or reject a draft, as a compare-and-set.

    With ``segregate`` (``TRUSTDESK_SEGREGATE_APPROVAL``) nobody approves an answer they wrote: neither
    the last editor of the draft nor someone editing it in the approval itself."""
    if status not in APPROVABLE:
        raise ValidationError(f"status {status!r} is not a decision", fix="approve or reject")
    if not can_approve:
        raise PermissionDenied(
            "only approvers and admins approve or reject answers",
            fix="ask the organisation's vCISO to review it",
        )
    record, _question, draft = get_draft(session, org_id=org_id, draft_id=draft_id)
    if segregate and status == "approved":
        _check_segregation(session, draft=draft, actor=actor, answer=answer)
    values: dict[str, Any] = {
        "status": status,
        "decided_by": actor.label,
        "decided_at": utcnow(),
        "row_version": expected_version + 1,
    }
    if answer is not None and answer.strip() != draft.answer:
        values.update(answer=answer.strip(), edited=True)
    if short_answer is not None:
        values["short_answer"] = short_answer or None
    _compare_and_set(session, draft=draft, expected_version=expected_version, values=values)
    audit.record(
        session,
        actor=actor.label,
        actor_id=actor.user_id,
        org_id=org_id,
        action=f"draft.{status}",
        target_type="draft",
        target_id=draft_id,
        detail={"questionnaire": record.id, "edited": bool(values.get("edited"))},
    )
    session.refresh(draft)
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
        raise Conflict("this answer is already approved", fix="ask an approver to reopen it")
    values = {
        "answer": answer.strip(),
        "short_answer": short_answer or None,
        "edited": True,
        "row_version": expected_version + 1,
    }
    _compare_and_set(session, draft=draft, expected_version=expected_version, values=values)
    audit.record(
        session,
        actor=actor.label,
        actor_id=actor.user_id,
        org_id=org_id,
        action="draft.edit",
        target_type="draft",
        target_id=draft_id,
        detail={"questionnaire": record.id},
    )
    session.refresh(draft)
    return draft


def _compare_and_set(
    session: Session, *, draft: Draft, expected_version: int, values: dict[str, Any]
) -> None:
    result = session.execute(
        update(Draft)
        .where(col(Draft.id) == draft.id, col(Draft.row_version) == expected_version)
        .values(**values)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(draft)
        who = f" by {draft.decided_by}" if draft.decided_by else ""
        raise Conflict(
            f"this answer was changed{who} while you were looking at it (now {draft.status})",
            fix="reload the page: your text is kept below so you can copy it",
        )


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
    audit.record(
        session,
        actor=actor.label,
        actor_id=actor.user_id,
        org_id=org_id,
        action="draft.bulk_approve",
        target_type="questionnaire",
        target_id=questionnaire_id,
        detail={"band": band, "count": count},
    )
    return count


def assign(session: Session, *, org_id: int, draft_id: int, user_id: int | None, actor: Actor) -> Draft:
    _record, _question, draft = get_draft(session, org_id=org_id, draft_id=draft_id)
    draft.assigned_to = user_id
    session.add(draft)
    audit.record(
        session,
        actor=actor.label,
        actor_id=actor.user_id,
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
    audit.record(
        session,
        actor=actor.label,
        actor_id=actor.user_id,
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
