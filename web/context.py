"""What the CLI and the Flask app share: settings and the engine, built once per process."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from sqlalchemy import Engine

from core.db import engine_for
from core.errors import ConfigError
from core.filestore import FileStore
from core.migrate import current_revision, head_revision
from core.sandbox import SandboxLimits
from core.settings import Settings
from review.jobs import JobQueue, queue_for, sandbox_limits


@dataclass
class Runtime:
    settings: Settings

    @cached_property
    def engine(self) -> Engine:
        return engine_for(self.settings.database_url)

    @cached_property
    def jobs(self) -> JobQueue:
        """The background job queue: in-process threads, or RQ when ``TRUSTDESK_REDIS_URL`` is set."""
        return queue_for(self.settings)

    @property
    def files(self) -> FileStore:
        return FileStore(self.settings.files_dir)

    @property
    def sandbox(self) -> SandboxLimits:
        return sandbox_limits(self.settings)

    def ready_engine(self) -> Engine:
        """The engine, once the schema is at the latest migration."""
        if current_revision(self.engine) != head_revision():
            raise ConfigError(
                "the database is not initialised or not up to date",
                where=self.settings.database_url.split("@")[-1],
                fix="run `trustdesk init`",
            )
        return self.engine
