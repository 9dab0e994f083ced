"""Use cases of the answer bank: import (all or nothing, ``--dry-run``), export and health checks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process
from sqlmodel import Session

from answerbank import io, store
from answerbank.models import BankEntry
from answerbank.store import Actor
from core import audit
from core.models import Organisation


@dataclass
class ImportSummary:
    file: str
    organisation: str
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    dry_run: bool = False

    @property
    def nothing_changed(self) -> bool:
        return not self.added and not self.changed

    def counts(self) -> dict[str, int]:
        return {"added": len(self.added), "changed": len(self.changed), "unchanged": len(self.unchanged)}

    def to_dict(self) -> dict[str, object]:
        return {**asdict(self), "counts": self.counts()}

    def describe(self) -> str:
        c = self.counts()
        head = "Dry run, nothing written: " if self.dry_run else ""
        text = f"{head}{c['added']} added, {c['changed']} changed, {c['unchanged']} unchanged in {self.organisation}"
        if self.nothing_changed and not self.dry_run:
            text += " (the bank already matches this file; nothing changed)"
        return text


def import_file(
    session: Session, *, org: Organisation, path: Path, actor: Actor, dry_run: bool = False
) -> ImportSummary:
    """Validate the whole file, then add new keys and write new versions of changed ones.

    Run it inside ``core.db.write_session``: any error rolls the whole import back.
    """
    entries = io.read_entries(path)
    assert org.id is not None
    current = store.entries_by_key(session, org_id=org.id)
    summary = ImportSummary(file=path.name, organisation=org.slug, dry_run=dry_run)
    for data in entries:
        existing = current.get(data.key)
        if existing is None:
            summary.added.append(data.key)
            if not dry_run:
                store.create_entry(session, org_id=org.id, data=data, actor=actor)
        elif store.content_of(existing) == store.content_of(data):
            summary.unchanged.append(data.key)
        else:
            summary.changed.append(data.key)
            if not dry_run:
                store.update_entry(session, org_id=org.id, data=data, actor=actor)
    if not dry_run:
        audit.record(
            session,
            actor=actor.label,
            actor_id=actor.user_id,
            org_id=org.id,
            action="bank.import",
            target_type="file",
            target_id=path.name[:128],
            detail=summary.counts(),
        )
    return summary


def export_file(session: Session, *, org: Organisation, path: Path) -> int:
    assert org.id is not None
    entries = store.list_entries(session, org_id=org.id)
    io.write_entries(path, entries)
    return len(entries)


# ---------------------------------------------------------------- health

NEAR_DUPLICATE = 88.0
CONFLICT_SIMILARITY = 80.0
CONTRADICTIONS = {frozenset({"Yes", "No"}), frozenset({"Yes", "N/A"}), frozenset({"No", "Partial"})}


@dataclass(frozen=True)
class Finding:
    kind: str  # near_duplicate | conflict | past_review
    keys: tuple[str, ...]
    detail: str
    similarity: float | None = None


def check_bank(entries: list[BankEntry], *, today: date) -> list[Finding]:
    """Near-duplicate questions, conflicting short answers on similar questions, and overdue reviews."""
    live = [e for e in entries if e.status != "retired"]
    return _similar_pairs(live) + _past_review(live, today=today)


def _similar_pairs(entries: list[BankEntry]) -> list[Finding]:
    if len(entries) < 2:
        return []
    texts = [" ".join(e.question.lower().split()) for e in entries]
    scores = process.cdist(
        texts,
        texts,
        scorer=fuzz.token_sort_ratio,
        score_cutoff=CONFLICT_SIMILARITY,
        dtype=np.uint8,
        workers=-1,
    )
    findings: list[Finding] = []
    for i, j in zip(*np.nonzero(np.triu(scores, k=1)), strict=True):
        a, b, sim = entries[int(i)], entries[int(j)], float(scores[i, j])
        answers = frozenset({a.short_answer, b.short_answer})
        if answers in CONTRADICTIONS:
            findings.append(
                Finding(
                    "conflict",
                    (a.key, b.key),
                    f"similar questions answered {a.short_answer} and {b.short_answer}",
                    sim,
                )
            )
        elif sim >= NEAR_DUPLICATE:
            findings.append(Finding("near_duplicate", (a.key, b.key), "near-identical questions", sim))
    return findings


def _past_review(entries: list[BankEntry], *, today: date) -> list[Finding]:
    return [
        Finding("past_review", (e.key,), f"review was due {e.review_by.isoformat()}")
        for e in sorted(entries, key=lambda e: e.key)
        if e.review_by is not None and e.review_by < today
    ]
