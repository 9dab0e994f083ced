"""The learning loop: an approved new or edited answer flows back into the bank as a new version, and
the question's wording becomes an alternate phrasing, so the next questionnaire drafts better."""

from __future__ import annotations

from datetime import date

from sqlmodel import Session

from answerbank import store as bank_store
from answerbank.models import BankEntry, EntryCreate
from answerbank.store import Actor
from core.errors import ValidationError
from review.models import Draft
from review.store import compare_and_set_draft, get_draft


def save_to_bank(
    session: Session,
    *,
    org_id: int,
    draft_id: int,
    expected_version: int,
    actor: Actor,
    new_key: str | None = None,
    category: str = "",
) -> tuple[str, int]:
    """Write the draft's answer to the bank: a new entry under ``new_key``, or a new version of the
    matched entry with the question added as an alternate. Returns (key, version).

    The draft's ``row_version`` is claimed first, as a compare-and-set: of two racing saves (or a save
    racing an edit) one wins, the other gets :class:`Conflict` before it writes anything to the bank.
    """
    _record, question, draft = get_draft(session, org_id=org_id, draft_id=draft_id)
    compare_and_set_draft(session, draft=draft, expected_version=expected_version, values={})
    if not draft.answer.strip():
        raise ValidationError("the answer is empty", fix="write the answer before saving it to the bank")
    if new_key:
        data = EntryCreate(
            key=new_key.strip(),
            question=question.text,
            answer=draft.answer,
            short_answer=draft.short_answer,
            category=category,
            status="approved",
        )
        entry = bank_store.create_entry(session, org_id=org_id, data=data, actor=actor)
    else:
        entry = _update_matched(session, org_id=org_id, draft=draft, question_text=question.text, actor=actor)
    draft.entry_key, draft.entry_version = entry.key, entry.version
    session.add(draft)
    return entry.key, entry.version


def _update_matched(
    session: Session, *, org_id: int, draft: Draft, question_text: str, actor: Actor
) -> BankEntry:
    if not draft.entry_key:
        raise ValidationError(
            "this answer has no bank entry to update", fix="save it as a new entry with a key"
        )
    entry = bank_store.require_entry(session, org_id=org_id, key=draft.entry_key)
    alternates = list(entry.alternates)
    if question_text.strip().lower() not in {a.lower() for a in [entry.question, *alternates]}:
        alternates.append(question_text.strip())
    data = EntryCreate(
        **{
            **bank_store.content_of(entry),
            "key": entry.key,
            "answer": draft.answer,  # type: ignore[arg-type]
            "short_answer": draft.short_answer,
            "alternates": alternates,
        }
    )
    updated, _changed = bank_store.update_entry(session, org_id=org_id, data=data, actor=actor)
    return updated


def overdue(review_by: date | None, *, today: date) -> bool:
    return review_by is not None and review_by < today
