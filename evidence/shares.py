"""Share links: one pack, one recipient, a required expiry, optional NDA acceptance before ``nda`` files,
an optional download limit; revocable.

The token is ``secrets.token_urlsafe(32)`` (256 bits) and is shown once; only its SHA-256 is stored, so
the database cannot give a link away. Every view, NDA acceptance and download is audited. :func:`resolve`
says ``unknown`` for a token it does not know and ``expired``/``revoked``/``exhausted`` for a dead link;
the web layer shows a plain page for each, never a hint of what exists.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, update
from sqlmodel import Session, col, select

from core import audit
from core.errors import NotFound, ValidationError
from core.models import AuditEvent, utcnow
from evidence.models import Pack, ShareLink
from evidence.packs import get_pack
from evidence.store import ActorLike

MAX_DAYS = 365


@dataclass(frozen=True)
class Resolved:
    state: str  # ok | unknown | expired | revoked | exhausted
    link: ShareLink | None = None
    pack: Pack | None = None


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_share(
    session: Session,
    *,
    org_id: int,
    pack_id: int,
    recipient: str,
    expires_at: datetime,
    actor: ActorLike,
    recipient_email: str | None = None,
    require_nda: bool = False,
    max_downloads: int | None = None,
) -> tuple[ShareLink, str]:
    """Create a link; returns (link, token). The token is not stored and cannot be shown again."""
    get_pack(session, org_id=org_id, pack_id=pack_id)
    _check(recipient=recipient, expires_at=expires_at, max_downloads=max_downloads)
    token = secrets.token_urlsafe(32)
    link = ShareLink(
        org_id=org_id,
        pack_id=pack_id,
        token_sha256=token_hash(token),
        recipient=recipient.strip()[:200],
        recipient_email=(recipient_email or "").strip().lower() or None,
        expires_at=expires_at,
        require_nda=require_nda,
        max_downloads=max_downloads,
        created_by=actor.label,
    )
    session.add(link)
    session.flush()
    _audit(
        session,
        link,
        actor=actor.label,
        actor_id=actor.user_id,
        action="share.create",
        detail={"pack_id": pack_id, "recipient": link.recipient, "expires_at": expires_at.isoformat()},
    )
    return link, token


def _check(*, recipient: str, expires_at: datetime, max_downloads: int | None) -> None:
    now = utcnow()
    if not recipient.strip():
        raise ValidationError("the recipient is empty", fix="name who the link is for")
    if expires_at <= now or expires_at > now + timedelta(days=MAX_DAYS):
        raise ValidationError(
            f"the expiry {expires_at:%Y-%m-%d %H:%M} is not in the next {MAX_DAYS} days",
            fix="choose a date after today and within a year",
        )
    if max_downloads is not None and max_downloads < 1:
        raise ValidationError("the download limit must be at least 1", fix="leave it empty for no limit")


def _audit(
    session: Session,
    link: ShareLink,
    *,
    actor: str,
    action: str,
    actor_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    audit.record(
        session,
        actor=actor,
        actor_id=actor_id,
        org_id=link.org_id,
        action=action,
        target_type="share_link",
        target_id=str(link.id),
        detail={"pack_id": link.pack_id, **(detail or {})},
    )


def state_of(link: ShareLink, *, now: datetime) -> str:
    if link.revoked_at is not None:
        return "revoked"
    if _aware(link.expires_at) <= now:
        return "expired"
    if link.max_downloads is not None and link.downloads >= link.max_downloads:
        return "exhausted"
    return "ok"


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=utcnow().tzinfo)


def resolve(session: Session, *, token: str, now: datetime | None = None) -> Resolved:
    if not token or len(token) > 100:
        return Resolved("unknown")
    link = session.exec(select(ShareLink).where(ShareLink.token_sha256 == token_hash(token))).first()
    if link is None:
        return Resolved("unknown")
    state = state_of(link, now=now or utcnow())
    return Resolved(state, link, session.get(Pack, link.pack_id) if state == "ok" else None)


#: The audited events of a link that its owner sees as the access log (catalogue S07).
ACCESS_ACTIONS = (
    "share.view",
    "share.download",
    "share.download_refused",
    "share.refused",
    "share.nda_accept",
)


def record_view(session: Session, *, link: ShareLink, who: str, address: str, agent: str = "") -> None:
    _audit(session, link, actor=who, action="share.view", detail={"address": address, "agent": agent})


def record_refused(session: Session, *, link: ShareLink, state: str, address: str, agent: str = "") -> None:
    """Someone used a link that is expired, revoked or used up."""
    _audit(
        session,
        link,
        actor="share-link",
        action="share.refused",
        detail={"state": state, "address": address, "agent": agent},
    )


def access_log(session: Session, *, org_id: int, pack_id: int, limit: int = 200) -> list[AuditEvent]:
    """Every view, download, refusal and NDA acceptance of the pack's links, newest first."""
    ids = [str(link.id) for link in list_shares(session, org_id=org_id, pack_id=pack_id)]
    if not ids:
        return []
    query = (
        select(AuditEvent)
        .where(
            AuditEvent.org_id == org_id,
            AuditEvent.target_type == "share_link",
            col(AuditEvent.target_id).in_(ids),
            col(AuditEvent.action).in_(ACCESS_ACTIONS),
        )
        .order_by(col(AuditEvent.id).desc())
        .limit(limit)
    )
    return list(session.exec(query))


def record_nda(session: Session, *, link: ShareLink, name: str, address: str) -> None:
    _audit(session, link, actor=name[:254], action="share.nda_accept", detail={"address": address})


def record_download(
    session: Session, *, link: ShareLink, what: str, who: str, address: str, agent: str = ""
) -> bool:
    """Count one download against the limit (atomically); False when the limit is already reached."""
    result = session.execute(
        update(ShareLink)
        .where(col(ShareLink.id) == link.id, col(ShareLink.revoked_at).is_(None))
        .where(
            or_(
                col(ShareLink.max_downloads).is_(None),
                col(ShareLink.downloads) < col(ShareLink.max_downloads),
            )
        )
        .values(downloads=col(ShareLink.downloads) + 1)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        _audit(
            session,
            link,
            actor=who,
            action="share.download_refused",
            detail={"file": what, "address": address, "agent": agent},
        )
        return False
    _audit(
        session,
        link,
        actor=who,
        action="share.download",
        detail={"file": what, "address": address, "agent": agent},
    )
    return True


def revoke(session: Session, *, org_id: int, share_id: int, actor: ActorLike) -> ShareLink:
    link = get_share(session, org_id=org_id, share_id=share_id)
    if link.revoked_at is None:
        link.revoked_at = utcnow()
        session.add(link)
        _audit(session, link, actor=actor.label, actor_id=actor.user_id, action="share.revoke")
    return link


def get_share(session: Session, *, org_id: int, share_id: int) -> ShareLink:
    link = session.get(ShareLink, share_id)
    if link is None or link.org_id != org_id:
        raise NotFound(f"share link {share_id} does not exist in this organisation", fix="reload the page")
    return link


def list_shares(session: Session, *, org_id: int, pack_id: int | None = None) -> list[ShareLink]:
    query = select(ShareLink).where(ShareLink.org_id == org_id)
    if pack_id is not None:
        query = query.where(ShareLink.pack_id == pack_id)
    return list(session.exec(query.order_by(col(ShareLink.id).desc())))


def shares_for_email(session: Session, *, email: str, now: datetime | None = None) -> list[ShareLink]:
    """The live links naming this e-mail: what a logged-in ``viewer`` may open."""
    query = select(ShareLink).where(ShareLink.recipient_email == email.strip().lower())
    moment = now or utcnow()
    return [
        link
        for link in session.exec(query.order_by(col(ShareLink.id).desc()))
        if state_of(link, now=moment) == "ok"
    ]
