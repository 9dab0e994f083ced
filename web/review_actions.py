"""Forms and helpers behind the review pages (``web/review.py`` keeps the routes thin).

The few queries here (members of an organisation, a questionnaire's exports) and the "use another
candidate" and "retry" writes would sit better in ``review/store.py``; they live here until it has them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import g
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlmodel import Session, col, select
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from answerbank import store as bank_store
from answerbank.models import SHORT_ANSWERS, BankEntry
from answerbank.store import Actor
from core import audit
from core.errors import Conflict, NotFound, ValidationError
from core.models import ROLE_ABILITIES, Membership, Role, User, utcnow
from review import store as review_store
from review.export import FORMATS
from review.learning import overdue
from review.models import BANDS, DRAFT_STATUSES, Draft, DraftComment, ExportRecord, QuestionRecord
from review.models import QuestionnaireRecord as Record

REQUESTER_KINDS = ("customer", "partner", "insurer")
SHORT_CHOICES = [SelectChoice("", "(none)")] + [SelectChoice(s) for s in SHORT_ANSWERS]


class UploadForm(FlaskForm):
    file = FileField(
        "Questionnaire file (.xlsx, .csv, .docx, .pdf or VSAQ .json)", validators=[FileRequired()]
    )
    requester = StringField("Requester", validators=[Length(max=200)])
    requester_kind = SelectField(
        "Requester kind", choices=[SelectChoice(k, k.title()) for k in REQUESTER_KINDS], default="customer"
    )
    due_date = DateField("Due date", validators=[Optional()])


class VersionedForm(FlaskForm):
    row_version = IntegerField(validators=[InputRequired()])


class DecisionForm(VersionedForm):
    answer = TextAreaField("Answer")
    short_answer = SelectField("Short answer", choices=SHORT_CHOICES, default="")


class CandidateForm(VersionedForm):
    key = StringField(validators=[DataRequired(), Length(max=64)])


class BankForm(VersionedForm):
    new_key = StringField(
        "New entry key", validators=[Optional(), Length(max=64), Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    )
    category = StringField("Category", validators=[Length(max=100)])


class AssignForm(FlaskForm):
    user_id = SelectField("Assign to", choices=[], validate_choice=True)


class CommentForm(FlaskForm):
    body = TextAreaField("Comment", validators=[DataRequired(), Length(max=4000)])


class ExportForm(FlaskForm):
    format = SelectField("Format", choices=[SelectChoice(f) for f in FORMATS], default="original")
    draft = HiddenField()


def actor() -> Actor:
    return Actor(current_user.email, current_user.user_id)


def members(session: Session, *, org_id: int) -> list[tuple[User, Role]]:
    """The organisation's users who can work on a questionnaire (everyone but viewers)."""
    rows = session.exec(
        select(User, Membership)
        .join(Membership, col(Membership.user_id) == col(User.id))
        .where(Membership.org_id == org_id, col(User.is_active).is_(True))
        .order_by(col(User.email))
    )
    found = [(user, Role(m.role)) for user, m in rows]
    return [(u, r) for u, r in found if "review.edit" in ROLE_ABILITIES[r]]


def exports(session: Session, *, questionnaire_id: int) -> list[ExportRecord]:
    query = select(ExportRecord).where(ExportRecord.questionnaire_id == questionnaire_id)
    return list(session.exec(query.order_by(col(ExportRecord.id).desc())))


def get_export(session: Session, *, record: Record, export_id: int) -> ExportRecord:
    found = session.get(ExportRecord, export_id)
    if found is None or found.questionnaire_id != record.id:
        raise NotFound(f"export {export_id} does not exist", fix="export the questionnaire again")
    return found


def requeue(session: Session, *, org_id: int, questionnaire_id: int, by: Actor) -> Record:
    """Put a failed questionnaire back in the queue (the caller submits the job after commit)."""
    record = review_store.get_questionnaire(session, org_id=org_id, questionnaire_id=questionnaire_id)
    if record.status != "failed":
        raise ValidationError(f"questionnaire {record.id} has not failed", fix="reload the page")
    record.status, record.error, record.updated_at = "queued", None, utcnow()
    session.add(record)
    audit.record(
        session,
        actor=by.label,
        actor_id=by.user_id,
        org_id=org_id,
        action="questionnaire.retry",
        target_type="questionnaire",
        target_id=questionnaire_id,
    )
    return record


def not_queued(session: Session, *, questionnaire_id: int, error: Exception) -> None:
    """The job could not be queued (Redis down?): fail visibly so the user can retry."""
    record = session.get(Record, questionnaire_id)
    if record is not None:
        record.status, record.updated_at = "failed", utcnow()
        record.error = f"the background job could not be queued ({type(error).__name__}: {error}). Fix: retry"
        session.add(record)


def use_candidate(
    session: Session, *, org_id: int, draft_id: int, key: str, expected_version: int, by: Actor
) -> Draft:
    """Switch a draft to another of its candidates: the entry's current answer, as a compare-and-set."""
    _record, _question, draft = review_store.get_draft(session, org_id=org_id, draft_id=draft_id)
    choice = next((c for c in draft.candidates if c.get("key") == key), None)
    if choice is None:
        raise ValidationError(f"{key} is not a candidate for this question", fix="pick one from the list")
    entry = bank_store.require_entry(session, org_id=org_id, key=key)
    draft = review_store.edit_draft(
        session,
        org_id=org_id,
        draft_id=draft_id,
        expected_version=expected_version,
        answer=entry.answer,
        short_answer=entry.short_answer,
        actor=by,
    )
    draft.entry_key, draft.entry_version, draft.edited = entry.key, entry.version, False
    draft.band, draft.score = str(choice.get("band", "review")), float(choice.get("score", 0.0))
    draft.reasons = dict(choice.get("reasons") or {})
    session.add(draft)
    audit.record(
        session,
        actor=by.label,
        actor_id=by.user_id,
        org_id=org_id,
        action="draft.use_candidate",
        target_type="draft",
        target_id=draft_id,
        detail={"entry_key": entry.key, "entry_version": entry.version},
    )
    return draft


def check_version(draft: Draft, expected: int) -> None:
    """The compare part of compare-and-set, for writes that go through other modules."""
    if draft.row_version != expected:
        who = f" by {draft.decided_by}" if draft.decided_by else ""
        raise Conflict(
            f"this answer was changed{who} while you were looking at it (now {draft.status})",
            fix="check the answer below and try again",
        )


PAGE_SIZE = 50
#: How the review page names the parts of a match score (``reasons`` in ``matcher``).
REASON_LABELS = {
    "tfidf_word": "words",
    "tfidf_char": "characters",
    "fuzzy": "fuzzy",
    "answer_text": "answer text",
    "concepts": "concepts",
    "coverage": "coverage",
    "thesaurus": "thesaurus terms",
    "thesaurus_families": "term families",
    "controls": "cited controls",
    "number": "same number",
    "answer_type": "answer type",
    "typos_corrected": "typos corrected",
}


def reason_summary(reasons: dict[str, Any], *, top: int = 3) -> str:
    """One line for a runner-up candidate: its strongest score parts and the terms it shares, e.g.
    ``coverage 0.62, fuzzy 0.55, answer text 0.40; thesaurus terms: mfa, sso`` (the chosen draft shows
    every part in full)."""
    numbers = sorted(
        ((k, v) for k, v in reasons.items() if isinstance(v, int | float) and not isinstance(v, bool) and v),
        key=lambda kv: -kv[1],
    )
    parts = [f"{REASON_LABELS.get(k, k.replace('_', ' '))} {v:.2f}" for k, v in numbers[:top]]
    lists = [
        f"{REASON_LABELS.get(k, k.replace('_', ' '))}: {', '.join(map(str, v))}"
        for k, v in reasons.items()
        if isinstance(v, list | tuple) and v
    ]
    return "; ".join(filter(None, [", ".join(parts), *lists]))


@dataclass
class Filters:
    band: str = ""
    status: str = ""
    section: str = ""
    mine: bool = False
    page: int = 1

    @classmethod
    def from_args(cls, args: Any) -> Filters:
        band, status, page = args.get("band", ""), args.get("status", ""), args.get("page", "1")
        return cls(
            band=band if band in BANDS else "",
            status=status if status in DRAFT_STATUSES else "",
            section=args.get("section", "")[:300],
            mine=args.get("mine") == "1",
            page=min(int(page), 100_000) if page.isdigit() and int(page) > 0 else 1,
        )

    def params(self) -> dict[str, str]:
        values = {"band": self.band, "status": self.status, "section": self.section}
        values["mine"] = "1" if self.mine else ""
        values["page"] = str(self.page) if self.page > 1 else ""
        return {k: v for k, v in values.items() if v}

    def where(self, user_id: int) -> review_store.DraftFilter:
        return review_store.DraftFilter(
            band=self.band,
            status=self.status,
            section=self.section,
            assigned_to=user_id if self.mine else None,
        )


@dataclass
class Item:
    """One question on the review page, with everything its card shows."""

    question: QuestionRecord
    draft: Draft
    entry: BankEntry | None
    overdue: bool
    others: list[dict[str, Any]]
    comments: list[DraftComment]
    assignee: str | None
    typed: str | None = None


@dataclass
class Page:
    """One page of the review screen: at most ``PAGE_SIZE`` questions that match the filters."""

    record: Record
    items: list[Item]
    total: int  # questions in the questionnaire
    matching: int  # questions that match the filters, on every page
    counts: dict[str, int]
    sections: list[str]
    filters: Filters
    members: list[tuple[User, Role]] = field(default_factory=list)
    exports: list[ExportRecord] = field(default_factory=list)

    @property
    def first(self) -> int:
        return (self.filters.page - 1) * PAGE_SIZE + 1 if self.items else 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE_SIZE))


def review_page(
    session: Session, *, record: Record, filters: Filters, typed: dict[int, str] | None = None
) -> Page:
    """The questions on this page with their drafts, bank entries, comments and assignees: a fixed
    number of queries whatever the page size, filtering and paging done by the database."""
    assert record.id is not None
    rows, matching = review_store.draft_page(
        session,
        questionnaire_id=record.id,
        where=filters.where(current_user.user_id),
        offset=(filters.page - 1) * PAGE_SIZE,
        limit=PAGE_SIZE,
    )
    keys = {d.entry_key for _q, d in rows if d.entry_key}
    entries = bank_store.entries_by_key(session, org_id=record.org_id, keys=keys) if keys else {}
    team = members(session, org_id=record.org_id)
    emails = {u.id: u.email for u, _r in team}
    notes = review_store.comments(session, draft_ids=[d.id for _q, d in rows if d.id is not None])
    today = date.today()
    items = []
    for q, d in rows:
        entry = entries.get(d.entry_key) if d.entry_key else None
        items.append(
            Item(
                question=q,
                draft=d,
                entry=entry,
                overdue=overdue(entry.review_by if entry else None, today=today),
                others=[
                    dict(c, why=reason_summary(c.get("reasons") or {}))
                    for c in d.candidates
                    if c.get("key") != d.entry_key
                ],
                comments=notes.get(d.id or 0, []),
                assignee=emails.get(d.assigned_to) if d.assigned_to else None,
                typed=(typed or {}).get(d.id or 0),
            )
        )
    counts = review_store.band_counts(session, questionnaire_id=record.id)
    return Page(
        record=record,
        items=items,
        total=counts["draft"] + counts["approved"] + counts["rejected"],
        matching=matching,
        counts=counts,
        sections=review_store.sections(session, questionnaire_id=record.id),
        filters=filters,
        members=team,
        exports=exports(session, questionnaire_id=record.id),
    )


def abilities() -> dict[str, bool]:
    role: Role | None = g.get("role")
    held = ROLE_ABILITIES[role] if role else frozenset()
    names = ("upload", "edit", "approve", "export")
    return {name: f"review.{name}" in held for name in names} | {"bank": "bank.write" in held}
