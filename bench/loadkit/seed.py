"""Seed the load test's organisation: the demo organisation, reviewers with the approver role, and one
questionnaire of a few hundred drafts (generated from the demo bank's questions, imported through the
same pipeline as an upload), every draft assigned to one reviewer in turn."""

from __future__ import annotations

import csv
import io
import secrets
from dataclasses import dataclass

from openpyxl import Workbook
from sqlalchemy import Engine, update
from sqlmodel import col, select

from answerbank.store import Actor
from core import accounts
from core.db import read_session, write_session
from core.filestore import FileStore
from core.migrate import upgrade
from core.models import Organisation
from core.settings import Settings
from review.jobs import pipeline_config
from review.models import Draft, QuestionnaireRecord
from review.pipeline import create_questionnaire, process
from web.demo import DEMO_SLUG, create_demo, demo_bank_path
from web.ids import OpaqueIds

#: Questions no bank entry answers, so the questionnaire has drafts in every band.
UNANSWERABLE = (
    "Do you operate a staff canteen on site?",
    "How many parking spaces does your head office have?",
    "Which charity events did you sponsor last year?",
    "Do you offer a cycle-to-work scheme?",
)
PREFIXES = ("", "Please confirm: ", "Describe how ", "Vendor to state whether ")


@dataclass(frozen=True)
class Seeded:
    org_slug: str
    questionnaire_id: int
    questionnaire_url_id: str  # as the app writes it in URLs, under settings.secret_key
    drafts: int
    bands: dict[str, int]
    logins: list[tuple[str, str]]  # (email, password): the reviewers first, then the uploaders


def bank_questions() -> list[tuple[str, str]]:
    """(category, question) of every demo bank entry."""
    with demo_bank_path().open(encoding="utf-8", newline="") as fh:
        return [(row["category"], row["question"]) for row in csv.DictReader(fh)]


def questionnaire_xlsx(questions: int) -> bytes:
    """A vendor questionnaire of ``questions`` rows: bank questions, reworded ones and a few no-match ones."""
    bank = bank_questions()
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Security"
    ws.append(["ID", "Section", "Question", "Response"])
    for i in range(questions):
        if i % 25 == 24:
            section, text = "Other", UNANSWERABLE[i // 25 % len(UNANSWERABLE)]
        else:
            section, text = bank[i % len(bank)]
            prefix = PREFIXES[i // len(bank) % len(PREFIXES)]
            text = prefix + (text[0].lower() + text[1:] if prefix else text)
        ws.append([f"LT-{i + 1:04d}", section, text, ""])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def seed(engine: Engine, settings: Settings, *, reviewers: int, uploaders: int, questions: int) -> Seeded:
    """Migrate, create the demo organisation and ``reviewers + uploaders`` approvers, import the
    questionnaire and assign its drafts to the reviewers in turn."""
    upgrade(engine)
    password = secrets.token_urlsafe(16)
    with write_session(engine) as s:
        create_demo(s)
        org = accounts.require_org(s, slug=DEMO_SLUG)
        users = [
            accounts.create_user(
                s,
                email=f"reviewer{i:02d}@load.example",
                password=password,
                org=org,
                role="approver",
                actor="load",
            )
            for i in range(reviewers + uploaders)
        ]
        user_ids = [u.id for u in users]
    stored = FileStore(settings.files_dir).put_bytes(questionnaire_xlsx(questions), name="load.xlsx")
    with write_session(engine) as s:
        org = s.exec(select(Organisation).where(Organisation.slug == DEMO_SLUG)).one()
        record = create_questionnaire(
            s, org=org, filename="load-test.xlsx", stored=stored, actor=Actor("load"), requester="Load test"
        )
    assert record.id is not None
    process(engine, pipeline_config(settings), questionnaire_id=record.id)
    _assign(engine, questionnaire_id=record.id, user_ids=[u for u in user_ids[:reviewers] if u is not None])
    with read_session(engine) as s:
        final = s.get(QuestionnaireRecord, record.id)
        assert final is not None
        if final.status != "ready":
            raise RuntimeError(f"the seeded questionnaire did not import: {final.error}")
        bands: dict[str, int] = {}
        for band in s.exec(select(Draft.band).where(Draft.questionnaire_id == record.id)):
            bands[band] = bands.get(band, 0) + 1
    return Seeded(
        org_slug=DEMO_SLUG,
        questionnaire_id=record.id,
        questionnaire_url_id=OpaqueIds(settings.secret_key).encode(record.id),
        drafts=sum(bands.values()),
        bands=bands,
        logins=[(f"reviewer{i:02d}@load.example", password) for i in range(reviewers + uploaders)],
    )


def _assign(engine: Engine, *, questionnaire_id: int, user_ids: list[int]) -> None:
    """Draft n goes to reviewer n mod R: each reviewer's "assigned to me" list is theirs alone."""
    with write_session(engine) as s:
        ids = list(
            s.exec(select(Draft.id).where(Draft.questionnaire_id == questionnaire_id).order_by(col(Draft.id)))
        )
        for n, draft_id in enumerate(ids):
            s.execute(
                update(Draft).where(col(Draft.id) == draft_id).values(assigned_to=user_ids[n % len(user_ids)])
            )
