"""Scale out (issue 7 item 6): two gunicorn app servers and two `trustdesk worker`s on one PostgreSQL
database, one Redis and one shared TRUSTDESK_HOME. Questionnaires uploaded in parallel through both
servers, every job delivered twice, must each be processed exactly once, and nothing may be lost."""

from __future__ import annotations

import io
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from openpyxl import Workbook
from sqlalchemy import Engine
from sqlmodel import select

from core.db import engine_for, read_session
from core.filestore import FileStore
from core.models import AuditEvent
from review.jobs import QUEUE_NAME, RQQueue
from review.models import Draft, QuestionnaireRecord, QuestionRecord
from tests.conftest import PG_URL, _reset_postgres
from tests.helpers import PASSWORD, cli, id_in, make_org, make_user
from tests.review.test_questionnaire_cli import BANK, QUESTIONS

pytestmark = pytest.mark.integration
REDIS_URL = os.environ.get("TRUSTDESK_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
BIN = Path(sys.executable).parent
UPLOADS = 8
PATIENCE_S = 120  # a guard against hanging, not a timing assertion: ~30 s on an idle 2-core machine
USER = "am@acme.example"


def _needs(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{reason}: CI must provide it (.ci/run does)")
    pytest.skip(reason)


def _redis_up() -> bool:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        return bool(Redis.from_url(REDIS_URL).ping())
    except RedisDown:
        return False


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    servers: list[str]
    engine: Engine
    files: FileStore


def _wait_until_serving(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + PATIENCE_S
    while time.monotonic() < deadline:
        assert proc.poll() is None, f"{base} exited: {log.read_text()[-3000:]}"
        try:
            if httpx.get(f"{base}/login", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{base} did not answer in {PATIENCE_S} s: {log.read_text()[-3000:]}")


def _wait_for_workers(count: int) -> None:
    from redis import Redis
    from rq import Worker

    deadline = time.monotonic() + PATIENCE_S
    while len(Worker.all(connection=Redis.from_url(REDIS_URL))) < count:
        assert time.monotonic() < deadline, "the workers did not register with Redis"
        time.sleep(0.3)


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    for proc in procs:
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@pytest.fixture
def cluster(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cluster]:
    if not PG_URL:
        _needs("TRUSTDESK_TEST_POSTGRES_URL is not set")
    if not _redis_up():
        _needs(f"no Redis at {REDIS_URL}")
    from redis import Redis

    _reset_postgres(PG_URL)
    Redis.from_url(REDIS_URL).flushdb()
    env = {
        "TRUSTDESK_ENV": "test",
        "TRUSTDESK_HOME": str(tmp_path / "shared-home"),  # the path every node mounts
        "TRUSTDESK_DATABASE_URL": PG_URL,
        "TRUSTDESK_REDIS_URL": REDIS_URL,
        "TRUSTDESK_SECRET_KEY": secrets.token_hex(32),
    }
    for key in [k for k in os.environ if k.startswith("TRUSTDESK_")]:
        monkeypatch.delenv(key)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    runner = CliRunner()
    assert cli(runner, "init").exit_code == 0
    make_org(runner, "acme", "Acme Corp")
    make_user(runner, USER, "acme", "account_manager")
    (tmp_path / "bank.csv").write_text(BANK)
    assert cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme").exit_code == 0
    procs: list[subprocess.Popen[bytes]] = []
    servers: list[str] = []
    child_env = {**os.environ, **env}
    try:
        for n in range(2):
            port, log = _free_port(), tmp_path / f"server{n}.log"
            command = [
                str(BIN / "gunicorn"),
                "--config",
                "python:web.gunicorn_conf",  # the shipped settings: gthread, 4 threads, the worker hook
                "--workers",
                "1",
                "--bind",
                f"127.0.0.1:{port}",
            ]
            command += ["--control-socket", str(tmp_path / f"server{n}.ctl")]
            with log.open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [*command, "web.app:create_app()"], env=child_env, stdout=out, stderr=out
                    )
                )
            servers.append(f"http://127.0.0.1:{port}")
        for n in range(2):
            with (tmp_path / f"worker{n}.log").open("wb") as out:
                procs.append(
                    subprocess.Popen(
                        [str(BIN / "trustdesk"), "worker"], env=child_env, stdout=out, stderr=out
                    )
                )
        for n, base in enumerate(servers):
            _wait_until_serving(base, procs[n], tmp_path / f"server{n}.log")
        _wait_for_workers(2)
        yield Cluster(servers, engine_for(PG_URL), FileStore(Path(env["TRUSTDESK_HOME"]) / "files"))
    finally:
        _stop(procs)
        engine_for(PG_URL).dispose()
        engine_for.cache_clear()


def questionnaire(n: int) -> bytes:
    """The shared sample's questions plus one of its own, so every upload is a different file."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "Security"
    sheet.append(["ID", "Question", "Answer"])
    for number, text in [*QUESTIONS, ("9.1", f"Describe control number {n} of upload {n}.")]:
        sheet.append([number, text, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csrf(client: httpx.Client, path: str) -> str:
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def logged_in(base: str) -> httpx.Client:
    client = httpx.Client(base_url=base, timeout=30)
    token = _csrf(client, "/login")
    response = client.post("/login", data={"email": USER, "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302, response.text[:500]
    return client


def upload(client: httpx.Client, token: str, n: int) -> int:
    response = client.post(
        "/o/acme/questionnaires/upload",
        data={"csrf_token": token, "requester": f"upload-{n}", "requester_kind": "customer"},
        files={"file": (f"vendor-{n}.xlsx", questionnaire(n), "application/octet-stream")},
    )
    assert response.status_code == 302, response.text[:500]
    return id_in(response.headers["location"])


def _wait_for_jobs(engine: Engine) -> None:
    from redis import Redis
    from rq import Queue

    queue = Queue(QUEUE_NAME, connection=Redis.from_url(REDIS_URL))
    deadline = time.monotonic() + PATIENCE_S
    while True:
        with read_session(engine) as s:
            pending = s.exec(
                select(QuestionnaireRecord).where(QuestionnaireRecord.status.in_(("queued", "processing")))  # type: ignore[attr-defined]
            ).all()
        if not pending and queue.count == 0 and queue.started_job_registry.count == 0:
            return
        assert time.monotonic() < deadline, (
            f"{len(pending)} questionnaires still pending after {PATIENCE_S} s"
        )
        time.sleep(0.5)


def test_two_servers_and_two_workers_process_every_upload_exactly_once(cluster: Cluster) -> None:
    clients = [logged_in(base) for base in cluster.servers]
    tokens = [_csrf(c, "/o/acme/questionnaires/") for c in clients]
    with ThreadPoolExecutor(max_workers=4) as pool:
        ids = list(pool.map(lambda n: upload(clients[n % 2], tokens[n % 2], n), range(UPLOADS)))
    redelivery = RQQueue(REDIS_URL)
    for qid in ids:  # every job delivered a second time, as a retry or a lost acknowledgement would
        redelivery.submit(qid)
    _wait_for_jobs(cluster.engine)
    with read_session(cluster.engine) as s:
        records = s.exec(select(QuestionnaireRecord)).all()
        questions = Counter(q.questionnaire_id for q in s.exec(select(QuestionRecord)))
        drafts = Counter(d.questionnaire_id for d in s.exec(select(Draft)))
        events = Counter((e.action, e.target_id) for e in s.exec(select(AuditEvent)))
    assert sorted(r.id for r in records) == sorted(ids), "every upload has exactly one record"
    assert sorted(r.requester for r in records) == sorted(f"upload-{n}" for n in range(UPLOADS))
    expected = len(QUESTIONS) + 1
    for r in records:
        assert (r.status, r.attempts, r.found) == ("ready", 1, expected), (r.id, r.status, r.error)
        assert questions[r.id] == drafts[r.id] == expected, "one set of questions and drafts"
        assert events[("questionnaire.upload", str(r.id))] == 1
        assert events[("questionnaire.ready", str(r.id))] == 1, "the job ran once, though delivered twice"
        with cluster.files.open(r.file_sha256) as fh:
            assert fh.read(2) == b"PK", "the uploaded file is in the shared store"
    assert not any(action == "questionnaire.failed" for action, _ in events)
    assert len({r.file_sha256 for r in records}) == UPLOADS
    _assert_both_workers_worked()
    for client in clients:
        client.close()


def _assert_both_workers_worked() -> None:
    from redis import Redis
    from rq import Queue
    from rq.job import Job

    connection = Redis.from_url(REDIS_URL)
    queue = Queue(QUEUE_NAME, connection=connection)
    assert queue.failed_job_registry.count == 0
    done = Job.fetch_many(queue.finished_job_registry.get_job_ids(), connection=connection)
    assert len(done) == 2 * UPLOADS
    assert len({job.worker_name for job in done if job is not None}) == 2, "both workers took jobs"
