"""Answer-bank pages: search, view with history, create, edit (every save is a new version)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from flask_wtf import FlaskForm
from werkzeug.wrappers import Response
from wtforms import DateField, HiddenField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, Regexp

from answerbank import store
from answerbank.models import SHORT_ANSWERS, STATUSES, EntryCreate
from core.errors import Conflict
from evidence.store import evidence_for_entries
from review.learning import overdue
from web import db
from web.auth import can, org_required

bp = Blueprint("bank", __name__, url_prefix="/o/<slug>/bank")


class EntryForm(FlaskForm):
    key = StringField(
        "Key", validators=[DataRequired(), Length(max=64), Regexp(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
    )
    question = TextAreaField("Question", validators=[DataRequired()])
    alternates = TextAreaField("Alternate phrasings (one per line)")
    answer = TextAreaField("Answer")
    short_answer = SelectField(
        "Short answer", choices=[SelectChoice("", "(none)")] + [SelectChoice(s) for s in SHORT_ANSWERS]
    )
    category = StringField("Category", validators=[Length(max=100)])
    controls = TextAreaField("Control references (one per line, e.g. NIST-CSF-2.0:PR.AA-01)")
    owner = StringField("Owner", validators=[Length(max=254)])
    review_by = DateField("Review by", validators=[Optional()])
    status = SelectField("Status", choices=[SelectChoice(s) for s in STATUSES], default="approved")
    version = HiddenField()

    def to_entry(self) -> EntryCreate:
        return EntryCreate(
            key=self.key.data.strip(),
            question=self.question.data.strip(),
            alternates=_lines(self.alternates.data),
            answer=(self.answer.data or "").strip(),
            short_answer=self.short_answer.data or None,
            category=(self.category.data or "").strip(),
            controls=_lines(self.controls.data.replace(";", "\n") if self.controls.data else ""),
            owner=(self.owner.data or "").strip() or None,
            review_by=self.review_by.data,
            status=self.status.data,
        )


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _actor() -> store.Actor:
    return store.Actor(current_user.email, current_user.user_id)


@bp.route("/")
@org_required("bank.read")
def index() -> str:
    search = request.args.get("q", "").strip()
    entries = store.list_entries(db.session(), org_id=g.org.id, search=search)
    today = date.today()
    cited = evidence_for_entries(db.session(), g.org.id, [e.key for e in entries], today=today)
    return render_template(
        "bank/index.html",
        entries=entries,
        search=search,
        can_write=can("bank.write"),
        overdue={e.key for e in entries if overdue(e.review_by, today=today)},
        expired={key for key, views in cited.items() if any(v.expired for v in views)},
    )


@bp.route("/new", methods=["GET", "POST"])
@org_required("bank.write")
def create() -> str | Response:
    form = EntryForm()
    if form.validate_on_submit():
        with db.writing() as s:
            entry = store.create_entry(s, org_id=g.org.id, data=form.to_entry(), actor=_actor())
        flash(f"Entry {entry.key} created.", "info")
        return redirect(url_for("bank.view", slug=g.org.slug, key=entry.key))
    return render_template("bank/edit.html", form=form, entry=None)


@bp.route("/<key>")
@org_required("bank.read")
def view(key: str) -> str:
    s = db.session()
    entry = store.require_entry(s, org_id=g.org.id, key=key)
    today = date.today()
    return render_template(
        "bank/view.html",
        entry=entry,
        versions=store.history(s, entry=entry),
        can_write=can("bank.write"),
        evidence=evidence_for_entries(s, g.org.id, [entry.key], today=today)[entry.key],
        overdue=overdue(entry.review_by, today=today),
        show_evidence=can("evidence.read"),
    )


@bp.route("/<key>/edit", methods=["GET", "POST"])
@org_required("bank.write")
def edit(key: str) -> str | Response:
    entry = store.require_entry(db.session(), org_id=g.org.id, key=key)
    form = EntryForm(obj=None if request.method == "POST" else _form_data(entry))
    form.key.render_kw = {"readonly": True}
    if form.validate_on_submit():
        data = form.to_entry()
        data.key = entry.key
        try:
            with db.writing() as s:
                _, changed = store.update_entry(
                    s,
                    org_id=g.org.id,
                    data=data,
                    actor=_actor(),
                    expected_version=int(form.version.data or 0),
                )
        except Conflict as exc:
            flash(str(exc), "error")
            return render_template("bank/edit.html", form=form, entry=entry), 409  # type: ignore[return-value]
        flash("Saved as a new version." if changed else "No changes to save.", "info")
        return redirect(url_for("bank.view", slug=g.org.slug, key=entry.key))
    return render_template("bank/edit.html", form=form, entry=entry)


def _form_data(entry: Any) -> Any:
    class Data:
        pass

    data = Data()
    for name in ("key", "question", "answer", "category", "owner", "review_by", "status", "version"):
        setattr(data, name, getattr(entry, name))
    data.short_answer = entry.short_answer or ""  # type: ignore[attr-defined]
    data.alternates = "\n".join(entry.alternates)  # type: ignore[attr-defined]
    data.controls = "\n".join(entry.controls)  # type: ignore[attr-defined]
    return data
