"""Background work: parse and match an uploaded questionnaire.

In-process threads by default; with ``TRUSTDESK_REDIS_URL`` set, jobs go through RQ and ``trustdesk
worker`` runs them, so several app servers and workers share one PostgreSQL database.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

import matcher
from answerbank.matching import IndexCache
from core.db import engine_for
from core.filestore import FileStore
from core.sandbox import SandboxLimits
from core.settings import Settings
from ingest.limits import Limits
from review.pipeline import JOB_TIMEOUT_S, PipelineConfig, Progress, process
from review.uploads import Quota

log = logging.getLogger(__name__)
QUEUE_NAME = "trustdesk"


def sandbox_limits(settings: Settings) -> SandboxLimits:
    """What one parse (or fill) of a stranger's file may use, and how many run at once
    (TRUSTDESK_PARSE_MEMORY_MB, _TIMEOUT and _CONCURRENCY)."""
    return SandboxLimits(
        memory_mb=settings.parse_memory_mb,
        cpu_s=int(settings.parse_timeout) + 1,
        wall_s=settings.parse_timeout,
        concurrent=settings.parse_concurrency,
    )


def pipeline_config(settings: Settings) -> PipelineConfig:
    thresholds = None
    if settings.match_auto is not None or settings.match_review is not None:
        base = matcher.DEFAULT_SEMANTIC_THRESHOLDS if settings.match_semantic else matcher.DEFAULT_THRESHOLDS
        thresholds = matcher.Thresholds(
            auto=settings.match_auto if settings.match_auto is not None else base.auto,
            review=settings.match_review if settings.match_review is not None else base.review,
            margin=base.margin,
        )
    return PipelineConfig(
        files=FileStore(settings.files_dir),
        cache=IndexCache(settings.home / "cache", semantic=settings.match_semantic),
        limits=Limits(
            max_file_bytes=settings.max_upload_mb * 1024 * 1024,
            max_rows=settings.max_rows,
            max_pages=settings.max_pages,
            parse_timeout_s=settings.parse_timeout,
        ),
        sandbox=sandbox_limits(settings),
        thresholds=thresholds,
        quota=Quota(max_bytes=settings.org_quota_mb << 20, max_files=settings.org_max_files),
    )


def run_job(questionnaire_id: int, progress: Progress | None = None) -> None:
    """The job body, also the RQ entry point: everything it needs comes from the environment."""
    settings = Settings.from_env()
    process(
        engine_for(settings.database_url),
        pipeline_config(settings),
        questionnaire_id=questionnaire_id,
        progress=progress,
    )


class JobQueue(Protocol):
    def submit(self, questionnaire_id: int) -> None: ...


@dataclass
class InProcessQueue:
    settings: Settings
    workers: int = 2
    _pool: ThreadPoolExecutor | None = field(default=None, init=False)
    pending: list[Future[None]] = field(default_factory=list, init=False)

    def submit(self, questionnaire_id: int) -> None:
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="trustdesk-job")
        engine = engine_for(self.settings.database_url)
        config = pipeline_config(self.settings)
        self.pending = [f for f in self.pending if not f.done()]
        self.pending.append(self._pool.submit(process, engine, config, questionnaire_id=questionnaire_id))

    def wait(self) -> None:
        for future in list(self.pending):
            future.result()


@dataclass
class RQQueue:
    redis_url: str

    def submit(self, questionnaire_id: int) -> None:
        from redis import Redis
        from rq import Queue

        queue = Queue(QUEUE_NAME, connection=Redis.from_url(self.redis_url))
        queue.enqueue(run_job, questionnaire_id, job_timeout=JOB_TIMEOUT_S, result_ttl=3600)


def queue_for(settings: Settings) -> JobQueue:
    return RQQueue(settings.redis_url) if settings.redis_url else InProcessQueue(settings)
