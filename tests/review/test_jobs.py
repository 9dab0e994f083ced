"""Background jobs: in-process by default; through Redis (RQ) and `trustdesk worker` when configured."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine

from answerbank.store import Actor
from core import accounts
from core.db import read_session, write_session
from core.settings import Settings
from review.jobs import InProcessQueue, RQQueue, pipeline_config, queue_for
from review.models import QuestionnaireRecord
from review.pipeline import create_questionnaire
from tests.helpers import cli, make_org
from tests.review.test_questionnaire_cli import BANK, make_questionnaire

REDIS_URL = "redis://127.0.0.1:6379/15"


def _redis_or_skip() -> None:
    from redis import Redis
    from redis.exceptions import ConnectionError as RedisDown

    try:
        Redis.from_url(REDIS_URL).ping()
    except RedisDown:
        if os.environ.get("CI"):
            raise
        pytest.skip("no Redis on 127.0.0.1:6379 (.ci/run starts one)")


def _queued(runner: CliRunner, engine: Engine, tmp_path: Path) -> int:
    make_org(runner, "acme")
    (tmp_path / "bank.csv").write_text(BANK)
    cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme")
    config = pipeline_config(Settings.from_env())
    path = make_questionnaire(tmp_path / "vendor.xlsx")
    with path.open("rb") as fh:
        stored = config.files.put(fh)
    with write_session(engine) as s:
        org = accounts.require_org(s, slug="acme")
        record = create_questionnaire(s, org=org, filename="vendor.xlsx", stored=stored, actor=Actor("am"))
    assert record.id is not None
    return record.id


def _status(engine: Engine, questionnaire_id: int) -> QuestionnaireRecord:
    with read_session(engine) as s:
        record = s.get(QuestionnaireRecord, questionnaire_id)
        assert record is not None
        return record


def test_the_default_queue_runs_jobs_in_process(runner: CliRunner, engine: Engine, tmp_path: Path) -> None:
    questionnaire_id = _queued(runner, engine, tmp_path)
    queue = queue_for(Settings.from_env())
    assert isinstance(queue, InProcessQueue)
    queue.submit(questionnaire_id)
    queue.wait()
    record = _status(engine, questionnaire_id)
    assert record.status == "ready" and record.found == 4 and record.attempts == 1


def test_with_redis_configured_a_worker_runs_the_job_exactly_once(
    runner: CliRunner, engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _redis_or_skip()
    from redis import Redis

    Redis.from_url(REDIS_URL).flushdb()
    questionnaire_id = _queued(runner, engine, tmp_path)
    monkeypatch.setenv("TRUSTDESK_REDIS_URL", REDIS_URL)
    queue = queue_for(Settings.from_env())
    assert isinstance(queue, RQQueue)
    queue.submit(questionnaire_id)
    assert _status(engine, questionnaire_id).status == "queued", "nothing runs until a worker takes it"
    result = cli(runner, "worker", "--burst")
    assert result.exit_code == 0, result.output
    record = _status(engine, questionnaire_id)
    assert record.status == "ready" and record.found == 4, record.error
    assert record.attempts == 1, "the job ran exactly once"


def test_the_worker_explains_what_it_needs(runner: CliRunner) -> None:
    result = cli(runner, "worker", "--burst")
    assert result.exit_code == 1 and "TRUSTDESK_REDIS_URL is not set" in result.output
