"""Use cases of the answer bank: import (all or nothing, ``--dry-run``), export and health checks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path

from sqlmodel import Session

import matcher
from answerbank import io, store
from answerbank.matching import bank_items
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
        audit.record_by(
            session,
            actor,
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

#: Matcher scores (0..1) above which two entries' questions count as the same question asked twice.
NEAR_DUPLICATE = 0.6
CONFLICT_SIMILARITY = 0.55
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
    """Each entry's question matched against the others by the matcher (the same engine that drafts
    answers), so paraphrases and acronyms count as similar, not only shared words."""
    if len(entries) < 2:
        return []
    by_key = {e.key: e for e in entries}
    index = matcher.build_index(bank_items(entries))
    results = matcher.match(index, [e.question for e in entries], top_k=4)
    seen: dict[tuple[str, str], float] = {}
    for entry, result in zip(entries, results, strict=True):
        for candidate in result.candidates:
            if candidate.entry_key != entry.key and candidate.score >= CONFLICT_SIMILARITY:
                a, b = sorted((entry.key, candidate.entry_key))
                seen[(a, b)] = max(seen.get((a, b), 0.0), candidate.score)
    return [
        f for pair, sim in sorted(seen.items()) if (f := _classify(by_key[pair[0]], by_key[pair[1]], sim))
    ]


def _classify(a: BankEntry, b: BankEntry, similarity: float) -> Finding | None:
    if frozenset({a.short_answer, b.short_answer}) in CONTRADICTIONS:
        detail = f"similar questions answered {a.short_answer} and {b.short_answer}"
        return Finding("conflict", (a.key, b.key), detail, round(similarity, 3))
    if similarity >= NEAR_DUPLICATE:
        return Finding("near_duplicate", (a.key, b.key), "near-identical questions", round(similarity, 3))
    return None


def _past_review(entries: list[BankEntry], *, today: date) -> list[Finding]:
    return [
        Finding("past_review", (e.key,), f"review was due {e.review_by.isoformat()}")
        for e in sorted(entries, key=lambda e: e.key)
        if e.review_by is not None and e.review_by < today
    ]
