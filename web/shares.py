"""Share-link pages: the public page an insurer or customer opens (no login), and "Shared with me" for a
logged-in user (a ``viewer``) whose e-mail a link names.

An unknown or revoked token gets 404 and an expired or used-up link 410 ("ask the sender"), both as a
plain page that says nothing about what the link held; a refused access to a known link is audited, an
unknown token is logged by its hash prefix only. Failed lookups are rate-limited per address (see
``web.app``). The NDA form is a CSRF-protected POST; acceptance is remembered in the
browser session and audited. Every view and download is audited; downloads count against the limit.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length

from evidence import packs, shares
from evidence.models import Pack, ShareLink
from web import db
from web.evidence import file_response

bp = Blueprint("shares", __name__)
log = logging.getLogger("trustdesk.shares")
NDA_KEY = "nda_accepted_links"


class NdaForm(FlaskForm):
    name = StringField("Your full name", validators=[DataRequired(), Length(max=200)])
    accept = BooleanField("I accept the non-disclosure terms above", validators=[DataRequired()])


def _who() -> str:
    return current_user.email if current_user.is_authenticated else "share-link"


def _address() -> str:
    return request.remote_addr or "unknown"


def _agent() -> str:
    return request.user_agent.string[:200]


@bp.errorhandler(404)
@bp.errorhandler(410)
def _gone(exc: HTTPException) -> tuple[str, int]:
    """A plain page for unknown and revoked links (404) and for expired and used-up ones (410)."""
    code = exc.code or 404
    return render_template("evidence/gone.html", expired=code == 410), code


def _by_token(token: str) -> tuple[ShareLink, Pack]:
    found = shares.resolve(db.session(), token=token)
    if found.state == "unknown" or found.link is None:
        log.warning("unknown share token", extra={"fields": {"token_sha256": shares.token_hash(token)[:12]}})
        abort(404)
    if found.state != "ok" or found.pack is None:
        with db.writing() as s:
            shares.record_refused(s, link=found.link, state=found.state, address=_address(), agent=_agent())
        abort(404 if found.state == "revoked" else 410)
    return found.link, found.pack


def _by_id(share_id: int) -> tuple[ShareLink, Pack]:
    """A link the logged-in user's e-mail is named on, and live; anything else is a 404."""
    link = next(
        (x for x in shares.shares_for_email(db.session(), email=current_user.email) if x.id == share_id), None
    )
    pack = db.session().get(Pack, link.pack_id) if link else None
    if link is None or pack is None:
        abort(404)
    return link, pack


def _nda_ok(link: ShareLink) -> bool:
    return not link.require_nda or link.id in session.get(NDA_KEY, [])


def _render(link: ShareLink, pack: Pack, urls: dict[str, Any]) -> str:
    manifest = packs.pack_manifest(db.runtime().files, pack)
    with db.writing() as s:
        shares.record_view(s, link=link, who=_who(), address=_address(), agent=_agent())
    needs_nda = link.require_nda and any(e["confidentiality"] == "nda" for e in manifest["evidence"])
    return render_template(
        "evidence/share.html",
        link=link,
        m=manifest,
        urls=urls,
        nda_ok=_nda_ok(link),
        needs_nda=needs_nda,
        form=NdaForm(),
    )


def _accept(link: ShareLink) -> None:
    form = NdaForm()
    if not form.validate_on_submit():
        flash("Type your name and tick the box to accept.", "error")
        return
    with db.writing() as s:
        shares.record_nda(s, link=link, name=form.name.data.strip(), address=_address())
    session[NDA_KEY] = [*session.get(NDA_KEY, []), link.id][-50:]
    flash("NDA accepted; the confidential files are available.", "info")


def _download(link: ShareLink, pack: Pack, member: str | None) -> Response:
    files = db.runtime().files
    manifest = packs.pack_manifest(files, pack)
    if member is None:
        restricted = any(e["confidentiality"] == "nda" for e in manifest["evidence"])
        what, media_type, name = "pack.zip", "application/zip", f"evidence-pack-{pack.id}.zip"
    else:
        entry = next((e for e in manifest["evidence"] if e.get("path") == member), None)
        if entry is None and member != manifest["questionnaire"]["path"]:
            abort(404)
        restricted = entry is not None and entry["confidentiality"] == "nda"
        what, media_type = member, (entry or {}).get("media_type") or "application/octet-stream"
        name = member.rsplit("/", 1)[-1]
    if restricted and not _nda_ok(link):
        abort(403)
    with db.writing() as s:
        allowed = shares.record_download(
            s, link=link, what=what, who=_who(), address=_address(), agent=_agent()
        )
    if not allowed:
        abort(410)
    if member is None:
        with files.open(pack.sha256) as fh:
            data = fh.read()
    else:
        data = packs.pack_member(files, pack, member)
    return file_response(data, media_type=media_type, filename=name)


@bp.after_request
def _private(response: WerkzeugResponse) -> WerkzeugResponse:
    response.headers["Referrer-Policy"] = "no-referrer"  # the token is in the address
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _public_urls(token: str) -> dict[str, Any]:
    return {
        "pack": url_for("shares.public_pack", token=token),
        "file": lambda path: url_for("shares.public_file", token=token, member=path),
        "nda": url_for("shares.public_nda", token=token),
    }


@bp.route("/s/<token>")
def public(token: str) -> str:
    return _render(*_by_token(token), _public_urls(token))


@bp.route("/s/<token>/nda", methods=["POST"])
def public_nda(token: str) -> WerkzeugResponse:
    _accept(_by_token(token)[0])
    return redirect(url_for("shares.public", token=token))


@bp.route("/s/<token>/pack.zip")
def public_pack(token: str) -> Response:
    return _download(*_by_token(token), None)


@bp.route("/s/<token>/file/<path:member>")
def public_file(token: str, member: str) -> Response:
    return _download(*_by_token(token), member)


@bp.route("/shared/")
@login_required
def shared_with_me() -> str:
    links = shares.shares_for_email(db.session(), email=current_user.email)
    titles = {p.id: p for p in (db.session().get(Pack, x.pack_id) for x in links) if p is not None}
    return render_template("evidence/shared.html", links=links, packs=titles)


@bp.route("/shared/<id:share_id>")
@login_required
def shared(share_id: int) -> str:
    link, pack = _by_id(share_id)
    urls = {
        "pack": url_for("shares.shared_pack", share_id=share_id),
        "file": lambda path: url_for("shares.shared_file", share_id=share_id, member=path),
        "nda": url_for("shares.shared_nda", share_id=share_id),
    }
    return _render(link, pack, urls)


@bp.route("/shared/<id:share_id>/nda", methods=["POST"])
@login_required
def shared_nda(share_id: int) -> WerkzeugResponse:
    link, _pack = _by_id(share_id)
    _accept(link)
    return redirect(url_for("shares.shared", share_id=share_id))


@bp.route("/shared/<id:share_id>/pack.zip")
@login_required
def shared_pack(share_id: int) -> Response:
    return _download(*_by_id(share_id), None)


@bp.route("/shared/<id:share_id>/file/<path:member>")
@login_required
def shared_file(share_id: int, member: str) -> Response:
    return _download(*_by_id(share_id), member)
