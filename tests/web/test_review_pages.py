"""The questionnaire pages: upload, live status, review actions, races, exports, roles and isolation."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, event
from sqlmodel import Session, col, select
from werkzeug.test import TestResponse

from answerbank.models import BankEntry
from core.models import AuditEvent
from review.jobs import InProcessQueue
from review.models import Draft, DraftComment, QuestionnaireRecord, QuestionRecord
from tests.helpers import PASSWORD, cli, id_in, make_org, make_user, oid
from web.context import Runtime

BANK = """key,question,answer,short_answer,category,controls,alternates,review_by
IAM-001,Do you enforce multi-factor authentication for all workforce accounts?,Yes. Okta enforces MFA for every employee and contractor.,Yes,Identity,,Is 2FA required for staff?,2099-01-01
IAM-002,Are user access rights reviewed at least quarterly?,Yes. Managers recertify access every quarter.,Yes,Identity,,,2020-01-01
ENC-001,Is customer data encrypted at rest?,Yes. AES-256 via AWS KMS for every data store.,Yes,Encryption,,,
ENC-002,Is customer data encrypted in transit?,Yes. TLS 1.2 or later on every connection.,Yes,Encryption,,,
BCP-001,How often are backups taken and how long are they kept?,Nightly snapshots kept for 35 days.,,Continuity,,,
"""
SECTIONS = {"1": "Identity and access", "2": "Data protection"}
QUESTIONS = [
    ("1.1", "Do you enforce multi-factor authentication for all workforce accounts?"),
    ("1.2", "Are user access rights reviewed at least quarterly?"),
    ("2.1", "Is customer data encrypted at rest?"),
    ("2.2", "Describe how often backups are taken and how long they are retained."),
    ("2.3", "Do you hold a TISAX label for automotive suppliers?"),
]
ROLES = ("admin", "approver", "account_manager", "viewer")


def questionnaire_xlsx() -> bytes:
    """A small vendor questionnaire: a header row "ID, Question, Answer", two sections, five questions."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Security"
    sheet.append(["ID", "Question", "Answer"])
    for number, title in SECTIONS.items():
        sheet.append([number, title, None])
        for ref, text in QUESTIONS:
            if ref.startswith(number + "."):
                sheet.append([ref, text, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def login(client: FlaskClient, email: str) -> None:
    client.post("/logout")
    response = client.post("/login", data={"email": email, "password": PASSWORD})
    assert response.status_code == 302, f"login as {email} failed"


def upload(client: FlaskClient, data: bytes, name: str = "vendor.xlsx", slug: str = "acme") -> TestResponse:
    return client.post(
        f"/o/{slug}/questionnaires/upload",
        data={
            "file": (io.BytesIO(data), name),
            "requester": "Initech",
            "requester_kind": "insurer",
            "due_date": "2026-12-31",
        },
        content_type="multipart/form-data",
    )


def wait(runtime: Runtime) -> None:
    queue = runtime.jobs
    assert isinstance(queue, InProcessQueue), "tests run jobs in-process"
    queue.wait()


def drafts(engine: Engine, qid: int) -> dict[str, Draft]:
    """The questionnaire's drafts by question number, read fresh from the database."""
    with Session(engine) as s:
        rows = s.exec(
            select(QuestionRecord, Draft).join(Draft).where(QuestionRecord.questionnaire_id == qid)
        ).all()
        return {q.number or q.ref: d for q, d in rows}


def decision(draft: Draft, answer: str | None = None, short: str | None = None) -> dict[str, str]:
    return {
        "row_version": str(draft.row_version),
        "answer": draft.answer if answer is None else answer,
        "short_answer": (draft.short_answer or "") if short is None else short,
    }


@pytest.fixture
def world(runner: CliRunner, tmp_path: Path) -> None:
    """acme has one user per role and a bank; globex has an approver and a questionnaire of its own."""
    make_org(runner, "acme", "Acme Corp")
    make_org(runner, "globex", "Globex Inc")
    for role in ROLES:
        make_user(runner, f"{role}@acme.example", "acme", role)
    make_user(runner, "second@acme.example", "acme", "approver")
    make_user(runner, "vciso@globex.example", "globex", "approver")
    (tmp_path / "bank.csv").write_text(BANK)
    cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme")


@pytest.fixture
def qid(world: None, client: FlaskClient, runtime: Runtime) -> int:
    """A questionnaire uploaded by acme's account manager, parsed and matched."""
    login(client, "account_manager@acme.example")
    response = upload(client, questionnaire_xlsx())
    assert response.status_code == 302, response.data
    assert re.search(r"/o/acme/questionnaires/[\w-]{22}$", response.headers["Location"])
    wait(runtime)
    return id_in(response.headers["Location"])


def page(client: FlaskClient, qid: int, query: str = "") -> str:
    response = client.get(f"/o/acme/questionnaires/{oid(qid)}{query}")
    assert response.status_code == 200
    return response.data.decode()


def test_upload_answers_at_once_and_the_job_drafts_every_question_with_a_band(
    world: None, client: FlaskClient, runtime: Runtime, engine: Engine
) -> None:
    login(client, "account_manager@acme.example")
    response = upload(client, questionnaire_xlsx(), name="../../etc/vendor.xlsx")
    assert response.status_code == 302
    qid = id_in(response.headers["Location"])
    status = client.get(f"/o/acme/questionnaires/{oid(qid)}/status").get_json()
    assert status["status"] in ("queued", "processing", "ready")
    wait(runtime)
    assert client.get(f"/o/acme/questionnaires/{oid(qid)}/status").get_json() == {
        "status": "ready",
        "found": 5,
        "matched": 5,
        "error": None,
    }
    with Session(engine) as s:
        record = s.get(QuestionnaireRecord, qid)
        assert record is not None
        assert record.filename == "vendor.xlsx", "a filename is never a path"
        assert (record.requester, record.requester_kind, str(record.due_date)) == (
            "Initech",
            "insurer",
            "2026-12-31",
        )
    found = drafts(engine, qid)
    assert found["1.1"].entry_key == "IAM-001" and found["1.1"].band == "auto"
    assert found["2.1"].entry_key == "ENC-001"
    assert found["2.3"].band == "none" and found["2.3"].entry_key is None
    html = page(client, qid)
    for number, text in QUESTIONS:
        assert number in html and text in html
    assert 'class="band band-auto"' in html and 'class="band band-none"' in html
    assert "Okta enforces MFA" in html and "Identity and access" in html
    assert "Fuzzy" in html or "fuzzy" in html, "the score's reasons are shown"
    assert "Approved 0 of 5" in html
    listing = client.get("/o/acme/questionnaires/").data.decode()
    assert "vendor.xlsx" in listing and "Initech" in listing


def test_the_processing_page_polls_status_and_a_failed_job_shows_its_error_and_retries(
    world: None, client: FlaskClient, runtime: Runtime, engine: Engine
) -> None:
    login(client, "account_manager@acme.example")
    broken = questionnaire_xlsx().replace(b"xl/workbook.xml", b"xl/workbook.xmX")  # passes the upload checks
    response = upload(client, broken, name="broken.xlsx")
    qid = id_in(response.headers["Location"])
    wait(runtime)
    html = page(client, qid)
    assert "Drafting failed" in html and "broken.xlsx" in html and "Retry" in html
    assert "review.js" in html and "<script>" not in html, "no inline script under the CSP"
    assert client.post(f"/o/acme/questionnaires/{oid(qid)}/retry").status_code == 302
    wait(runtime)
    with Session(engine) as s:
        record = s.get(QuestionnaireRecord, qid)
        assert record is not None and record.status == "failed" and record.attempts == 2
        assert s.exec(select(QuestionRecord).where(QuestionRecord.questionnaire_id == qid)).all() == []


def test_a_job_that_cannot_be_queued_fails_visibly_and_can_be_retried(
    world: None, client: FlaskClient, runtime: Runtime, engine: Engine
) -> None:
    class Down:
        def submit(self, questionnaire_id: int) -> None:
            raise ConnectionError("redis is down")

    working = runtime.jobs
    runtime.__dict__["jobs"] = Down()
    login(client, "account_manager@acme.example")
    qid = id_in(upload(client, questionnaire_xlsx()).headers["Location"])
    html = page(client, qid)
    assert "could not be queued" in html and "redis is down" in html and "Retry" in html
    runtime.__dict__["jobs"] = working
    assert client.post(f"/o/acme/questionnaires/{oid(qid)}/retry").status_code == 302
    wait(runtime)
    assert client.get(f"/o/acme/questionnaires/{oid(qid)}/status").get_json()["status"] == "ready"


def test_an_upload_without_a_file_is_refused(world: None, client: FlaskClient) -> None:
    login(client, "account_manager@acme.example")
    response = client.post("/o/acme/questionnaires/upload", data={"requester": "x"})
    assert response.status_code == 400 and b"upload is incomplete" in response.data


def test_approve_edit_and_approve_reject_and_save_text(qid: int, client: FlaskClient, engine: Engine) -> None:
    base = f"/o/acme/questionnaires/{oid(qid)}/drafts"
    before = drafts(engine, qid)
    saved = client.post(
        f"{base}/{oid(before['2.3'].id)}/save",
        data=decision(before["2.3"], "No, we do not hold TISAX.", "No"),
    )
    assert saved.status_code == 302, "an account manager edits without deciding"
    assert (
        client.post(f"{base}/{oid(before['1.1'].id)}/approve", data=decision(before["1.1"])).status_code
        == 403
    )
    login(client, "approver@acme.example")
    approved = client.post(f"{base}/{oid(before['1.1'].id)}/approve", data=decision(before["1.1"]))
    assert approved.status_code == 302 and approved.headers["Location"].endswith(f"#d{before['1.1'].id}")
    client.post(
        f"{base}/{oid(before['2.1'].id)}/approve", data=decision(before["2.1"], "Yes, AES-256 (edited).")
    )
    client.post(f"{base}/{oid(before['2.2'].id)}/reject", data=decision(before["2.2"]))
    after = drafts(engine, qid)
    assert after["1.1"].status == "approved" and after["1.1"].decided_by == "approver@acme.example"
    assert not after["1.1"].edited
    assert after["2.1"].status == "approved" and after["2.1"].answer == "Yes, AES-256 (edited)."
    assert after["2.1"].edited
    assert after["2.2"].status == "rejected"
    assert after["2.3"].answer == "No, we do not hold TISAX." and after["2.3"].short_answer == "No"
    assert after["2.3"].status == "draft"
    assert "Approved 2 of 5" in page(client, qid)
    with Session(engine) as s:
        actions = {e.action for e in s.exec(select(AuditEvent))}
    assert {"draft.approved", "draft.rejected", "draft.edit", "questionnaire.upload"} <= actions


def test_the_page_script_approves_in_json_and_a_stale_second_approval_is_a_409_naming_the_winner(
    qid: int, client: FlaskClient, engine: Engine
) -> None:
    """What ``review.js`` relies on: the decided card's fields and the new "Approved n" count, and on a
    lost race the catalogue's C01 message, with nothing changed by the loser."""
    before = drafts(engine, qid)
    login(client, "approver@acme.example")
    url = f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(before['1.1'].id)}/approve"
    as_json = {"Accept": "application/json"}
    won = client.post(url, data=decision(before["1.1"]), headers=as_json)
    assert won.status_code == 200
    body = won.get_json()
    assert body["id"] == before["1.1"].id and body["status"] == "approved"
    assert body["row_version"] == before["1.1"].row_version + 1
    assert body["decided_by"] == "approver@acme.example" and body["answer"] == before["1.1"].answer
    assert body["counts"] == {"approved": 1}
    lost = client.post(url, data=decision(before["1.1"], "A different answer."), headers=as_json)
    assert lost.status_code == 409
    assert lost.get_json()["error"].startswith("Already approved by approver@acme.example")
    assert drafts(engine, qid)["1.1"].answer == before["1.1"].answer


def test_an_approval_costs_one_query_for_who_and_where_and_two_statements_under_the_write_lock(
    qid: int, client: FlaskClient, engine: Engine
) -> None:
    """The request the load test sends most (docs/benchmarks.md): the user and their role come in one
    query, the draft is read without the matcher's JSON and before the write lock, and the write lock
    covers only the compare-and-set and the audit row; the count is read after the commit."""
    before = drafts(engine, qid)
    login(client, "approver@acme.example")
    url = f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(before['1.1'].id)}/approve"
    sent: list[str] = []

    def keep(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        sent.append(" ".join(statement.split()).lower())

    def committed(_conn: object) -> None:
        sent.append("commit")

    event.listen(engine, "before_cursor_execute", keep)
    event.listen(engine, "commit", committed)
    try:
        response = client.post(url, data=decision(before["1.1"]), headers={"Accept": "application/json"})
    finally:
        event.remove(engine, "before_cursor_execute", keep)
        event.remove(engine, "commit", committed)

    assert response.status_code == 200 and response.get_json()["counts"] == {"approved": 1}
    work = [s for s in sent if not s.startswith(("begin", "commit", "rollback"))]
    assert len(work) == 5, work
    who, draft, update, audit, count = work
    assert "from app_user" in who and "membership" in who and "organisation" in who
    assert "from draft" in draft and "candidates" not in draft and "reasons" not in draft
    assert update.startswith("update draft set")
    assert audit.startswith("insert into audit_event")
    assert count.startswith("select count(")
    if engine.dialect.name == "sqlite":  # under the write lock: the update and the audit row, no more
        start = sent.index("begin immediate") + 1
        locked = sent[start : sent.index("commit", start)]
        assert [s.split()[0] for s in locked] == ["update", "insert"], locked
        assert sent.index(count) > sent.index("commit", start)  # counted after the commit


def test_an_approval_whose_form_is_not_the_drafts_version_writes_nothing_whichever_way_it_is_off(
    qid: int, client: FlaskClient, engine: Engine
) -> None:
    """The draft is read before the write lock, so the version in the form must be the one read: a form
    ahead of the row (its own edit still in flight) must not write the old text over the new one."""
    before = drafts(engine, qid)
    login(client, "approver@acme.example")
    url = f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(before['1.1'].id)}/approve"
    for version in (before["1.1"].row_version + 1, before["1.1"].row_version - 1):
        form = {**decision(before["1.1"]), "row_version": str(version)}
        response = client.post(url, data=form, headers={"Accept": "application/json"})
        assert response.status_code == 409, version
        assert "changed while you were looking at it" in response.get_json()["error"]
    after = drafts(engine, qid)["1.1"]
    assert (after.status, after.row_version, after.answer) == (
        "draft",
        before["1.1"].row_version,
        before["1.1"].answer,
    )


def test_the_audit_row_of_an_approval_says_edited_only_when_that_approval_changed_the_text(
    qid: int, client: FlaskClient, engine: Engine
) -> None:
    base = f"/o/acme/questionnaires/{oid(qid)}/drafts"
    before = drafts(engine, qid)["2.3"]
    login(client, "approver@acme.example")
    saved = client.post(f"{base}/{oid(before.id)}/save", data=decision(before, "No, we do not hold TISAX."))
    assert saved.status_code == 302
    edited = drafts(engine, qid)["2.3"]
    assert edited.edited
    as_json = {"Accept": "application/json"}
    assert (
        client.post(f"{base}/{oid(edited.id)}/approve", data=decision(edited), headers=as_json).status_code
        == 200
    )
    approved = drafts(engine, qid)["2.3"]
    changed = decision(approved, "No. We have no TISAX label.")
    assert client.post(f"{base}/{oid(edited.id)}/approve", data=changed, headers=as_json).status_code == 200

    with Session(engine) as s:
        rows = s.exec(
            select(AuditEvent)
            .where(AuditEvent.action == "draft.approved", AuditEvent.target_id == str(edited.id))
            .order_by(col(AuditEvent.id))
        ).all()
    assert [r.detail["edited"] for r in rows] == [False, True]
    final = drafts(engine, qid)["2.3"]
    assert final.edited and final.answer == "No. We have no TISAX label."


def test_an_empty_answer_cannot_be_approved_and_review_forms_need_a_csrf_token(
    qid: int, runtime: Runtime, engine: Engine
) -> None:
    from web.app import create_app

    guarded = create_app({"TESTING": True}, runtime=runtime).test_client()
    draft = drafts(engine, qid)["2.3"]
    url = f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(draft.id)}/approve"
    html = guarded.get("/login").data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html)
    assert token, "the login form carries a CSRF token"
    login_form = {"email": "approver@acme.example", "password": PASSWORD, "csrf_token": token.group(1)}
    assert guarded.post("/login", data=login_form).status_code == 302
    assert guarded.post(url, data=decision(draft, "Forged.")).status_code == 400
    page_html = guarded.get(f"/o/acme/questionnaires/{oid(qid)}").data.decode()
    fresh = re.search(r'name="csrf_token" value="([^"]+)"', page_html)
    assert fresh
    empty = guarded.post(url, data={**decision(draft, "  ", ""), "csrf_token": fresh.group(1)})
    assert empty.status_code == 400 and b"the answer is empty" in empty.data
    assert drafts(engine, qid)["2.3"].status == "draft"


def test_two_approvers_racing_on_one_draft_one_wins_the_other_is_told_and_keeps_their_text(
    qid: int, app: Flask, engine: Engine
) -> None:
    first, second = app.test_client(), app.test_client()
    login(first, "approver@acme.example")
    login(second, "second@acme.example")
    seen = drafts(engine, qid)["1.2"]  # both opened the page at this row_version
    url = f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(seen.id)}/approve"
    assert first.post(url, data=decision(seen, "Yes, quarterly by managers.")).status_code == 302
    lost = second.post(url, data=decision(seen, "My carefully typed better answer."))
    assert lost.status_code == 409
    html = lost.data.decode()
    assert "Already approved by approver@acme.example" in html
    assert "My carefully typed better answer." in html, "the loser's text is kept in the form"
    assert "Yes, quarterly by managers." in html, "and the winner's answer is shown beside it"
    final = drafts(engine, qid)["1.2"]
    assert final.answer == "Yes, quarterly by managers." and final.decided_by == "approver@acme.example"
    assert f'name="row_version" value="{final.row_version}"' in html, "the form now carries the new version"
    stale_save = second.post(url.replace("/approve", "/save"), data=decision(seen, "again"))
    assert stale_save.status_code == 409


def test_bulk_approve_approves_every_auto_draft_and_nothing_else(
    qid: int, client: FlaskClient, engine: Engine
) -> None:
    assert client.post(f"/o/acme/questionnaires/{oid(qid)}/bulk-approve").status_code == 403
    login(client, "approver@acme.example")
    response = client.post(f"/o/acme/questionnaires/{oid(qid)}/bulk-approve", follow_redirects=True)
    auto = [n for n, d in drafts(engine, qid).items() if d.band == "auto"]
    assert auto, "the sample must give at least one auto draft"
    assert f"{len(auto)} auto-matched answer".encode() in response.data
    for number, draft in drafts(engine, qid).items():
        assert (draft.status == "approved") == (number in auto), number


def test_filters_by_band_status_section_and_assigned_to_me(
    qid: int, client: FlaskClient, engine: Engine
) -> None:
    found = drafts(engine, qid)
    login(client, "approver@acme.example")
    assert "TISAX" in page(client, qid, "?band=none") and "Okta" not in page(client, qid, "?band=none")
    data_only = page(client, qid, "?section=Data+protection")
    assert "encrypted at rest" in data_only and "multi-factor" not in data_only
    client.post(
        f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(found['1.1'].id)}/approve",
        data=decision(found["1.1"]),
    )
    assert "multi-factor" in page(client, qid, "?status=approved")
    assert "encrypted at rest" not in page(client, qid, "?status=approved")
    assert "Showing 0 of 5" in page(client, qid, "?mine=1")
    with Session(engine) as s:
        from core.accounts import get_user

        me = get_user(s, email="approver@acme.example")
        assert me is not None
    assigned = client.post(
        f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(found['2.2'].id)}/assign?mine=1",
        data={"user_id": str(me.id)},
    )
    assert assigned.status_code == 302 and "mine=1" in assigned.headers["Location"], "filters survive actions"
    mine = page(client, qid, "?mine=1")
    assert "Showing 1 of 5" in mine and "backups" in mine
    assert "assigned to approver@acme.example" in mine
    card = mine[mine.index(f'id="d{found["2.2"].id}"') :]
    menu = card[card.index('name="user_id"') :]
    menu = menu[: menu.index("</select>")]
    chosen = re.findall(r'<option ([^>]*)value="(\d+)"([^>]*)>([^<]*)<', menu)
    assert [(v, e.split()[0]) for a, v, b, e in chosen if "selected" in a + b] == [(str(me.id), me.email)], (
        menu
    )
    assert menu.count("selected") == 1, menu
    refused = client.post(
        f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(found['2.2'].id)}/assign", data={"user_id": "999999"}
    )
    assert refused.status_code == 400, "only members can be assigned"


def test_comments_are_kept_and_shown(qid: int, client: FlaskClient, engine: Engine) -> None:
    draft = drafts(engine, qid)["2.3"]
    url = f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(draft.id)}/comment"
    assert client.post(url, data={"body": "Ask the plant manager about TISAX."}).status_code == 302
    assert client.post(url, data={"body": "  "}).status_code == 400
    assert "Ask the plant manager about TISAX." in page(client, qid)
    with Session(engine) as s:
        assert [c.author for c in s.exec(select(DraftComment))] == ["account_manager@acme.example"]


def test_another_candidate_is_one_click_away(qid: int, client: FlaskClient, engine: Engine) -> None:
    draft = drafts(engine, qid)["2.1"]
    others = [c["key"] for c in draft.candidates if c["key"] != draft.entry_key]
    assert "ENC-002" in others, f"the sample should offer ENC-002 as a runner-up, got {others}"
    html = page(client, qid)
    assert "Other candidates" in html and "Use this" in html
    url = f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(draft.id)}/candidate"
    assert client.post(url, data={"row_version": draft.row_version, "key": "ENC-002"}).status_code == 302
    switched = drafts(engine, qid)["2.1"]
    assert (switched.entry_key, switched.entry_version) == ("ENC-002", 1)
    assert switched.answer.startswith("Yes. TLS 1.2") and not switched.edited
    assert switched.row_version == draft.row_version + 1
    stale = client.post(url, data={"row_version": draft.row_version, "key": "ENC-001"})
    assert stale.status_code == 409
    assert client.post(url, data={"row_version": switched.row_version, "key": "NOPE"}).status_code == 400


def test_save_to_bank_as_a_new_version_or_a_new_entry_and_overdue_entries_are_flagged(
    qid: int, client: FlaskClient, engine: Engine
) -> None:
    found = drafts(engine, qid)
    assert "past review date" in page(client, qid), "IAM-002's review-by date (2020) is past"
    url = f"/o/acme/questionnaires/{oid(qid)}/drafts/{{}}/bank"
    assert client.post(url.format(oid(found["1.2"].id)), data={"row_version": 1}).status_code == 403
    login(client, "approver@acme.example")
    base = f"/o/acme/questionnaires/{oid(qid)}/drafts"
    client.post(f"{base}/{oid(found['1.2'].id)}/approve", data=decision(found["1.2"], "Yes, every quarter."))
    version = drafts(engine, qid)["1.2"].row_version
    assert client.post(url.format(oid(found["1.2"].id)), data={"row_version": version}).status_code == 302
    client.post(f"{base}/{oid(found['2.3'].id)}/save", data=decision(found["2.3"], "No TISAX label.", "No"))
    version = drafts(engine, qid)["2.3"].row_version
    new = client.post(url.format(oid(found["2.3"].id)), data={"row_version": version, "new_key": "CERT-009"})
    assert new.status_code == 302
    assert client.post(url.format(oid(found["2.3"].id)), data={"row_version": 1}).status_code == 409
    with Session(engine) as s:
        entries = {e.key: e for e in s.exec(select(BankEntry))}
    assert entries["IAM-002"].version == 2 and entries["IAM-002"].answer == "Yes, every quarter."
    assert entries["CERT-009"].answer == "No TISAX label." and entries["CERT-009"].short_answer == "No"
    assert drafts(engine, qid)["2.3"].entry_key == "CERT-009"


def test_export_the_original_with_the_approved_answers_and_download_its_provenance(
    qid: int, client: FlaskClient, engine: Engine
) -> None:
    url = f"/o/acme/questionnaires/{oid(qid)}/export"
    nothing = client.post(url, data={"format": "original"}, follow_redirects=True)
    assert b"no approved answers" in nothing.data
    login(client, "approver@acme.example")
    client.post(f"/o/acme/questionnaires/{oid(qid)}/bulk-approve")
    response = client.post(url, data={"format": "original"})
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "vendor-answered.xlsx" in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.data))["Security"]
    answers = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert answers["1.1"] in ("Yes", "Yes. Okta enforces MFA for every employee and contractor.")
    assert answers["2.3"] is None, "an unanswered question stays empty"
    html = page(client, qid)
    links = re.findall(rf"/o/acme/questionnaires/{oid(qid)}/exports/([\w-]{{22}})/provenance", html)
    assert len(links) == 1, "the page lists the export with its provenance"
    prov = client.get(f"/o/acme/questionnaires/{oid(qid)}/exports/{links[0]}/provenance")
    assert prov.headers["Content-Disposition"].startswith("attachment")
    body = json.loads(prov.data)
    assert body["export"]["by"] == "approver@acme.example" and body["export"]["draft"] is False
    assert {a["entry_key"] for a in body["answers"]} >= {"IAM-001"}
    assert all(a["entry_version"] == 1 and a["approved_by"] for a in body["answers"])
    again = client.get(f"/o/acme/questionnaires/{oid(qid)}/exports/{links[0]}")
    assert again.data == response.data


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "json"])
def test_the_other_formats_and_an_explicit_draft_export_marked_draft(
    qid: int, client: FlaskClient, fmt: str
) -> None:
    url = f"/o/acme/questionnaires/{oid(qid)}/export"
    response = client.post(url, data={"format": fmt, "draft": "1"})
    assert response.status_code == 200 and f"vendor-DRAFT.{fmt}" in response.headers["Content-Disposition"]
    if fmt == "xlsx":
        sheet = load_workbook(io.BytesIO(response.data)).active
        assert sheet is not None and sheet.title == "DRAFT answers"
    elif fmt == "csv":
        assert response.data.startswith(b"DRAFT")
    else:
        assert json.loads(response.data)["draft"] is True
    assert b"Okta" in response.data or fmt == "xlsx"


@pytest.mark.parametrize(
    ("role", "read", "edit", "approve"),
    [
        pytest.param("admin", 200, 302, 302, id="admin"),
        pytest.param("approver", 200, 302, 302, id="approver"),
        pytest.param("account_manager", 200, 302, 403, id="account-manager"),
        pytest.param("viewer", 404, 404, 404, id="viewer"),  # catalogue Z02: no existence oracle
    ],
)
def test_roles_decide_who_reads_edits_approves_and_exports(
    qid: int,
    client: FlaskClient,
    engine: Engine,
    runtime: Runtime,
    role: str,
    read: int,
    edit: int,
    approve: int,
) -> None:
    login(client, f"{role}@acme.example")
    draft = drafts(engine, qid)["2.3"]
    base = f"/o/acme/questionnaires/{oid(qid)}"
    assert client.get(base).status_code == read
    assert client.get(f"{base}/status").status_code == read
    assert client.get("/o/acme/questionnaires/").status_code == read
    html = client.get(base).data.decode()
    assert ("Approve all auto drafts" in html) == (approve == 302)
    assert ("data-approve" in html) == (approve == 302)
    assert client.post(f"{base}/drafts/{oid(draft.id)}/save", data=decision(draft, "x")).status_code == edit
    fresh = drafts(engine, qid)["2.3"]
    assert client.post(f"{base}/drafts/{oid(draft.id)}/approve", data=decision(fresh)).status_code == approve
    assert client.post(f"{base}/drafts/{oid(draft.id)}/reject", data=decision(fresh)).status_code in (
        approve,
        409,
    )
    assert client.post(f"{base}/bulk-approve").status_code == approve
    assert upload(client, questionnaire_xlsx()).status_code == edit
    wait(runtime)
    exported = client.post(f"{base}/export", data={"format": "csv", "draft": "1"})
    assert exported.status_code == (200 if read == 200 else read)


NAV = {
    "Answer bank": "/o/acme/bank/",
    "Questionnaires": "/o/acme/questionnaires/",
    "Evidence": "/o/acme/evidence/",
    "Readiness": "/o/acme/readiness/",
    "Packs": "/o/acme/packs/",
}


def nav_links(html: str) -> dict[str, str]:
    """The organisation's section links in the top bar: label -> address."""
    bar = html[html.index('<nav class="sections"') :]
    bar = bar[: bar.index("</nav>")]
    return {label: href for href, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', bar)}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "viewer"])
def test_the_top_bar_offers_exactly_the_pages_the_role_may_open(
    world: None, client: FlaskClient, role: str
) -> None:
    login(client, f"{role}@acme.example")
    links = nav_links(page_of(client, "/o/acme/bank/"))
    assert links.pop("Shared with me") == "/shared/"
    if role == "admin":
        assert links.pop("Members") == "/o/acme/members/", "only an admin manages members"
    assert links == NAV, f"{role} is offered {sorted(links)}"
    for label, href in links.items():
        assert client.get(href).status_code == 200, f"{role} is offered {label} but cannot open it"


def test_a_viewer_lands_on_the_packs_shared_with_them_and_is_offered_nothing_else(
    world: None, client: FlaskClient
) -> None:
    client.post("/logout")
    response = client.post("/login", data={"email": "viewer@acme.example", "password": PASSWORD})
    assert response.status_code == 302
    home = client.get(response.headers["Location"])
    assert home.status_code == 302 and home.headers["Location"] == "/shared/"
    shared = page_of(client, "/shared/")
    assert "Shared with me" in shared and "Nothing is shared with you right now." in shared
    assert nav_links(shared) == {"Shared with me": "/shared/"}
    assert re.search(r'<a href="/shared/"[^>]*>Acme Corp</a>', shared), (
        "the switcher sends a viewer there too"
    )
    for href in NAV.values():
        assert client.get(href).status_code == 404, href


def test_the_bank_flags_entries_past_their_review_date(world: None, client: FlaskClient) -> None:
    login(client, "account_manager@acme.example")
    assert "past review date" in page_of(client, "/o/acme/bank/IAM-002")
    assert "past review date" not in page_of(client, "/o/acme/bank/IAM-001"), "2099 is not past"
    listing = page_of(client, "/o/acme/bank/")
    rows = {key: listing[listing.index(f">{key}</a>") :].split("</tr>")[0] for key in ("IAM-001", "IAM-002")}
    assert "past review date" in rows["IAM-002"] and "past review date" not in rows["IAM-001"]


def page_of(client: FlaskClient, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, f"{url} gave {response.status_code}"
    return response.data.decode()
