"""Questionnaire pages: upload, live progress, the review page with its actions, and exports.

Every write is POST-redirect-GET with a flash; every decision on a draft is a compare-and-set on the
draft's ``row_version``, and a lost race answers 409 with the loser's text kept in the form.
"""

from __future__ import annotations

import io
import json
import logging
import mimetypes
from typing import Any

from flask import Blueprint, flash, g, jsonify, redirect, render_template, request, send_file, url_for
from werkzeug.wrappers import Response
from wtforms.fields.choices import SelectChoice

from core import accounts, audit
from core.errors import Conflict, InputFileError, NotFound, TrustdeskError, ValidationError
from review import export as review_export
from review import learning
from review import store as review_store
from review.jobs import pipeline_config
from review.models import BANDS, DRAFT_STATUSES, Draft
from review.models import QuestionnaireRecord as Record
from review.pipeline import Request, accept_upload
from review.uploads import safe_filename
from web import db
from web import review_actions as act
from web.auth import can, org_required
from web.errors import http_status
from web.evidence import download_headers

log = logging.getLogger(__name__)
bp = Blueprint("review", __name__, url_prefix="/o/<slug>/questionnaires")
DRAFT = "/<id:qid>/drafts/<id:draft_id>"


@bp.record_once
def _template_globals(state: Any) -> None:
    state.app.jinja_env.globals["reason_rows"] = act.reason_rows


def _record(qid: int) -> Record:
    return review_store.get_questionnaire(db.session(), org_id=g.org.id, questionnaire_id=qid)


def _draft(qid: int, draft_id: int) -> Draft:
    """The draft if it belongs to questionnaire ``qid`` of this organisation; otherwise 404."""
    _record, _question, draft = review_store.get_draft(db.session(), org_id=g.org.id, draft_id=draft_id)
    if draft.questionnaire_id != qid:
        raise NotFound(f"draft {draft_id} is not part of questionnaire {qid}", fix="reload the questionnaire")
    return draft


def _back(qid: int, draft_id: int | None = None) -> Response:
    params: dict[str, Any] = act.Filters.from_args(request.args).params()
    if draft_id:
        params["_anchor"] = f"d{draft_id}"
    return redirect(url_for("review.view", slug=g.org.slug, qid=qid, **params))


def _attachment(data: bytes, filename: str) -> Response:
    mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    response = send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=filename)
    return download_headers(response)


@bp.route("/")
@org_required("review.read")
def index() -> str:
    return _index_page(act.UploadForm())


def _index_page(form: act.UploadForm) -> str:
    s = db.session()
    records = review_store.list_questionnaires(s, org_id=g.org.id)
    counts = {r.id: review_store.band_counts(s, questionnaire_id=r.id or 0) for r in records}
    return render_template(
        "review/index.html", records=records, counts=counts, form=form, can=act.abilities()
    )


@bp.route("/upload", methods=["POST"])
@org_required("review.upload")
def upload() -> tuple[str, int] | Response:
    """Store the file, record the questionnaire, commit, and only then queue the background job."""
    form = act.UploadForm()
    if not form.validate_on_submit():
        flash("The upload is incomplete: " + "; ".join(e for v in form.errors.values() for e in v), "error")
        return _index_page(form), 400
    rt = db.runtime()
    name = form.file.data.filename or "upload"
    request_fields = Request(
        requester=(form.requester.data or "").strip(),
        requester_kind=form.requester_kind.data,
        due_date=form.due_date.data,
    )
    try:
        accepted = accept_upload(
            rt.engine,
            pipeline_config(rt.settings),
            org=g.org,
            stream=form.file.data.stream,
            filename=name,
            actor=act.actor(),
            request=request_fields,
        )
    except InputFileError as exc:
        flash(str(exc), "error")
        return _index_page(form), http_status(exc)
    record = accepted.record
    assert record.id is not None
    if accepted.duplicate:
        flash(f"{safe_filename(name)} was already imported as “{record.title}”: here it is.", "info")
        return redirect(url_for("review.view", slug=g.org.slug, qid=record.id))
    _submit(record.id)
    flash(f"{record.filename} uploaded: finding its questions and drafting answers.", "info")
    return redirect(url_for("review.view", slug=g.org.slug, qid=record.id))


def _submit(qid: int) -> None:
    """Queue the job, after the questionnaire is committed; if queueing fails, the page says so."""
    try:
        db.runtime().jobs.submit(qid)
    except Exception as exc:  # Redis unreachable and the like: never leave it "queued" forever
        log.exception("questionnaire %s could not be queued", qid)
        with db.writing() as s:
            review_store.not_queued(s, questionnaire_id=qid, error=exc)


@bp.route("/<id:qid>")
@org_required("review.read")
def view(qid: int) -> str:
    record = _record(qid)
    if record.status != "ready":
        return render_template("review/processing.html", record=record, can=act.abilities())
    return _review_page(record)


def _review_page(record: Record, typed: dict[int, str] | None = None) -> str:
    page = act.review_page(
        db.session(),
        record=record,
        filters=act.Filters.from_args(request.args),
        typed=typed,
        with_evidence=can("evidence.read"),
    )
    return render_template(
        "review/view.html",
        page=page,
        record=record,
        can=act.abilities(),
        bands=BANDS,
        statuses=DRAFT_STATUSES,
        formats=review_export.FORMATS,
        short_answers=act.SHORT_CHOICES,
    )


@bp.route("/<id:qid>/status")
@org_required("review.read")
def status(qid: int) -> Response:
    record = _record(qid)
    return jsonify(status=record.status, found=record.found, matched=record.matched, error=record.error)


@bp.route("/<id:qid>/retry", methods=["POST"])
@org_required("review.upload")
def retry(qid: int) -> Response:
    _record(qid)
    with db.writing() as s:
        review_store.requeue(s, org_id=g.org.id, questionnaire_id=qid, actor=act.actor())
    _submit(qid)
    flash("Trying again.", "info")
    return redirect(url_for("review.view", slug=g.org.slug, qid=qid))


@bp.route("/<id:qid>/discard", methods=["POST"])
@org_required("review.upload")
def discard(qid: int) -> Response:
    """Delete a failed import (the audit trail keeps it; the orphan sweep removes its file)."""
    _record(qid)
    with db.writing() as s:
        record = review_store.discard_failed(s, org_id=g.org.id, questionnaire_id=qid, actor=act.actor())
    flash(f"{record.filename} discarded.", "info")
    return redirect(url_for("review.index", slug=g.org.slug))


@bp.route("/<id:qid>/file")
@org_required("review.read")
def original(qid: int) -> Response:
    """The uploaded file, unchanged."""
    record = _record(qid)
    with db.runtime().files.open(record.file_sha256) as fh:
        return _attachment(fh.read(), record.filename)


@bp.route("/<id:qid>/bulk-approve", methods=["POST"])
@org_required("review.approve")
def bulk_approve(qid: int) -> Response:
    _record(qid)
    with db.writing() as s:
        count = review_store.bulk_approve(
            s, org_id=g.org.id, questionnaire_id=qid, band="auto", actor=act.actor(), can_approve=True
        )
    flash(f"{count} auto-matched answer{'' if count == 1 else 's'} approved.", "info")
    return _back(qid)


@bp.route("/<id:qid>/export", methods=["POST"])
@org_required("review.export")
def export(qid: int) -> Response:
    record = _record(qid)
    form = act.ExportForm()
    if not form.validate_on_submit():
        raise ValidationError("unknown export format", fix=f"use one of {', '.join(review_export.FORMATS)}")
    try:
        result = review_export.export_outside_writes(
            db.engine(),
            files=db.runtime().files,
            sandbox=db.runtime().sandbox,
            record=record,
            fmt=form.format.data,
            actor=act.actor(),
            draft=form.draft.data == "1",
        )
    except ValidationError as exc:
        flash(str(exc), "error")
        return _back(qid)
    return _attachment(result.data, result.filename)


@bp.route("/<id:qid>/exports/<id:export_id>")
@org_required("review.export")
def export_file(qid: int, export_id: int) -> Response:
    found = review_store.get_export(db.session(), record=_record(qid), export_id=export_id)
    with db.runtime().files.open(found.file_sha256) as fh:
        return _attachment(fh.read(), found.filename)


@bp.route("/<id:qid>/exports/<id:export_id>/provenance")
@org_required("review.export")
def provenance(qid: int, export_id: int) -> Response:
    """Who exported what, when, and the bank entry version behind every answer."""
    record = _record(qid)
    found = review_store.get_export(db.session(), record=record, export_id=export_id)
    body: dict[str, Any] = {
        "questionnaire": {"id": record.id, "title": record.title, "file": record.filename},
        "export": {
            "id": found.id,
            "format": found.format,
            "draft": found.draft,
            "file": found.filename,
            "sha256": found.file_sha256,
            "by": found.created_by,
            "at": found.created_at.isoformat(),
        },
        "answers": found.provenance,
    }
    data = json.dumps(body, indent=2, ensure_ascii=False).encode()
    return _attachment(data, f"{found.filename}.provenance.json")


def _wants_json() -> bool:
    """The review page's script asks for JSON so an approval does not reload a page of 50 questions."""
    if request.headers.get("Accept") == "application/json":  # what the script sends: no parsing needed
        return True
    return request.accept_mimetypes.best_match(["text/html", "application/json"]) == "application/json"


def _decide(qid: int, draft_id: int, decision: str) -> tuple[str, int] | Response | tuple[Response, int]:
    """Approve or reject: the draft is read and checked first (NotFound if it is not ours), then written
    as a compare-and-set under the write lock, which holds as little work as possible (docs/benchmarks.md)."""
    form = act.DecisionForm()
    typed = form.answer.data if decision == "approved" else None
    try:
        if not form.validate_on_submit():
            raise ValidationError("the form is incomplete", fix="reload the page and try again")
        if decision == "approved" and not (typed or "").strip() and not form.short_answer.data:
            raise ValidationError("the answer is empty", fix="write an answer, or reject the question")
        wants_json = _wants_json()
        checked = review_store.check_decision(  # read and checked before the write lock, not under it
            db.session(),
            org_id=g.org.id,
            draft_id=draft_id,
            expected_version=form.row_version.data,
            status=decision,
            actor=act.actor(),
            answer=typed,
            short_answer=form.short_answer.data if decision == "approved" else None,
            can_approve=True,
            segregate=db.runtime().settings.segregate_approval,
            questionnaire_id=qid,
        )
        with db.writing() as s:  # the compare-and-set and its audit row: nothing else
            draft = review_store.apply_decision(s, checked)
    except (Conflict, ValidationError) as exc:
        if _wants_json():
            return jsonify(error=str(exc)), 409 if isinstance(exc, Conflict) else 400
        return _refused(qid, draft_id, exc, form.answer.data)
    if wants_json:
        # The count the page's script shows ("Approved n of N"), read after the commit and outside the
        # write lock: the request's read snapshot is ended first, so the count includes this decision.
        read = db.session()
        read.commit()
        approved = review_store.approved_count(read, questionnaire_id=qid)
        return jsonify(
            id=draft.id,
            status=draft.status,
            row_version=draft.row_version,
            decided_by=draft.decided_by,
            answer=draft.answer,
            short_answer=draft.short_answer or "",
            counts={"approved": approved},  # what the page's script updates ("Approved n of N")
        )
    flash(f"Answer {decision}.", "info")
    return _back(qid, draft_id)


def _refused(qid: int, draft_id: int, exc: TrustdeskError, typed: str | None) -> tuple[str, int]:
    """Show the page again with the message and the user's typed text, nothing lost."""
    flash(str(exc), "error")
    db.close_session()  # read the winner's state, not what this request saw
    kept = {draft_id: typed} if typed is not None else None
    return _review_page(_record(qid), typed=kept), 409 if isinstance(exc, Conflict) else 400


@bp.route(DRAFT + "/approve", methods=["POST"])
@org_required("review.approve")
def approve(qid: int, draft_id: int) -> tuple[str, int] | Response | tuple[Response, int]:
    """Approve, with the answer as shown or as edited in the box (JSON for the page's script)."""
    return _decide(qid, draft_id, "approved")


@bp.route(DRAFT + "/reject", methods=["POST"])
@org_required("review.approve")
def reject(qid: int, draft_id: int) -> tuple[str, int] | Response | tuple[Response, int]:
    return _decide(qid, draft_id, "rejected")


@bp.route(DRAFT + "/save", methods=["POST"])
@org_required("review.edit")
def save(qid: int, draft_id: int) -> tuple[str, int] | Response:
    """Change the text without deciding (account managers prepare, approvers decide)."""
    if _draft(qid, draft_id).status == "approved":
        with db.writing() as s:  # the refusal below rolls back its own transaction: audit it apart
            audit.record(
                s,
                actor=act.actor().label,
                actor_id=act.actor().user_id,
                org_id=g.org.id,
                action="draft.edit_after_approve",
                target_type="draft",
                target_id=draft_id,
                detail={"questionnaire": qid},
            )
    form = act.DecisionForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError("the form is incomplete", fix="reload the page and try again")
        with db.writing() as s:
            review_store.edit_draft(
                s,
                org_id=g.org.id,
                draft_id=draft_id,
                expected_version=form.row_version.data,
                answer=form.answer.data or "",
                short_answer=form.short_answer.data,
                actor=act.actor(),
            )
    except (Conflict, ValidationError) as exc:
        return _refused(qid, draft_id, exc, form.answer.data)
    flash("Answer saved (not yet approved).", "info")
    return _back(qid, draft_id)


@bp.route(DRAFT + "/candidate", methods=["POST"])
@org_required("review.edit")
def candidate(qid: int, draft_id: int) -> tuple[str, int] | Response:
    """Use another candidate's bank entry as the draft."""
    _draft(qid, draft_id)
    form = act.CandidateForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError("the form is incomplete", fix="reload the page and try again")
        with db.writing() as s:
            review_store.use_candidate(
                s,
                org_id=g.org.id,
                draft_id=draft_id,
                key=form.key.data,
                expected_version=form.row_version.data,
                actor=act.actor(),
            )
    except (Conflict, ValidationError) as exc:
        return _refused(qid, draft_id, exc, None)
    flash(f"Now drafted from {form.key.data}.", "info")
    return _back(qid, draft_id)


@bp.route(DRAFT + "/bank", methods=["POST"])
@org_required("bank.write")
def save_to_bank(qid: int, draft_id: int) -> tuple[str, int] | Response:
    """The learning loop: the draft's answer becomes a new bank entry or a new version of its entry."""
    _draft(qid, draft_id)
    form = act.BankForm()
    try:
        if not form.validate_on_submit():
            raise ValidationError("the key is invalid", fix="use letters, digits, '.', '_' or '-'")
        with db.writing() as s:
            key, version = learning.save_to_bank(
                s,
                org_id=g.org.id,
                draft_id=draft_id,
                expected_version=form.row_version.data,
                actor=act.actor(),
                new_key=(form.new_key.data or "").strip() or None,
                category=(form.category.data or "").strip(),
            )
    except (Conflict, ValidationError) as exc:
        return _refused(qid, draft_id, exc, None)
    flash(f"Saved to the answer bank as {key} version {version}.", "info")
    return _back(qid, draft_id)


@bp.route(DRAFT + "/assign", methods=["POST"])
@org_required("review.edit")
def assign(qid: int, draft_id: int) -> Response:
    _draft(qid, draft_id)
    form = act.AssignForm()
    team = accounts.active_members(db.session(), org_id=g.org.id, ability="review.edit")
    form.user_id.choices = [SelectChoice("", "nobody")] + [SelectChoice(str(m.id)) for m in team]
    if not form.validate_on_submit():
        raise ValidationError("that person cannot work on this questionnaire", fix="pick a colleague")
    user_id = int(form.user_id.data) if form.user_id.data else None
    with db.writing() as s:
        review_store.assign(s, org_id=g.org.id, draft_id=draft_id, user_id=user_id, actor=act.actor())
    who = next((m.email for m in team if m.id == user_id), "nobody")
    flash(f"Assigned to {who}.", "info")
    return _back(qid, draft_id)


@bp.route(DRAFT + "/comment", methods=["POST"])
@org_required("review.read")
def comment(qid: int, draft_id: int) -> Response:
    _draft(qid, draft_id)
    form = act.CommentForm()
    if not form.validate_on_submit():
        raise ValidationError("the comment is empty", fix="write something")
    with db.writing() as s:
        review_store.comment(s, org_id=g.org.id, draft_id=draft_id, body=form.body.data, actor=act.actor())
    flash("Comment added.", "info")
    return _back(qid, draft_id)
