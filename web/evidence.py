"""Evidence pages: the library (upload a file or record a link, versions, links to bank entries, download)
and the readiness page per catalog with its inline SVG chart and PDF."""

from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.wrappers import Response as WerkzeugResponse
from wtforms import DateField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from answerbank import store as bank_store
from answerbank.store import Actor
from core.errors import InputFileError, NotFound, ValidationError
from evidence import catalogs, readiness, store
from evidence.filetypes import EXTENSIONS
from evidence.matching import propose
from evidence.models import CONFIDENTIALITY, EvidenceCreate
from review.uploads import record_rejection
from web import db
from web.auth import can, org_required

bp = Blueprint("evidence", __name__, url_prefix="/o/<slug>")


class EvidenceForm(FlaskForm):
    title = StringField("Title", validators=[DataRequired(), Length(max=255)])
    description = TextAreaField("Description")
    owner = StringField("Owner", validators=[Length(max=254)])
    controls = TextAreaField("Control references (one per line, e.g. NIST-CSF-2.0:PR.AA-03)")
    confidentiality = SelectField(
        "Confidentiality", choices=[SelectChoice(c) for c in CONFIDENTIALITY], default="nda"
    )
    valid_from = DateField("Valid from", validators=[Optional()])
    valid_until = DateField("Valid until", validators=[Optional()])
    file = FileField("File (PDF, DOCX, XLSX, PPTX, image or text)")
    url = StringField("…or a link (https://)", validators=[Optional(), Length(max=2000)])

    def to_create(self) -> EvidenceCreate:
        return EvidenceCreate(
            title=self.title.data.strip(),
            description=(self.description.data or "").strip(),
            owner=(self.owner.data or "").strip() or None,
            controls=[
                c.strip() for c in (self.controls.data or "").replace(";", "\n").splitlines() if c.strip()
            ],
            confidentiality=self.confidentiality.data,
            valid_from=self.valid_from.data,
            valid_until=self.valid_until.data,
        )


class VersionForm(FlaskForm):
    file = FileField("New file")
    url = StringField("…or a new link", validators=[Optional(), Length(max=2000)])
    valid_from = DateField("Valid from", validators=[Optional()])
    valid_until = DateField("Valid until", validators=[Optional()])


class LinkForm(FlaskForm):
    entry_key = StringField(
        "Bank entry key", validators=[DataRequired(), Length(max=64), Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    )


def _actor() -> Actor:
    return Actor(current_user.email, current_user.user_id)


def _upload(form: EvidenceForm | VersionForm) -> tuple[store.Upload | None, str | None]:
    storage = form.file.data
    url = (form.url.data or "").strip() or None
    if storage and getattr(storage, "filename", ""):
        rt = db.runtime()
        max_bytes = rt.settings.max_upload_mb * 1024 * 1024
        try:
            accepted = store.accept_file(
                rt.files, storage.stream, max_bytes=max_bytes, filename=storage.filename
            )
        except InputFileError as exc:  # refused by content: one audit event, nothing stored
            with db.writing() as s:
                record_rejection(s, org=g.org, actor=_actor(), filename=storage.filename, error=exc)
            raise
        return accepted, None
    if url is None:
        raise ValidationError(
            "give a file or a link", fix="choose a file to upload, or paste an https:// link"
        )
    try:
        return None, store.check_url(url)
    except ValidationError as exc:  # refused at input (catalogue R02): one audit event, nothing stored
        with db.writing() as s:
            record_rejection(s, org=g.org, actor=_actor(), filename=url, error=exc)
        raise


@bp.route("/evidence/")
@org_required("evidence.read")
def index() -> str:
    items = store.list_evidence(db.session(), org_id=g.org.id)
    question = request.args.get("q", "").strip()[:1000]
    proposals = propose(db.session(), org_id=g.org.id, questions=[question])[0] if question else []
    return render_template(
        "evidence/index.html",
        items=items,
        question=question,
        proposals=proposals,
        today=date.today(),
        expired=store.is_expired,
        form=EvidenceForm(),
        can_write=can("evidence.write"),
    )


@bp.route("/evidence/new", methods=["POST"])
@org_required("evidence.write")
def create() -> str | WerkzeugResponse | tuple[str, int]:
    form = EvidenceForm()
    if not form.validate_on_submit():
        flash("Check the form: " + "; ".join(f"{k}: {v[0]}" for k, v in form.errors.items()), "error")
        return redirect(url_for("evidence.index", slug=g.org.slug))
    upload, url = _upload(form)
    with db.writing() as s:
        item = store.add_evidence(
            s, org_id=g.org.id, data=form.to_create(), actor=_actor(), upload=upload, url=url
        )
    flash(f"Evidence “{item.title}” added.", "info")
    return redirect(url_for("evidence.view", slug=g.org.slug, evidence_id=item.id))


@bp.route("/evidence/<id:evidence_id>")
@org_required("evidence.read")
def view(evidence_id: int) -> str:
    s = db.session()
    item = store.get_evidence(s, org_id=g.org.id, evidence_id=evidence_id)
    return render_template(
        "evidence/view.html",
        item=item,
        versions=store.versions(s, evidence=item),
        entries=store.entries_citing(s, org_id=g.org.id, evidence_id=evidence_id),
        expired=store.is_expired(item, today=date.today()),
        version_form=VersionForm(),
        link_form=LinkForm(),
        can_write=can("evidence.write"),
    )


@bp.route("/evidence/<id:evidence_id>/version", methods=["POST"])
@org_required("evidence.write")
def add_version(evidence_id: int) -> WerkzeugResponse:
    store.get_evidence(db.session(), org_id=g.org.id, evidence_id=evidence_id)  # 404 before anything else
    form = VersionForm()
    if form.validate_on_submit():
        upload, url = _upload(form)
        with db.writing() as s:
            item = store.add_version(
                s,
                org_id=g.org.id,
                evidence_id=evidence_id,
                actor=_actor(),
                upload=upload,
                url=url,
                valid_from=form.valid_from.data,
                valid_until=form.valid_until.data,
            )
        flash(f"Version {item.version} saved; earlier versions are kept.", "info")
    return redirect(url_for("evidence.view", slug=g.org.slug, evidence_id=evidence_id))


@bp.route("/evidence/<id:evidence_id>/link", methods=["POST"])
@org_required("evidence.write")
def link(evidence_id: int) -> WerkzeugResponse:
    store.get_evidence(db.session(), org_id=g.org.id, evidence_id=evidence_id)
    form = LinkForm()
    if form.validate_on_submit():
        key = form.entry_key.data.strip()
        with db.writing() as s:
            bank_store.require_entry(s, org_id=g.org.id, key=key)
            store.link_entry(s, org_id=g.org.id, entry_key=key, evidence_id=evidence_id, actor=_actor())
        flash(f"Bank entry {key} now cites this evidence.", "info")
    return redirect(url_for("evidence.view", slug=g.org.slug, evidence_id=evidence_id))


@bp.route("/evidence/<id:evidence_id>/unlink/<key>", methods=["POST"])
@org_required("evidence.write")
def unlink(evidence_id: int, key: str) -> WerkzeugResponse:
    store.get_evidence(db.session(), org_id=g.org.id, evidence_id=evidence_id)
    with db.writing() as s:
        store.unlink_entry(s, org_id=g.org.id, entry_key=key, evidence_id=evidence_id, actor=_actor())
    flash(f"Bank entry {key} no longer cites this evidence.", "info")
    return redirect(url_for("evidence.view", slug=g.org.slug, evidence_id=evidence_id))


@bp.route("/evidence/<id:evidence_id>/download")
@org_required("evidence.read")
def download(evidence_id: int) -> WerkzeugResponse:
    item = store.get_evidence(db.session(), org_id=g.org.id, evidence_id=evidence_id)
    if item.kind == "link" or item.sha256 is None:
        return redirect(item.url or url_for("evidence.view", slug=g.org.slug, evidence_id=evidence_id))
    with db.runtime().files.open(item.sha256) as fh:
        data = fh.read()
    name = f"evidence-{item.id}-v{item.version}{EXTENSIONS.get(item.media_type, '.bin')}"
    return file_response(data, media_type=item.media_type or "application/octet-stream", filename=name)


def file_response(data: bytes, *, media_type: str, filename: str) -> Response:
    """An attachment download; the name is ours (ASCII), never the uploader's."""
    response = Response(data, mimetype=media_type)
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    download_headers(response)
    return response


def download_headers(response: WerkzeugResponse) -> WerkzeugResponse:
    """Headers of every file handed out (catalogue R07): never rendered in our origin, never cached."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox; frame-ancestors 'none'"
    return response


def _readiness(key: str | None) -> readiness.Readiness | None:
    s = db.session()
    known = catalogs.list_catalogs(s)
    if not known:
        return None
    chosen = key or next((c.key for c in known if c.key == "INSURER-CYBER"), known[0].key)
    entries = bank_store.list_entries(s, org_id=g.org.id, status="approved")
    return readiness.compute(s, org_id=g.org.id, catalog_key=chosen, entries=entries, today=date.today())


@bp.route("/readiness/")
@org_required("evidence.read")
def readiness_page() -> str:
    result = _readiness(request.args.get("catalog") or None)
    return render_template(
        "evidence/readiness.html",
        result=result,
        catalogs=catalogs.list_catalogs(db.session()),
        statuses=readiness.STATUSES,
        colours=readiness.COLOURS,
        hints=readiness.HINTS,
    )


@bp.route("/readiness/<key>.pdf")
@org_required("evidence.read")
def readiness_pdf(key: str) -> Response:
    result = _readiness(key)
    if result is None:
        raise NotFound("no catalog is imported", fix="import one with `trustdesk catalog import FILE`")
    data = readiness.to_pdf(result, org_name=g.org.name)
    return file_response(data, media_type="application/pdf", filename=f"readiness-{g.org.slug}-{key}.pdf")
