"""Readiness of an organisation against a catalog: per control, the approved answers and the valid evidence
behind it, or what is missing or expired; totals per family (CSF function, 800-53 family, ...).

A control counts what cites it directly (``NIST-CSF-2.0:PR.AA-03``) or through one crosswalk hop (the
insurer catalog's ``INS-MFA-EMAIL`` maps to ``PR.AA-03``). Evidence counts when it cites one of those
references itself, or when an approved answer behind the control links to it. The bank is passed in
(``answerbank`` is a sibling layer), as any objects with ``key``, ``controls`` and ``status``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

from sqlmodel import Session, select

from evidence.catalogs import controls_of, require_catalog
from evidence.crosswalks import related
from evidence.models import Catalog, EntryEvidence, Evidence
from evidence.pdf import PdfDocument
from evidence.store import is_expired, list_evidence

STATUSES = ("ready", "partial", "expired", "missing")
COLOURS = {"ready": "#1e8a4c", "partial": "#d69e2e", "expired": "#b42318", "missing": "#c3cad3"}
HINTS = {
    "ready": "approved answer and valid evidence",
    "partial": "an approved answer without evidence, or evidence without an approved answer",
    "expired": "all of its evidence has expired",
    "missing": "no approved answer, no evidence",
}


class EntryLike(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def controls(self) -> list[str]: ...

    @property
    def status(self) -> str: ...


@dataclass
class ControlReadiness:
    ref: str
    control_id: str
    title: str
    family: str
    answers: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    expired: list[Evidence] = field(default_factory=list)

    @property
    def status(self) -> str:
        if self.answers and self.evidence:
            return "ready"
        if self.expired and not self.evidence:
            return "expired"
        return "partial" if self.answers or self.evidence else "missing"

    @property
    def missing(self) -> list[str]:
        gaps = [] if self.answers else ["approved answer"]
        if not self.evidence:
            gaps.append(
                "valid evidence (expired: " + ", ".join(e.title for e in self.expired) + ")"
                if self.expired
                else "evidence"
            )
        return gaps


@dataclass
class FamilyTotals:
    family: str
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def segments(self, width: float) -> list[tuple[str, float, float, int]]:
        """(status, x, width, count) of each bar segment for an SVG bar ``width`` wide."""
        out, x = [], 0.0
        for status in STATUSES:
            count = self.counts.get(status, 0)
            w = width * count / self.total if self.total else 0.0
            out.append((status, round(x, 1), round(w, 1), count))
            x += w
        return out


@dataclass
class Readiness:
    catalog: Catalog
    controls: list[ControlReadiness]
    families: list[FamilyTotals]
    today: date

    @property
    def totals(self) -> dict[str, int]:
        return {s: sum(1 for c in self.controls if c.status == s) for s in STATUSES}

    @property
    def percent_ready(self) -> int:
        return round(100 * self.totals["ready"] / len(self.controls)) if self.controls else 0


def compute(
    session: Session, *, org_id: int, catalog_key: str, entries: Sequence[EntryLike], today: date
) -> Readiness:
    catalog = require_catalog(session, key=catalog_key)
    controls = controls_of(session, catalog=catalog)
    refs = [f"{catalog.key}:{c.control_id}" for c in controls]
    hops = related(session, refs=refs)
    approved = [e for e in entries if e.status == "approved"]
    evidence = list_evidence(session, org_id=org_id)
    cited = _cited_by_entries(session, org_id=org_id)
    rows = []
    for control, ref in zip(controls, refs, strict=True):
        wanted = {ref} | hops[ref]
        row = ControlReadiness(ref, control.control_id, control.title, control.family or "Other")
        row.answers = sorted(e.key for e in approved if wanted & set(e.controls))
        backing = {item.id for item in evidence if wanted & set(item.controls)}
        backing |= {eid for key in row.answers for eid in cited.get(key, ())}
        for item in evidence:
            if item.id in backing:
                (row.expired if is_expired(item, today=today) else row.evidence).append(item)
        rows.append(row)
    return Readiness(catalog, rows, _families(rows), today)


def _cited_by_entries(session: Session, *, org_id: int) -> dict[str, set[int]]:
    cited: dict[str, set[int]] = {}
    for link in session.exec(select(EntryEvidence).where(EntryEvidence.org_id == org_id)):
        cited.setdefault(link.entry_key, set()).add(link.evidence_id)
    return cited


def _families(rows: list[ControlReadiness]) -> list[FamilyTotals]:
    families: dict[str, dict[str, int]] = {}
    for row in rows:
        counts = families.setdefault(row.family, dict.fromkeys(STATUSES, 0))
        counts[row.status] += 1
    return [FamilyTotals(name, counts) for name, counts in families.items()]


def to_pdf(readiness: Readiness, *, org_name: str) -> bytes:
    """A board- and underwriter-ready summary: totals, a bar per family, then every control."""
    doc = PdfDocument(f"Readiness {readiness.catalog.key} {org_name}")
    doc.text(f"Readiness: {org_name}", size=18, bold=True)
    doc.text(f"{readiness.catalog.title} ({readiness.catalog.key}), as of {readiness.today.isoformat()}")
    totals = readiness.totals
    doc.text(
        f"{readiness.percent_ready}% ready - "
        + ", ".join(f"{totals[s]} {s}" for s in STATUSES)
        + f" of {len(readiness.controls)} controls",
        bold=True,
    )
    doc.text("Green: ready; amber: partial; red: evidence expired; grey: missing.", size=8)
    doc.gap()
    for fam in readiness.families:
        parts = [(float(fam.counts[s]), _rgb(COLOURS[s])) for s in STATUSES]
        doc.bar(f"{fam.family} ({fam.counts['ready']}/{fam.total})", parts, total=float(fam.total))
    doc.gap(14)
    for row in readiness.controls:
        doc.text(f"{row.control_id} [{row.status.upper()}] {row.title}", size=9, bold=True)
        detail = f"Answers: {', '.join(row.answers) or '-'}; evidence: "
        detail += ", ".join(f"{e.title} (until {e.valid_until or 'open'})" for e in row.evidence) or "-"
        if row.status != "ready":
            detail += "; missing: " + "; ".join(row.missing)
        doc.text(detail, size=8, x=62)
    return doc.to_bytes()


def _rgb(colour: str) -> tuple[float, float, float]:
    r, g, b = (int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5))
    return r, g, b
