"""Evidence-pack pages: build a pack from a questionnaire, download it, share it (links shown once), revoke."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from flask import Blueprint, Response, flash, g, redirect, render_template, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import BooleanField, DateField, EmailField, IntegerField, StringField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from answerbank.store import Actor
from core.errors import ValidationError
from core.models import utcnow
from evidence import packs, shares
from evidence.models import ShareLink
from review import store as review_store
from review.packs import build_pack, refuse_if_stale
from web import db
from web.auth import can, org_required
from web.evidence import file_response

bp = Blueprint("packs", __name__, url_prefix="/o/<slug>/packs")


class ShareForm(FlaskForm):
    recipient = StringField("Recipient (insurer or customer)", validators=[DataRequired(), Length(max=200)])
    email = EmailField(
        "Recipient e-mail (optional: a viewer user with it sees the pack)",
        validators=[
            Optional(),
            Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message="not an e-mail address"),
            Length(max=254),
        ],
    )
    expires = DateField("Expires on", validators=[DataRequired()])
    require_nda = BooleanField("Require NDA acceptance before NDA files")
    max_downloads = IntegerField("Download limit (optional)", validators=[Optional(), NumberRange(1, 10_000)])


def _actor() -> Actor:
    return Actor(current_user.email, current_user.user_id)


@bp.route("/")
@org_required("evidence.read")
def index() -> str:
    s = db.session()
    ready = [q for q in review_store.list_questionnaires(s, org_id=g.org.id) if q.status == "ready"]
    return render_template(
        "evidence/packs.html",
        packs=packs.list_packs(s, org_id=g.org.id),
        questionnaires=ready,
        can_build=can("pack.build"),
    )


@bp.route("/build/<id:questionnaire_id>", methods=["POST"])
@org_required("pack.build")
def build(questionnaire_id: int) -> WerkzeugResponse:
    record = review_store.get_questionnaire(db.session(), org_id=g.org.id, questionnaire_id=questionnaire_id)
    built = build_pack(
        db.engine(),
        files=db.runtime().files,
        sandbox=db.runtime().sandbox,
        org=g.org,
        record=record,
        actor=_actor(),
    )
    m = built.manifest
    flash(
        f"Pack built: {len(m['answers'])} answers, {len(m['evidence'])} evidence, {len(m['left_out'])} left out.",
        "info",
    )
    return redirect(url_for("packs.view", slug=g.org.slug, pack_id=built.pack.id))


@bp.route("/<id:pack_id>")
@org_required("evidence.read")
def view(pack_id: int) -> str:
    s = db.session()
    pack = packs.get_pack(s, org_id=g.org.id, pack_id=pack_id)
    form = ShareForm()
    form.expires.data = form.expires.data or (utcnow() + timedelta(days=30)).date()
    links = shares.list_shares(s, org_id=g.org.id, pack_id=pack_id)
    return render_template(
        "evidence/pack.html",
        pack=pack,
        manifest=packs.pack_manifest(db.runtime().files, pack),
        links=links,
        access=shares.access_log(s, org_id=g.org.id, pack_id=pack_id),
        recipients={str(x.id): x.recipient for x in links},
        state_of=shares.state_of,
        now=utcnow(),
        form=form,
        can_share=can("pack.share"),
    )


@bp.route("/<id:pack_id>/download")
@org_required("evidence.read")
def download(pack_id: int) -> Response:
    pack = packs.get_pack(db.session(), org_id=g.org.id, pack_id=pack_id)
    with db.runtime().files.open(pack.sha256) as fh:
        data = fh.read()
    return file_response(data, media_type="application/zip", filename=f"evidence-pack-{pack.id}.zip")


@bp.route("/<id:pack_id>/share", methods=["POST"])
@org_required("pack.share")
def share(pack_id: int) -> WerkzeugResponse:
    pack = packs.get_pack(db.session(), org_id=g.org.id, pack_id=pack_id)
    refuse_if_stale(db.session(), files=db.runtime().files, pack=pack)
    form = ShareForm()
    if not form.validate_on_submit():
        flash("Check the form: " + "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items()), "error")
        return redirect(url_for("packs.view", slug=g.org.slug, pack_id=pack_id))
    try:
        link, token = _create(pack_id, form)
    except ValidationError as exc:
        flash(str(exc), "error")
        return redirect(url_for("packs.view", slug=g.org.slug, pack_id=pack_id))
    address = url_for("shares.public", token=token, _external=True)
    flash(f"Share link for {link.recipient} (shown once, copy it now): {address}", "share")
    return redirect(url_for("packs.view", slug=g.org.slug, pack_id=pack_id))


def _create(pack_id: int, form: ShareForm) -> tuple[ShareLink, str]:
    with db.writing() as s:
        return shares.create_share(
            s,
            org_id=g.org.id,
            pack_id=pack_id,
            recipient=form.recipient.data,
            expires_at=datetime.combine(form.expires.data, time(23, 59), tzinfo=UTC),
            actor=_actor(),
            recipient_email=form.email.data or None,
            require_nda=bool(form.require_nda.data),
            max_downloads=form.max_downloads.data,
        )


@bp.route("/shares/<id:share_id>/revoke", methods=["POST"])
@org_required("pack.share")
def revoke(share_id: int) -> WerkzeugResponse:
    with db.writing() as s:
        link = shares.revoke(s, org_id=g.org.id, share_id=share_id, actor=_actor())
    flash(f"Link for {link.recipient} revoked.", "info")
    return redirect(url_for("packs.view", slug=g.org.slug, pack_id=link.pack_id))
