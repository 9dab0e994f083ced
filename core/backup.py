"""Backup and restore of the database and the file store.

SQLite: the online backup API copies a consistent snapshot while writes continue. PostgreSQL: its own
``pg_dump -Fc`` and ``pg_restore`` (which must be on PATH). The file store is copied after the database
snapshot: files are written before the rows that point at them are committed, so every file the
snapshot refers to already exists when the copy starts.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine, make_url

from core.errors import ConfigError, ValidationError
from core.models import utcnow

MANIFEST = "trustdesk-backup.json"


@dataclass(frozen=True)
class BackupSummary:
    folder: Path
    database: str
    files: int


def backup(engine: Engine, *, files_dir: Path, dest: Path) -> BackupSummary:
    if dest.exists() and any(dest.iterdir()):
        raise ValidationError(f"{dest} is not empty", fix="back up into a new, empty folder")
    dest.mkdir(parents=True, exist_ok=True)
    kind = _backup_database(engine, dest)
    copied = _copy_files(files_dir, dest / "files")
    (dest / MANIFEST).write_text(
        json.dumps(
            {"format": 1, "database": kind, "files": copied, "created_at": utcnow().isoformat()}, indent=2
        )
    )
    return BackupSummary(dest, kind, copied)


def restore(engine: Engine, *, files_dir: Path, source: Path) -> BackupSummary:
    manifest_path = source / MANIFEST
    if not manifest_path.is_file():
        raise ValidationError(
            f"{source} is not a Trustdesk backup (no {MANIFEST})",
            fix="point at a folder made by `trustdesk backup`",
        )
    manifest = json.loads(manifest_path.read_text())
    if manifest["database"] != engine.dialect.name:
        raise ConfigError(
            f"the backup holds a {manifest['database']} database but TRUSTDESK_DATABASE_URL is "
            f"{engine.dialect.name}",
            fix="restore into the same kind of database",
        )
    _restore_database(engine, source)
    copied = _copy_files(source / "files", files_dir)
    return BackupSummary(source, manifest["database"], copied)


def _backup_database(engine: Engine, dest: Path) -> str:
    url = make_url(engine.url)
    if url.get_backend_name() == "sqlite":
        src = sqlite3.connect(url.database or "")
        target = sqlite3.connect(dest / "database.sqlite")
        with target:
            src.backup(target)
        src.close()
        target.close()
        return "sqlite"
    _run(["pg_dump", "-Fc", "-f", str(dest / "database.pgdump"), _libpq(url)])
    return "postgresql"


def _restore_database(engine: Engine, source: Path) -> None:
    url = make_url(engine.url)
    engine.dispose()
    if url.get_backend_name() == "sqlite":
        src = sqlite3.connect(source / "database.sqlite")
        target = sqlite3.connect(url.database or "")
        with target:
            src.backup(target)
        src.close()
        target.close()
        return
    _run(
        [
            "pg_restore",
            "--clean",
            "--if-exists",
            "--no-owner",
            "-d",
            _libpq(url),
            str(source / "database.pgdump"),
        ]
    )


def _libpq(url: object) -> str:
    rendered = make_url(str(url)).set(drivername="postgresql")
    return rendered.render_as_string(hide_password=False)


def _run(command: list[str]) -> None:
    if shutil.which(command[0]) is None:
        raise ConfigError(f"{command[0]} is not installed", fix="install the PostgreSQL client tools")
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ConfigError(f"{command[0]} failed: {done.stderr.strip()[:500]}", fix="check the database URL")


def _copy_files(src: Path, dest: Path) -> int:
    count = 0
    if not src.exists():
        return 0
    for path in src.glob("??/??/*"):
        if path.is_file() and len(path.name) == 64:
            target = dest / path.relative_to(src)
            if not target.exists():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, target)
            count += 1
    return count
