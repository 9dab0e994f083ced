"""Forms and the page model behind the review pages (``web/review.py`` keeps the routes thin).

Queries and writes live in ``review/store.py``, ``core/accounts.py`` and ``evidence/``; this module only
gathers what one page shows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from flask import g
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlmodel import Session
from wtforms import DateField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, Optional, Regexp

from answerbank import store as bank_store
from answerbank.models import SHORT_ANSWERS, BankEntry
from answerbank.store import Actor
from core import accounts
from core.models import ROLE_ABILITIES, Role
from evidence.matching import EvidenceProposal, propose
from evidence.store import EvidenceView, evidence_for_entries
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


def _label(name: str) -> str:
    return REASON_LABELS.get(name, name.replace("_", " "))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def reason_rows(reasons: dict[str, Any]) -> tuple[list[tuple[str, float]], list[tuple[str, Any]]]:
    """A draft's reasons for its card: labelled score parts, then the labelled rest (terms, notes).

    Done here rather than with Jinja's ``selectattr`` on each of a page's 50 cards (it was a fifth
    of the page's rendering time).
    """
    numbers = [(_label(k), float(v)) for k, v in reasons.items() if _is_number(v)]
    rest = [(_label(k), v) for k, v in reasons.items() if not _is_number(v)]
    return numbers, rest


def reason_summary(reasons: dict[str, Any], *, top: int = 3) -> str:
    """One line for a runner-up candidate: its strongest score parts and the terms it shares, e.g.
    ``coverage 0.62, fuzzy 0.55, answer text 0.40; thesaurus terms: mfa, sso`` (the chosen draft shows
    every part in full)."""
    numbers = sorted(
        ((k, v) for k, v in reasons.items() if isinstance(v, int | float) and not isinstance(v, bool) and v),
        key=lambda kv: -kv[1],
    )
    parts = [f"{_label(k)} {v:.2f}" for k, v in numbers[:top]]
    lists = [
        f"{_label(k)}: {', '.join(map(str, v))}"
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
    evidence: list[EvidenceView] = field(default_factory=list)
    proposed: list[EvidenceProposal] = field(default_factory=list)

    @property
    def evidence_expired(self) -> bool:
        return any(e.expired for e in self.evidence)


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
    members: list[accounts.Member] = field(default_factory=list)
    exports: list[ExportRecord] = field(default_factory=list)

    @property
    def first(self) -> int:
        return (self.filters.page - 1) * PAGE_SIZE + 1 if self.items else 0

    @property
    def pages(self) -> int:
        return max(1, -(-self.matching // PAGE_SIZE))


def review_page(
    session: Session,
    *,
    record: Record,
    filters: Filters,
    typed: dict[int, str] | None = None,
    with_evidence: bool = True,
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
    team = accounts.active_members(session, org_id=record.org_id, ability="review.edit")
    emails: dict[int | None, str] = {m.id: m.email for m in team}
    items = _items(session, record=record, kept=rows, emails=emails, typed=typed or {})
    if with_evidence:
        _add_evidence(session, org_id=record.org_id, items=items)
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
        exports=review_store.exports(session, questionnaire_id=record.id),
    )


def _items(
    session: Session,
    *,
    record: Record,
    kept: list[tuple[QuestionRecord, Draft]],
    emails: dict[int | None, str],
    typed: dict[int, str],
) -> list[Item]:
    keys = {d.entry_key for _q, d in kept if d.entry_key}
    entries = bank_store.entries_by_key(session, org_id=record.org_id, keys=keys) if keys else {}
    notes = review_store.comments(session, draft_ids=[d.id for _q, d in kept if d.id is not None])
    today = date.today()
    items = []
    for q, d in kept:
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
                typed=typed.get(d.id or 0),
            )
        )
    return items


def _add_evidence(session: Session, *, org_id: int, items: list[Item]) -> None:
    """The evidence each draft's entry cites, and what the matcher proposes for the question itself.

    Proposals are computed here, for the questions on the page only, rather than stored by the
    pipeline: evidence added after the upload shows up at once, and the evidence index is small (one
    item per piece of evidence, not per question), so building it per page is cheap.
    """
    cited = evidence_for_entries(session, org_id, [i.draft.entry_key for i in items if i.draft.entry_key])
    proposals = propose(session, org_id=org_id, questions=[i.question.text for i in items], top_k=2)
    for item, proposed in zip(items, proposals, strict=True):
        item.evidence = cited.get(item.draft.entry_key or "", [])
        have = {e.id for e in item.evidence}
        item.proposed = [p for p in proposed if p.evidence.id not in have]


def abilities() -> dict[str, bool]:
    role: Role | None = g.get("role")
    held = ROLE_ABILITIES[role] if role else frozenset()
    names = ("upload", "edit", "approve", "export")
    return {name: f"review.{name}" in held for name in names} | {
        "bank": "bank.write" in held,
        "evidence": "evidence.read" in held,
    }
