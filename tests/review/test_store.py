"""Store rules behind the review page: racing saves to the bank, who may be assigned, and live progress."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import select

from answerbank.models import BankEntry, BankEntryVersion
from answerbank.store import Actor
from core import accounts
from core.db import read_session, write_session
from core.errors import Conflict, NotFound, ValidationError
from core.models import AuditEvent
from core.settings import Settings
from review import learning
from review import store as review_store
from review.jobs import pipeline_config
from review.models import Draft, QuestionnaireRecord
from review.pipeline import create_questionnaire, process
from tests.helpers import make_org, make_user
from tests.review.test_questionnaire_cli import QUESTIONS, _decide_first, _first_draft, make_questionnaire

SaveResult = tuple[str, int] | Conflict
EMAILS = ("am@acme.example", "viewer@acme.example", "vciso@globex.example")


def _bank(engine: Engine) -> tuple[dict[str, int], int]:
    """Every entry's version, and how many versions the bank holds in all."""
    with read_session(engine) as s:
        entries = {e.key: e.version for e in s.exec(select(BankEntry))}
        return entries, len(s.exec(select(BankEntryVersion)).all())


def _save(
    engine: Engine, start: threading.Barrier, *, draft: Draft, org_id: int, new_key: str | None
) -> SaveResult:
    assert draft.id is not None
    start.wait()
    try:
        with write_session(engine) as s:
            return learning.save_to_bank(
                s,
                org_id=org_id,
                draft_id=draft.id,
                expected_version=draft.row_version,
                actor=Actor(new_key or "matched"),
                new_key=new_key,
            )
    except Conflict as exc:
        return exc


def _edited(engine: Engine, questionnaire_id: int) -> Draft:
    """The first draft after an account manager rewrote its answer (so saving it changes the bank)."""
    org_id, draft_id, draft = _first_draft(engine, questionnaire_id)
    with write_session(engine) as s:
        return review_store.edit_draft(
            s,
            org_id=org_id,
            draft_id=draft_id,
            expected_version=draft.row_version,
            answer="Yes, FIDO2 keys for everyone.",
            short_answer="Yes",
            actor=Actor("am"),
        )


def test_two_racing_saves_to_the_bank_one_wins_the_other_is_told_and_nothing_is_half_written(
    engine: Engine,
    imported: int,
) -> None:
    seen = _edited(engine, imported)  # both reviewers opened the page at this version
    org_id = _first_draft(engine, imported)[0]
    entries_before, versions_before = _bank(engine)
    start = threading.Barrier(2)
    outcomes: dict[str, SaveResult] = {}

    def run(name: str, new_key: str | None) -> None:
        outcomes[name] = _save(engine, start, draft=seen, org_id=org_id, new_key=new_key)

    threads = [
        threading.Thread(target=run, args=("new entry", "MFA-NEW")),
        threading.Thread(target=run, args=("new version", None)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    lost = [name for name, result in outcomes.items() if isinstance(result, Conflict)]
    won = [name for name, result in outcomes.items() if not isinstance(result, Conflict)]
    assert len(lost) == 1 and len(won) == 1, outcomes
    assert "changed while you were looking at it" in str(outcomes[lost[0]])
    entries, versions = _bank(engine)
    assert versions == versions_before + 1, "only the winner wrote to the bank"
    if won == ["new entry"]:
        assert entries == {**entries_before, "MFA-NEW": 1}
    else:
        assert entries == {**entries_before, "IAM-001": 2}
    with read_session(engine) as s:
        draft = s.get(Draft, seen.id)
        assert draft is not None and draft.row_version == seen.row_version + 1
        assert (draft.entry_key, draft.entry_version) == outcomes[won[0]], "the draft points at the winner"
    # the loser reloads (the new row_version) and saves again: the answer is in the bank, nothing lost
    new_key = "MFA-NEW" if lost == ["new entry"] else None
    retry = _save(engine, threading.Barrier(1), draft=draft, org_id=org_id, new_key=new_key)
    assert not isinstance(retry, Conflict), retry
    with read_session(engine) as s:
        entry = s.exec(select(BankEntry).where(BankEntry.key == retry[0])).one()
        assert (entry.version, entry.answer) == (retry[1], "Yes, FIDO2 keys for everyone.")


def test_save_to_bank_refuses_a_stale_row_version_and_an_edit_after_it(
    engine: Engine,
    imported: int,
) -> None:
    org_id, _draft_id, seen = _first_draft(engine, imported)
    _edited(engine, imported)
    _entries, versions = _bank(engine)
    stale = _save(engine, threading.Barrier(1), draft=seen, org_id=org_id, new_key=None)
    assert isinstance(stale, Conflict), "the answer changed after the reviewer saw it"
    assert _bank(engine)[1] == versions


def test_assign_refuses_anyone_who_cannot_work_on_the_organisations_questionnaires(
    runner: CliRunner,
    engine: Engine,
    imported: int,
) -> None:
    make_org(runner, "globex")
    make_user(runner, "am@acme.example", "acme", "account_manager")
    make_user(runner, "viewer@acme.example", "acme", "viewer")
    make_user(runner, "vciso@globex.example", "globex", "approver")
    org_id, draft_id, _draft = _first_draft(engine, imported)
    with read_session(engine) as s:
        users = [accounts.get_user(s, email=e) for e in EMAILS]
        ids = {u.email: u.id for u in users if u}
    for outsider in ("vciso@globex.example", "viewer@acme.example"):
        with (
            pytest.raises(ValidationError, match="cannot work on this organisation"),
            write_session(engine) as s,
        ):
            review_store.assign(s, org_id=org_id, draft_id=draft_id, user_id=ids[outsider], actor=Actor("x"))
    with pytest.raises(ValidationError), write_session(engine) as s:
        review_store.assign(s, org_id=org_id, draft_id=draft_id, user_id=999_999, actor=Actor("x"))
    with write_session(engine) as s:
        review_store.assign(
            s, org_id=org_id, draft_id=draft_id, user_id=ids["am@acme.example"], actor=Actor("x")
        )
    with read_session(engine) as s:
        draft = s.get(Draft, draft_id)
        assert draft is not None and draft.assigned_to == ids["am@acme.example"]
    with write_session(engine) as s:
        review_store.assign(s, org_id=org_id, draft_id=draft_id, user_id=None, actor=Actor("x"))
    with read_session(engine) as s:
        draft = s.get(Draft, draft_id)
        assert draft is not None and draft.assigned_to is None


def test_the_job_reports_matched_questions_while_matching_not_only_at_the_end(
    runner: CliRunner,
    engine: Engine,
    imported: int,
    tmp_path: Path,
) -> None:
    """With progress every 2 questions, a 4-question file reports 2 then 4 matched, each already in the
    database (what the progress page polls) while the questionnaire is still processing."""
    config = replace(pipeline_config(Settings.from_env()), progress_every=2)
    with make_questionnaire(tmp_path / "again.xlsx").open("rb") as fh:
        stored = config.files.put(fh)
    with write_session(engine) as s:
        org = accounts.require_org(s, slug="acme")
        record = create_questionnaire(s, org=org, filename="again.xlsx", stored=stored, actor=Actor("am"))
    assert record.id is not None
    seen: list[tuple[str, int, int, int, str]] = []

    def progress(stage: str, done: int, total: int) -> None:
        with read_session(engine) as s:
            now = s.get(QuestionnaireRecord, record.id)
            assert now is not None
            seen.append((stage, done, total, now.matched, now.status))

    process(engine, config, questionnaire_id=record.id, progress=progress)
    total = len(QUESTIONS)
    assert seen == [
        ("parsed", total, total, 0, "processing"),
        ("matched", 2, total, 2, "processing"),
        ("matched", 4, total, 4, "processing"),
    ]
    with read_session(engine) as s:
        final = s.get(QuestionnaireRecord, record.id)
        assert final is not None and (final.status, final.found, final.matched) == ("ready", 4, 4)


def test_every_page_of_drafts_says_how_many_match_in_all_whatever_the_page_size(
    engine: Engine, imported: int
) -> None:
    """The last page counts without a second query; an empty page past the end still counts."""
    _decide_first(engine, imported, status="approved", actor=Actor("vciso"))
    expected = {"": len(QUESTIONS), "draft": len(QUESTIONS) - 1, "approved": 1, "rejected": 0}
    with read_session(engine) as s:
        for status, matching in expected.items():
            for limit in (1, 2, 3, 4, 50):
                for offset in range(6):
                    rows, total = review_store.draft_page(
                        s,
                        questionnaire_id=imported,
                        where=review_store.DraftFilter(status=status),
                        offset=offset,
                        limit=limit,
                    )
                    assert total == matching, (status, limit, offset)
                    assert len(rows) == max(0, min(limit, matching - offset)), (status, limit, offset)
                    assert all(d.status == status for _q, d in rows if status)


def test_only_a_failed_import_can_be_discarded_and_the_audit_trail_keeps_it(
    runner: CliRunner, engine: Engine, imported: int
) -> None:
    make_org(runner, "globex")
    config = pipeline_config(Settings.from_env())
    stored = config.files.put_bytes(b"PK\x03\x04 not really a workbook", name="broken.xlsx")
    with write_session(engine) as s:
        acme = accounts.require_org(s, slug="acme")
        globex_id = accounts.require_org(s, slug="globex").id
        failed = create_questionnaire(s, org=acme, filename="broken.xlsx", stored=stored, actor=Actor("am"))
    assert failed.id is not None and acme.id is not None and globex_id is not None
    process(engine, config, questionnaire_id=failed.id)
    with pytest.raises(Conflict, match="is ready, not failed"), write_session(engine) as s:
        review_store.discard_failed(s, org_id=acme.id, questionnaire_id=imported, actor=Actor("am"))
    with pytest.raises(NotFound), write_session(engine) as s:  # another organisation's is not found
        review_store.discard_failed(s, org_id=globex_id, questionnaire_id=failed.id, actor=Actor("x"))
    with write_session(engine) as s:
        review_store.discard_failed(s, org_id=acme.id, questionnaire_id=failed.id, actor=Actor("am"))
    with read_session(engine) as s:
        assert s.get(QuestionnaireRecord, failed.id) is None
        assert s.get(QuestionnaireRecord, imported) is not None, "the ready one is untouched"
        events = s.exec(select(AuditEvent).where(AuditEvent.target_id == str(failed.id))).all()
    assert [e.action for e in events] == [
        "questionnaire.upload",
        "questionnaire.failed",
        "questionnaire.discarded",
    ]
    assert events[-1].detail["file"] == "broken.xlsx" and events[-1].detail["sha256"] == stored.sha256
    with pytest.raises(NotFound), write_session(engine) as s:  # twice: the second finds nothing
        review_store.discard_failed(s, org_id=acme.id, questionnaire_id=failed.id, actor=Actor("am"))
