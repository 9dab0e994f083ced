"""Build an evidence pack for a questionnaire: the approved answers (bank entry key, version, approver),
the filled questionnaire (``review.export`` into the original, XLSX when the original cannot be written
back) and the evidence files the approved answers' bank entries cite.

Expired evidence is left out and listed as such; ``internal`` evidence never leaves the organisation and
is listed as withheld; links are listed with their address. The ZIP itself is written and verified by
:mod:`evidence.packs`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from pathlib import PurePath
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session, col, select

from answerbank.store import Actor
from core.db import read_session, write_session
from core.errors import PermissionDenied, TrustdeskError, ValidationError
from core.filestore import FileStore
from core.models import Organisation, utcnow
from core.sandbox import SandboxLimits
from evidence import packs
from evidence.models import Evidence, Pack
from evidence.store import evidence_for_entries
from review import export as review_export
from review.models import Draft, QuestionnaireRecord, QuestionRecord
from review.store import questions_with_drafts

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class BuiltPack:
    pack: Pack
    data: bytes
    filename: str
    manifest: dict[str, Any]


def build_pack(
    engine: Engine,
    *,
    files: FileStore,
    sandbox: SandboxLimits,
    org: Organisation,
    record: QuestionnaireRecord,
    actor: Actor,
    today: date | None = None,
) -> BuiltPack:
    """Fill the questionnaire (in the parsing sandbox), gather the evidence and write the ZIP with no
    write lock held, then record the export and the pack in one short transaction."""
    assert record.id is not None and org.id is not None
    with read_session(engine) as session:
        approved = [
            (q, d)
            for q, d in questions_with_drafts(session, questionnaire_id=record.id)
            if d.status == "approved"
        ]
        if not approved:
            raise ValidationError(
                "no approved answers to put in a pack", where=record.title, fix="approve answers first"
            )
        fmt, filled = _filled(session, files=files, sandbox=sandbox, record=record)
        cited = evidence_for_entries(session, org.id, [d.entry_key for _q, d in approved if d.entry_key])
        items = _evidence_rows(session, org_id=org.id, ids={v.id for views in cited.values() for v in views})
    included, left_out, members = _select_evidence(files, items, today=today or date.today())
    questionnaire_path = f"questionnaire/{filled.filename}"
    manifest = {
        **_header(org, record, actor=actor, path=questionnaire_path),
        "answers": [_answer(q, d, cited) for q, d in approved],
        "evidence": included,
        "left_out": left_out,
    }
    data = packs.assemble(manifest, [packs.Member(questionnaire_path, filled.data), *members])
    stored = files.put_bytes(data, name="pack.zip")
    with write_session(engine) as session:
        review_export.record_export(
            session, record=record, rendered=filled, fmt=fmt, actor=actor, draft=False
        )
        pack = packs.record_pack(
            session,
            org_id=org.id,
            questionnaire_id=record.id,
            title=record.title,
            stored=stored,
            members=len(members) + 2,
            actor=actor.label,
            actor_id=actor.user_id,
        )
    filename = f"{PurePath(record.filename).stem[:80] or 'questionnaire'}-evidence-pack-{pack.id}.zip"
    return BuiltPack(pack, data, filename, manifest)


def _header(org: Organisation, record: QuestionnaireRecord, *, actor: Actor, path: str) -> dict[str, Any]:
    return {
        "organisation": {"slug": org.slug, "name": org.name},
        "questionnaire": {"id": record.id, "title": record.title, "path": path},
        "requester": record.requester,
        "requester_kind": record.requester_kind,
        "built_at": utcnow().isoformat(timespec="seconds"),
        "built_by": actor.label,
    }


def _filled(
    session: Session, *, files: FileStore, sandbox: SandboxLimits, record: QuestionnaireRecord
) -> tuple[str, review_export.Rendered]:
    """The answers written into the customer's original file, or an XLSX when it cannot be (the format
    has no writer, or the file is beyond the sandbox's limits)."""
    try:
        return "original", review_export.render(
            session, files=files, sandbox=sandbox, record=record, fmt="original"
        )
    except (TrustdeskError, OSError, ValueError) as exc:
        log.info("pack for questionnaire %s: original not writable (%s); using XLSX", record.id, exc)
        return "xlsx", review_export.render(session, files=files, sandbox=sandbox, record=record, fmt="xlsx")


def _evidence_rows(session: Session, *, org_id: int, ids: set[int]) -> list[Evidence]:
    if not ids:
        return []
    query = select(Evidence).where(Evidence.org_id == org_id, col(Evidence.id).in_(sorted(ids)))
    return list(session.exec(query.order_by(col(Evidence.id))))


def _select_evidence(
    files: FileStore, items: list[Evidence], *, today: date
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[packs.Member]]:
    included, left_out, members = [], [], []
    for item in items:
        if item.valid_until is not None and item.valid_until < today:
            left_out.append(_left_out(item, f"expired {item.valid_until.isoformat()}"))
        elif item.confidentiality == "internal":
            left_out.append(_left_out(item, "internal: not shared outside the organisation"))
        elif item.kind == "link":
            included.append(packs.evidence_entry(item, path=None))
        else:
            path = packs.evidence_path(item)
            members.append(packs.Member(path, packs.read_evidence_file(files, item)))
            included.append(packs.evidence_entry(item, path=path))
    return included, left_out, members


def _left_out(item: Evidence, reason: str) -> dict[str, Any]:
    return {**packs.evidence_entry(item, path=None), "reason": reason}


def _answer(q: QuestionRecord, d: Draft, cited: dict[str, Any]) -> dict[str, Any]:
    return {
        "ref": q.ref,
        "number": q.number,
        "question": q.text,
        "short_answer": d.short_answer,
        "answer": d.answer,
        "entry_key": d.entry_key,
        "entry_version": d.entry_version,
        "edited": d.edited,
        "approved_by": d.decided_by,
        "approved_at": d.decided_at.isoformat() if d.decided_at else None,
        "evidence": [v.id for v in cited.get(d.entry_key or "", [])],
    }


def refuse_if_stale(session: Session, *, files: FileStore, pack: Pack) -> None:
    """PermissionDenied when the pack holds answers that are no longer approved as they were built:
    such a pack is never shared (from the web page or the CLI)."""
    stale = no_longer_approved(session, files=files, pack=pack)
    if stale:
        raise PermissionDenied(
            f"pack {pack.id} holds answers that are no longer approved ({', '.join(stale[:5])})",
            fix="build the pack again from the questionnaire, then share the new pack",
        )


def no_longer_approved(session: Session, *, files: FileStore, pack: Pack) -> list[str]:
    """The refs of the pack's answers that are not approved any more, or approved with other text since
    the pack was built: a pack with any cannot be shared until it is rebuilt."""
    manifest = packs.pack_manifest(files, pack)
    current = {q.ref: d for q, d in questions_with_drafts(session, questionnaire_id=pack.questionnaire_id)}
    stale = []
    for answer in manifest["answers"]:
        draft = current.get(answer["ref"])
        if draft is None or draft.status != "approved" or draft.answer != answer["answer"]:
            stale.append(str(answer["ref"]))
    return stale
