"""Catalogue section 2.6, concurrency, durability and faults: C01 to C11, on SQLite and PostgreSQL.

Races use real threads behind a barrier or real processes; crashes are real ``SIGKILL``s of a child
process at a chosen call. Each test asserts the response, that nothing partial was stored, and that the
service still answers afterwards.
"""

from __future__ import annotations

import errno
import inspect
import io
import multiprocessing
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from sqlmodel import select

import review.export
import review.pipeline
from answerbank import store
from answerbank.models import EntryCreate
from core import accounts
from core.db import make_engine, read_session, write_session
from core.filestore import TEMP_PREFIX, FileStore
from core.models import AuditEvent
from review import store as review_store
from review.files import sweep_orphans
from review.jobs import pipeline_config
from review.models import Draft, ExportRecord, QuestionnaireRecord, QuestionRecord
from review.pipeline import fail_stale, process
from tests.catalogue.conftest import assert_alive
from tests.conftest import PG_URL
from tests.helpers import PASSWORD, cli, id_in, make_org, make_user, oid
from tests.review.test_questionnaire_cli import make_questionnaire
from tests.web.test_review_pages import BANK, decision, drafts, login, questionnaire_xlsx, upload, wait
from web.context import Runtime

APPROVERS = ("approver@acme.example", "second@acme.example")
DAY = 24 * 3600

# Run in a child process: patch MODULE.ATTR so that its Nth call returns and then the process is
# SIGKILLed, then run the `trustdesk` command given by the remaining arguments.
KILLER = textwrap.dedent(
    """
    import importlib, os, signal, sys
    module, attr, nth = sys.argv[1], sys.argv[2], int(sys.argv[3])
    target = importlib.import_module(module)
    real, calls = getattr(target, attr), [0]
    def dying(*args, **kwargs):
        result = real(*args, **kwargs)
        calls[0] += 1
        if calls[0] == nth:
            os.kill(os.getpid(), signal.SIGKILL)
        return result
    setattr(target, attr, dying)
    if sys.argv[4] == "--web-upload":  # a request killed mid-transaction, as a gunicorn timeout does
        from web.app import create_app
        client = create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}).test_client()
        client.post("/login", data={"email": sys.argv[5], "password": sys.argv[6]})
        with open(sys.argv[7], "rb") as fh:
            client.post("/o/acme/questionnaires/upload", data={"file": (fh, "vendor.xlsx")},
                        content_type="multipart/form-data")
        sys.exit("the request finished: the kill never happened")
    from web.cli import main
    main(sys.argv[4:])
    """
)


def run_killed(env: dict[str, str], module: str, attr: str, nth: int, *command: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, module, attr, str(nth), *command],
        env={**os.environ, **env},
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr.decode()[-3000:]


def integrity_ok(engine: Engine) -> None:
    """SQLite's own check; on PostgreSQL the server guarantees it, so check it still answers."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA integrity_check")).scalar() == "ok"
        else:
            assert conn.execute(text("SELECT 1")).scalar() == 1


def count(engine: Engine, model: Any, *where: Any) -> int:
    with read_session(engine) as s:
        return len(s.exec(select(model).where(*where)).all())


def audit_actions(engine: Engine, action: str) -> Counter[str]:
    with read_session(engine) as s:
        return Counter(e.target_id for e in s.exec(select(AuditEvent).where(AuditEvent.action == action)))


def stored_names(files: FileStore) -> list[str]:
    return sorted(p.name for p in files.root.rglob("*") if p.is_file()) if files.root.exists() else []


@pytest.fixture
def world(runner: CliRunner, tmp_path: Path) -> None:
    make_org(runner, "acme", "Acme Corp")
    for email in APPROVERS:
        make_user(runner, email, "acme", "approver")
    make_user(runner, "account_manager@acme.example", "acme", "account_manager")
    (tmp_path / "bank.csv").write_text(BANK)
    assert cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme").exit_code == 0


@pytest.fixture
def qid(world: None, client: FlaskClient, runtime: Runtime) -> int:
    login(client, "account_manager@acme.example")
    response = upload(client, questionnaire_xlsx())
    assert response.status_code == 302, response.data
    wait(runtime)
    return id_in(response.headers["Location"])


def url(qid: int, draft: Draft, action: str) -> str:
    return f"/o/acme/questionnaires/{oid(qid)}/drafts/{oid(draft.id)}/{action}"


# ---------------------------------------------------------------- C01, C02: reviewers racing


def race(posts: list[tuple[FlaskClient, str, dict[str, str]]]) -> tuple[list[int], list[str]]:
    """Send every POST at the same moment, each from its own thread behind a barrier."""
    barrier = threading.Barrier(len(posts))
    codes, bodies = [0] * len(posts), [""] * len(posts)

    def send(i: int) -> None:
        client, target, data = posts[i]
        barrier.wait()
        response = client.post(target, data=data)
        codes[i], bodies[i] = response.status_code, response.data.decode()

    threads = [threading.Thread(target=send, args=(i,)) for i in range(len(posts))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return codes, bodies


def test_C01_concurrent_approvals_lose_no_update(qid: int, app: Flask, engine: Engine) -> None:
    """Two approvers press approve on the same draft at the same moment, for every draft."""
    clients = [app.test_client(), app.test_client()]
    for client, email in zip(clients, APPROVERS, strict=True):
        login(client, email)
    seen = drafts(engine, qid)
    winners: dict[str, int] = {}
    for number, draft in seen.items():
        target = url(qid, draft, "approve")
        codes, bodies = race(
            [(c, target, decision(draft, f"Answer from {i}.")) for i, c in enumerate(clients)]
        )
        assert sorted(codes) == [302, 409], f"{number}: {codes}"
        winners[number] = codes.index(302)
        assert f"Already approved by {APPROVERS[winners[number]]}" in bodies[codes.index(409)]
    final = drafts(engine, qid)
    for number, winner in winners.items():
        assert final[number].status == "approved" and final[number].decided_by == APPROVERS[winner]
        assert final[number].answer == f"Answer from {winner}.", "the loser's text replaced the winner's"
    approvals = audit_actions(engine, "draft.approved")
    assert sorted(approvals) == sorted(str(d.id) for d in seen.values())
    assert set(approvals.values()) == {1}, "one audit event per approval"
    assert clients[0].get("/o/acme/questionnaires/").status_code == 200, "the service still answers"


def test_C02_a_stale_edit_after_approval_is_refused_and_the_approved_text_stays(
    qid: int, app: Flask, engine: Engine
) -> None:
    approver, manager = app.test_client(), app.test_client()
    login(approver, APPROVERS[0])
    login(manager, "account_manager@acme.example")
    seen = drafts(engine, qid)["1.2"]
    opened = manager.get(f"/o/acme/questionnaires/{oid(qid)}").data.decode()
    assert f'name="row_version" value="{seen.row_version}"' in opened, "B loaded the form at this version"
    assert approver.post(url(qid, seen, "approve"), data=decision(seen, "Approved text.")).status_code == 302
    stale = manager.post(url(qid, seen, "save"), data=decision(seen, "B's late edit."))
    assert stale.status_code == 409
    assert "approved by approver@acme.example since you opened it" in stale.data.decode()
    assert "B&#39;s late edit." in stale.data.decode(), "B's text is kept in the form to copy"
    final = drafts(engine, qid)["1.2"]
    assert (final.status, final.answer) == ("approved", "Approved text.")
    assert manager.get("/o/acme/questionnaires/").status_code == 200, "the service still answers"


# ---------------------------------------------------------------- C03: writer contention


def hold_write_lock(engine: Engine, draft_id: int, seconds: float, held: threading.Event) -> None:
    """A long writer: the database write lock (SQLite) or the draft's row lock (PostgreSQL)."""
    with write_session(engine) as s:
        s.exec(select(Draft).where(Draft.id == draft_id).with_for_update()).one()
        held.set()
        time.sleep(seconds)


def approve_while_locked(
    qid: int, client: FlaskClient, runtime: Runtime, engine: Engine, *, hold_s: float, timeout_ms: int
) -> tuple[int, Draft, Any]:
    impatient = make_engine(runtime.settings.database_url, busy_timeout_ms=timeout_ms)
    runtime.__dict__["engine"] = impatient
    login(client, APPROVERS[0])
    draft = drafts(engine, qid)["1.1"]
    held = threading.Event()
    holder = threading.Thread(target=hold_write_lock, args=(engine, draft.id, hold_s, held))
    holder.start()
    try:
        assert held.wait(10)
        response = client.post(url(qid, draft, "approve"), data=decision(draft, "Approved under load."))
    finally:
        holder.join()
        runtime.__dict__["engine"] = engine
        impatient.dispose()
    return response.status_code, draft, response


def test_C03_a_write_behind_a_short_writer_waits_and_succeeds(
    qid: int, client: FlaskClient, runtime: Runtime, engine: Engine
) -> None:
    status, _draft, _ = approve_while_locked(qid, client, runtime, engine, hold_s=0.5, timeout_ms=10_000)
    assert status == 302
    assert drafts(engine, qid)["1.1"].status == "approved"


def test_C03_a_write_blocked_past_the_busy_timeout_answers_503_and_saves_nothing(
    qid: int, client: FlaskClient, runtime: Runtime, engine: Engine
) -> None:
    status, draft, response = approve_while_locked(qid, client, runtime, engine, hold_s=1.5, timeout_ms=200)
    assert status == 503, response.data[:500]
    assert b"busy" in response.data and response.headers["Retry-After"]
    after = drafts(engine, qid)["1.1"]
    assert (after.status, after.row_version) == ("draft", draft.row_version), "nothing was saved"
    assert audit_actions(engine, "draft.approved") == Counter()
    retried = client.post(url(qid, draft, "approve"), data=decision(draft, "Approved under load."))
    assert retried.status_code == 302, "once the lock is free the same click works"


def write_lock_held(engine: Engine) -> bool:
    """Whether any other connection holds a write transaction right now."""
    if engine.dialect.name == "sqlite":
        import sqlite3

        probe = sqlite3.connect(engine.url.database or "", timeout=0, isolation_level=None)
        try:
            probe.execute("BEGIN IMMEDIATE")
            probe.execute("ROLLBACK")
            return False
        except sqlite3.OperationalError:
            return True
        finally:
            probe.close()
    with engine.connect() as conn:
        writers = conn.execute(
            text(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND backend_xid IS NOT NULL AND pid <> pg_backend_pid()"
            )
        ).scalar()
    return bool(writers)


def another_questionnaire() -> bytes:
    """The sample questionnaire with one more question, so its bytes differ (the same bytes would be
    recognised as a duplicate upload and never parsed again, catalogue U24)."""
    book = load_workbook(io.BytesIO(questionnaire_xlsx()))
    sheet = book.active
    assert sheet is not None
    sheet.append(["9.9", "Do you keep an inventory of your cloud accounts?", None])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def test_C03_no_parsing_runs_inside_a_write_transaction(
    qid: int, client: FlaskClient, runtime: Runtime, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[str, bool]] = []

    def spy(name: str, real: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            seen.append((name, write_lock_held(engine)))
            return real(*args, **kwargs)

        return wrapper

    monkeypatch.setattr(review.pipeline, "run_limited", spy("parse", review.pipeline.run_limited))
    monkeypatch.setattr(review.export, "_render", spy("export", review.export._render))
    response = upload(client, another_questionnaire(), name="second.xlsx")
    assert response.status_code == 302
    wait(runtime)
    login(client, APPROVERS[0])
    assert client.post(f"/o/acme/questionnaires/{oid(qid)}/bulk-approve").status_code == 302
    exported = client.post(f"/o/acme/questionnaires/{oid(qid)}/export", data={"format": "original"})
    assert exported.status_code == 200
    assert seen == [("parse", False), ("export", False)]


# ---------------------------------------------------------------- C04: read-modify-write, 4 processes


def increment(url: str, org_id: int, times: int, start: Any) -> None:
    """One 'gunicorn worker': read the counter, add one, write it back, ``times`` times."""
    engine = make_engine(url)
    start.wait()
    for _ in range(times):
        with write_session(engine) as s:
            entry = store.get_entry(s, org_id=org_id, key="COUNTER", for_update=True)
            assert entry is not None
            data = EntryCreate(key="COUNTER", question="Counter?", answer=str(int(entry.answer) + 1))
            store.update_entry(s, org_id=org_id, data=data, actor=store.Actor(f"pid-{os.getpid()}"))
    engine.dispose()


def test_C04_read_modify_write_across_four_processes_loses_no_update(app: Flask, engine: Engine) -> None:
    """Four processes increment one counter 100 times each, all at once (the catalogue measured 122
    of 400 kept with default pysqlite transactions)."""
    with write_session(engine) as s:
        org = accounts.create_org(s, slug="race", name="Race")
        assert org.id is not None
        data = EntryCreate(key="COUNTER", question="Counter?", answer="0")
        store.create_entry(s, org_id=org.id, data=data, actor=store.Actor("test"))
    forked = multiprocessing.get_context("fork")  # a copy of this process, like gunicorn workers
    start = forked.Barrier(4)
    workers = [
        forked.Process(target=increment, args=(str(engine.url.render_as_string(False)), org.id, 100, start))
        for _ in range(4)
    ]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
    assert [w.exitcode for w in workers] == [0, 0, 0, 0], "a worker failed (database is locked?)"
    with read_session(engine) as s:
        entry = store.require_entry(s, org_id=org.id, key="COUNTER")
        assert entry.answer == "400", "an increment was lost"
        assert entry.version == 401 and len(store.history(s, entry=entry)) == 401
    assert_alive(app.test_client())


# ---------------------------------------------------------------- C05: SIGKILL mid-import


def test_C05_sigkill_mid_bank_import_leaves_the_bank_unchanged(
    app: Flask, runner: CliRunner, engine: Engine, tmp_path: Path, env: dict[str, str]
) -> None:
    make_org(runner, "acme")
    header = "key,question,answer,short_answer,category,controls,alternates\n"
    (tmp_path / "seed.csv").write_text(header + "OLD-1,Old?,Kept.,Yes,,,\n")
    cli(runner, "bank", "import", str(tmp_path / "seed.csv"), "--org", "acme")
    rows = "".join(f"NEW-{i},Question number {i}?,Answer {i}.,Yes,,,\n" for i in range(500))
    (tmp_path / "big.csv").write_text(header + rows)
    run_killed(
        env,
        "answerbank.store",
        "create_entry",
        251,
        "bank",
        "import",
        str(tmp_path / "big.csv"),
        "--org",
        "acme",
    )
    integrity_ok(engine)
    with read_session(engine) as s:
        org_id = accounts.require_org(s, slug="acme").id or 0
        assert [e.key for e in store.list_entries(s, org_id=org_id)] == ["OLD-1"], "no partial rows"
    result = cli(runner, "bank", "import", str(tmp_path / "big.csv"), "--org", "acme")
    assert "500 added" in result.output, "the same import works again"
    assert_alive(app.test_client())


def test_C05_sigkill_mid_questionnaire_job_leaves_no_partial_drafts_and_it_can_be_retried(
    world: None, app: Flask, engine: Engine, runtime: Runtime, tmp_path: Path, env: dict[str, str]
) -> None:
    path = make_questionnaire(tmp_path / "vendor.xlsx")
    run_killed(env, "review.pipeline", "draft_for", 3, "questionnaire", "import", str(path), "--org", "acme")
    integrity_ok(engine)
    with read_session(engine) as s:
        (record,) = s.exec(select(QuestionnaireRecord)).all()
    assert record.status == "processing", "the job died mid-write"
    assert count(engine, QuestionRecord) == 0 and count(engine, Draft) == 0, "no partial questions"
    assert fail_stale(engine) == [], "a job younger than the job timeout may still be running"
    assert fail_stale(engine, older_than=timedelta(0)) == [record.id]
    with write_session(engine) as s:
        failed = s.get(QuestionnaireRecord, record.id)
        assert failed is not None and failed.status == "failed" and "retry" in (failed.error or "")
        review_store.requeue(
            s, org_id=record.org_id, questionnaire_id=record.id or 0, actor=store.Actor("am")
        )
    process(engine, pipeline_config(runtime.settings), questionnaire_id=record.id or 0)
    with read_session(engine) as s:
        done = s.get(QuestionnaireRecord, record.id)
        assert done is not None and (done.status, done.attempts) == ("ready", 2), done.error
    assert count(engine, Draft) == count(engine, QuestionRecord) == 4
    assert_alive(app.test_client())


# ---------------------------------------------------------------- C06: crash between file and row


def age(path: Path, seconds: float) -> None:
    past = time.time() - seconds
    os.utime(path, (past, past))


def test_C06_a_crash_after_storing_the_file_leaves_no_row_and_the_sweep_removes_the_orphan(
    world: None, app: Flask, engine: Engine, runtime: Runtime, tmp_path: Path, env: dict[str, str]
) -> None:
    kept = make_questionnaire(tmp_path / "kept.xlsx")
    assert cli(CliRunner(), "questionnaire", "import", str(kept), "--org", "acme").exit_code == 0
    crashed = tmp_path / "crashed.xlsx"
    crashed.write_bytes(questionnaire_xlsx())
    run_killed(
        env,
        "review.pipeline",
        "create_questionnaire",
        1,
        "questionnaire",
        "import",
        str(crashed),
        "--org",
        "acme",
    )
    integrity_ok(engine)
    assert count(engine, QuestionnaireRecord) == 1, "the crashed import left no row"
    files = runtime.files
    assert len(files.orphans(review.files.referenced_digests(engine))) == 1
    assert sweep_orphans(engine, files) == [], "a young orphan may be an upload in flight: kept"
    for path in files.root.glob("??/??/*"):
        age(path, DAY + 60)
    (orphan,) = files.orphans(review.files.referenced_digests(engine))
    assert sweep_orphans(engine, files, dry_run=True) == [orphan] and files.path_for(orphan).exists()
    assert sweep_orphans(engine, files) == [orphan]
    assert not files.path_for(orphan).exists()
    with read_session(engine) as s:
        (record,) = s.exec(select(QuestionnaireRecord)).all()
    with files.open(record.file_sha256) as fh:
        assert fh.read() == kept.read_bytes(), "the referenced file, as old, stays"
    assert_alive(app.test_client())


def test_C06_a_crash_while_writing_the_file_leaves_no_row_and_no_file_only_a_swept_temp(
    world: None, app: Flask, engine: Engine, runtime: Runtime, tmp_path: Path, env: dict[str, str]
) -> None:
    crashed = tmp_path / "crashed.xlsx"
    crashed.write_bytes(questionnaire_xlsx())
    run_killed(env, "os", "fsync", 1, "questionnaire", "import", str(crashed), "--org", "acme")
    assert count(engine, QuestionnaireRecord) == 0
    files = runtime.files
    assert list(files.all_digests()) == [], "never renamed into place"
    (temp,) = files.root.glob(TEMP_PREFIX + "*")
    assert sweep_orphans(engine, files) == []
    age(temp, DAY + 60)
    assert sweep_orphans(engine, files) == [temp.name] and not temp.exists()
    assert_alive(app.test_client())


# ---------------------------------------------------------------- C07: disk full


@pytest.fixture
def disk_full(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    yield monkeypatch.setattr(os, "fsync", no_space)


def test_C07_disk_full_during_upload_answers_507_and_stores_nothing(
    world: None, client: FlaskClient, runtime: Runtime, engine: Engine, disk_full: None
) -> None:
    login(client, "account_manager@acme.example")
    response = upload(client, questionnaire_xlsx())
    assert response.status_code == 507
    assert b"no space left" in response.data
    assert (
        count(engine, QuestionnaireRecord) == 0
        and count(engine, AuditEvent, AuditEvent.action == "questionnaire.upload") == 0
    )
    assert stored_names(runtime.files) == [], "the temporary file was removed"
    assert client.get("/o/acme/questionnaires/").status_code == 200, "the service still answers"


def test_C07_disk_full_during_export_answers_507_and_records_nothing(
    qid: int, client: FlaskClient, runtime: Runtime, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    login(client, APPROVERS[0])
    assert client.post(f"/o/acme/questionnaires/{oid(qid)}/bulk-approve").status_code == 302
    before = stored_names(runtime.files)

    def no_space(_fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", no_space)
    response = client.post(f"/o/acme/questionnaires/{oid(qid)}/export", data={"format": "xlsx"})
    assert response.status_code == 507 and b"no space left" in response.data
    assert count(engine, ExportRecord) == 0
    assert stored_names(runtime.files) == before
    monkeypatch.undo()
    assert (
        client.post(f"/o/acme/questionnaires/{oid(qid)}/export", data={"format": "xlsx"}).status_code == 200
    )


# ---------------------------------------------------------------- C08: request timeouts


class HeldQueue:
    """A queue whose jobs have not started yet: what the request sees."""

    def __init__(self) -> None:
        self.submitted: list[int] = []

    def submit(self, questionnaire_id: int) -> None:
        self.submitted.append(questionnaire_id)


def test_C08_the_upload_request_never_parses(
    world: None, client: FlaskClient, runtime: Runtime, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    parses: list[str] = []
    real = review.pipeline.run_limited
    monkeypatch.setattr(
        review.pipeline, "run_limited", lambda *a, **k: parses.append("parse") or real(*a, **k)
    )
    runtime.__dict__["jobs"] = queue = HeldQueue()
    login(client, "account_manager@acme.example")
    response = upload(client, questionnaire_xlsx())
    assert response.status_code == 302
    assert parses == [], "the request returned without parsing"
    (qid,) = queue.submitted
    assert count(engine, QuestionnaireRecord, QuestionnaireRecord.status == "queued") == 1
    assert count(engine, QuestionRecord) == 0
    process(engine, pipeline_config(runtime.settings), questionnaire_id=qid)
    assert parses == ["parse"] and count(engine, Draft) == 5


def test_C08_a_request_killed_mid_transaction_leaves_no_partial_state(
    world: None, client: FlaskClient, runtime: Runtime, engine: Engine, tmp_path: Path, env: dict[str, str]
) -> None:
    sample = tmp_path / "vendor.xlsx"
    sample.write_bytes(questionnaire_xlsx())
    run_killed(
        env,
        "review.pipeline",
        "create_questionnaire",
        1,
        "--web-upload",
        "account_manager@acme.example",
        PASSWORD,
        str(sample),
    )
    integrity_ok(engine)
    assert count(engine, QuestionnaireRecord) == 0
    assert audit_actions(engine, "questionnaire.upload") == Counter()
    login(client, "account_manager@acme.example")
    assert upload(client, sample.read_bytes()).status_code == 302, "the service still answers"
    wait(runtime)


# ---------------------------------------------------------------- C09, C10, C11


def add_entry(engine: Engine, org_id: int, key: str) -> None:
    with write_session(engine) as s:
        data = EntryCreate(key=key, question=f"{key}?", answer="a")
        store.create_entry(s, org_id=org_id, data=data, actor=store.Actor("writer"))


def entry_keys(engine: Engine, org_id: int) -> set[str]:
    with read_session(engine) as s:
        return {e.key for e in store.list_entries(s, org_id=org_id)}


def test_C09_online_backup_during_writes_restores_every_committed_write(
    app: Flask, runner: CliRunner, engine: Engine, runtime: Runtime, tmp_path: Path
) -> None:
    make_org(runner, "acme")
    with read_session(engine) as s:
        org_id = accounts.require_org(s, slug="acme").id or 0
    for i in range(20):
        add_entry(engine, org_id, f"OLD-{i}")
    files = runtime.files
    stored = files.put_bytes(b"evidence bytes", name="policy.pdf")
    stop = threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            add_entry(engine, org_id, f"NEW-{n}")
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = cli(runner, "backup", str(tmp_path / "bk"))
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    before_restore = entry_keys(engine, org_id)
    add_entry(engine, org_id, "AFTER-BACKUP")
    files.path_for(stored.sha256).unlink()
    restored = cli(runner, "restore", str(tmp_path / "bk"), "--yes")
    assert restored.exit_code == 0, restored.output
    integrity_ok(engine)
    after = entry_keys(engine, org_id)
    assert {f"OLD-{i}" for i in range(20)} <= after, "every write committed before the backup is there"
    assert "AFTER-BACKUP" not in after
    assert after <= before_restore, "the snapshot holds nothing that was never committed"
    with files.open(stored.sha256) as fh:
        assert fh.read() == b"evidence bytes"
    with read_session(engine) as s:
        assert len(store.history(s, entry=store.require_entry(s, org_id=org_id, key="OLD-3"))) == 1
    assert_alive(app.test_client())


def test_C10_a_commit_that_returned_survives_power_loss(app: Flask, engine: Engine) -> None:
    """WAL with synchronous=NORMAL may lose the last commits on power loss: we run FULL. PostgreSQL
    flushes the WAL at every commit unless synchronous_commit or fsync is turned off."""
    with engine.connect() as conn:
        if engine.dialect.name == "sqlite":
            assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
            assert conn.execute(text("PRAGMA synchronous")).scalar() == 2, "2 is FULL"
        else:
            assert conn.execute(text("SHOW synchronous_commit")).scalar() == "on"
            assert conn.execute(text("SHOW fsync")).scalar() == "on"
    assert_alive(app.test_client())


def fixture_closure(request: pytest.FixtureRequest, names: tuple[str, ...]) -> set[str]:
    manager = request._fixturemanager
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name not in seen:
            seen.add(name)
            for definition in manager.getfixturedefs(name, request.node) or ():
                todo.extend(definition.argnames)
    return seen


def test_C11_cases_C01_to_C05_run_on_postgresql(request: pytest.FixtureRequest) -> None:
    """Every C01-C05 test depends on the ``database_url`` fixture, which runs it on SQLite and on
    PostgreSQL, and CI sets the PostgreSQL URL (.ci/run): none of them can run on SQLite only."""
    module = sys.modules[__name__]
    cases = {name: f for name, f in vars(module).items() if re.match(r"test_C0[1-5]_", name)}
    assert {name[5:8] for name in cases} == {"C01", "C02", "C03", "C04", "C05"}
    for name, case in cases.items():
        assert "database_url" in fixture_closure(request, tuple(inspect.signature(case).parameters)), name
    (database_url,) = request._fixturemanager.getfixturedefs("database_url", request.node) or ()
    backends = {p if isinstance(p, str) else p.values[0] for p in database_url.params or ()}
    assert backends == {"sqlite", "postgresql"}
    if os.environ.get("CI"):
        assert PG_URL, "CI must set TRUSTDESK_TEST_POSTGRES_URL (.ci/run does)"
