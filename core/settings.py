"""One typed, validated settings object read from ``TRUSTDESK_*`` environment variables.

Every setting is documented in ``docs/settings.md``; ``tests/test_docs.py`` keeps the two in step.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import ConfigError

ENVIRONMENTS = ("development", "test", "production")

#: name -> one-line description; the single list of settings (docs are tested against it).
SETTINGS_DOC: dict[str, str] = {
    "TRUSTDESK_ENV": "development (default), test or production. Production refuses to start without "
    "TRUSTDESK_SECRET_KEY.",
    "TRUSTDESK_HOME": "Folder for the SQLite database, the file store and the generated secret. Default "
    "./instance.",
    "TRUSTDESK_DATABASE_URL": "SQLAlchemy URL of the database. Default sqlite:///$TRUSTDESK_HOME/trustdesk.db "
    "(WAL mode). PostgreSQL: postgresql+psycopg://user@host/db.",
    "TRUSTDESK_SECRET_KEY": "Key that signs sessions and CSRF tokens and encrypts record ids in URLs "
    "(changing it changes those URLs). Generated once into $TRUSTDESK_HOME/secret_key outside production.",
    "TRUSTDESK_REDIS_URL": "Redis URL for the job queue and shared rate limits (optional; in-process jobs "
    "when unset).",
    "TRUSTDESK_MATCH_AUTO": "Score at or above which a draft is in the auto band (0..1). Default from the "
    "matcher.",
    "TRUSTDESK_MATCH_REVIEW": "Score at or above which a draft is in the review band (0..1). Default from "
    "the matcher.",
    "TRUSTDESK_MATCH_SEMANTIC": "1 to add the semantic signal (all-MiniLM-L6-v2, int8 ONNX) to the matcher; "
    "needs pip install 'trustdesk[semantic]'. Default 0 (TF-IDF, fuzzy and thesaurus only).",
    "TRUSTDESK_MAX_UPLOAD_MB": "Largest file accepted for import or upload, in MiB. Default 50.",
    "TRUSTDESK_MAX_ROWS": "Most spreadsheet rows read from one sheet; rows beyond it are left out with a "
    "warning. Default 10000.",
    "TRUSTDESK_MAX_PAGES": "Most PDF pages in one file; a longer PDF is refused before extraction. "
    "Default 300.",
    "TRUSTDESK_ORG_QUOTA_MB": "Storage one organisation may use for uploaded questionnaires and evidence, in "
    "MiB. Default 5120.",
    "TRUSTDESK_ORG_MAX_FILES": "Most questionnaires and evidence files one organisation may keep. Default 5000.",
    "TRUSTDESK_PARSE_TIMEOUT": "Seconds (wall clock and CPU) one file may take to parse. Default 60.",
    "TRUSTDESK_PARSE_MEMORY_MB": "Address space of the child process that parses one file, in MiB. Default 768.",
    "TRUSTDESK_PARSE_CONCURRENCY": "Most files one process (app server worker or job worker) parses or fills"
    " at once; more wait their turn. Default: the number of CPUs.",
    "TRUSTDESK_SESSION_IDLE_MINUTES": "Minutes without a request after which a session ends (1-1440)."
    " Default 30.",
    "TRUSTDESK_SESSION_MAX_HOURS": "Hours after login after which a session ends, however active (1-720)."
    " Default 12.",
    "TRUSTDESK_SEGREGATE_APPROVAL": "1 (or true) to refuse approval by the person who last edited"
    " an answer (segregation of duties). Default 0.",
    "TRUSTDESK_PROXY_HOPS": "How many reverse proxies stand in front of the app (0-5). With 1 or more the app"
    " trusts that many X-Forwarded-For/-Proto/-Host entries (Werkzeug's ProxyFix), so login throttling"
    " and share-link limits key on the client's address and links use https. Default 0: trust none.",
}


@dataclass(frozen=True)
class Settings:
    env: str
    home: Path
    database_url: str
    secret_key: str
    redis_url: str | None = None
    match_auto: float | None = None
    match_review: float | None = None
    match_semantic: bool = False
    max_upload_mb: int = 50
    max_rows: int = 10_000
    max_pages: int = 300
    org_quota_mb: int = 5120
    org_max_files: int = 5000
    parse_timeout: float = 60.0
    parse_memory_mb: int = 768
    parse_concurrency: int = field(default_factory=lambda: os.cpu_count() or 1)
    session_idle_minutes: int = 30
    session_max_hours: int = 12
    segregate_approval: bool = False
    proxy_hops: int = 0
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    @property
    def files_dir(self) -> Path:
        return self.home / "files"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env_map = os.environ if environ is None else environ
        unknown = sorted(k for k in env_map if k.startswith("TRUSTDESK_") and k not in SETTINGS_DOC)
        env = env_map.get("TRUSTDESK_ENV", "development")
        if env not in ENVIRONMENTS:
            raise ConfigError(f"TRUSTDESK_ENV is {env!r}", fix=f"set it to one of {', '.join(ENVIRONMENTS)}")
        home = Path(env_map.get("TRUSTDESK_HOME", "instance")).expanduser().resolve()
        database_url = env_map.get("TRUSTDESK_DATABASE_URL") or f"sqlite:///{home / 'trustdesk.db'}"
        _check_database_url(database_url)
        cpus = os.cpu_count() or 1
        return cls(
            env=env,
            home=home,
            database_url=database_url,
            secret_key=_secret_key(env_map, env, home),
            redis_url=env_map.get("TRUSTDESK_REDIS_URL") or None,
            match_auto=_float(env_map, "TRUSTDESK_MATCH_AUTO", None, lo=0.0, hi=1.0),
            match_review=_float(env_map, "TRUSTDESK_MATCH_REVIEW", None, lo=0.0, hi=1.0),
            match_semantic=_flag(env_map, "TRUSTDESK_MATCH_SEMANTIC"),
            max_upload_mb=int(_float(env_map, "TRUSTDESK_MAX_UPLOAD_MB", 50, lo=1, hi=10_000) or 50),
            max_rows=int(_float(env_map, "TRUSTDESK_MAX_ROWS", 10_000, lo=1, hi=10_000_000) or 10_000),
            max_pages=int(_float(env_map, "TRUSTDESK_MAX_PAGES", 300, lo=1, hi=100_000) or 300),
            org_quota_mb=int(_float(env_map, "TRUSTDESK_ORG_QUOTA_MB", 5120, lo=1, hi=10_000_000) or 5120),
            org_max_files=int(_float(env_map, "TRUSTDESK_ORG_MAX_FILES", 5000, lo=1, hi=10_000_000) or 5000),
            parse_timeout=_float(env_map, "TRUSTDESK_PARSE_TIMEOUT", 60.0, lo=1, hi=3600) or 60.0,
            parse_memory_mb=int(_float(env_map, "TRUSTDESK_PARSE_MEMORY_MB", 768, lo=128, hi=65536) or 768),
            parse_concurrency=int(_float(env_map, "TRUSTDESK_PARSE_CONCURRENCY", cpus, lo=1, hi=256) or cpus),
            session_idle_minutes=int(
                _float(env_map, "TRUSTDESK_SESSION_IDLE_MINUTES", 30, lo=1, hi=1440) or 30
            ),
            session_max_hours=int(_float(env_map, "TRUSTDESK_SESSION_MAX_HOURS", 12, lo=1, hi=720) or 12),
            segregate_approval=_flag(env_map, "TRUSTDESK_SEGREGATE_APPROVAL"),
            proxy_hops=int(_float(env_map, "TRUSTDESK_PROXY_HOPS", 0, lo=0, hi=5) or 0),
            extra={k: env_map[k] for k in unknown},
        )


def _check_database_url(url: str) -> None:
    if not url.startswith(("sqlite", "postgresql")):
        raise ConfigError(
            f"TRUSTDESK_DATABASE_URL {url.split('://')[0]!r} is not supported",
            fix="use sqlite:///path/to/file.db or postgresql+psycopg://user@host/dbname",
        )


def _flag(env: Mapping[str, str], key: str) -> bool:
    raw = env.get(key, "").strip().lower()
    if raw in ("", "0", "false", "no", "off"):
        return False
    if raw in ("1", "true", "yes", "on"):
        return True
    raise ConfigError(f"{key} is {raw!r}, not a yes/no value", fix=f"set {key} to 1 or 0")


def _float(env: Mapping[str, str], key: str, default: float | None, *, lo: float, hi: float) -> float | None:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{key} is {raw!r}, not a number", fix=f"set {key} to a number") from None
    if not lo <= value <= hi:
        raise ConfigError(f"{key} is {value}, outside {lo}..{hi}", fix=f"set {key} between {lo} and {hi}")
    return value


def _secret_key(env: Mapping[str, str], mode: str, home: Path) -> str:
    key = env.get("TRUSTDESK_SECRET_KEY", "")
    if key:
        if len(key) < 16:
            raise ConfigError(
                "TRUSTDESK_SECRET_KEY is shorter than 16 characters",
                fix='generate one with: python -c "import secrets; print(secrets.token_hex(32))"',
            )
        return key
    if mode == "production":
        raise ConfigError(
            "TRUSTDESK_SECRET_KEY is not set and TRUSTDESK_ENV=production",
            fix='set TRUSTDESK_SECRET_KEY, e.g. from: python -c "import secrets; print(secrets.token_hex(32))"',
        )
    return _generated_secret(home)


def _generated_secret(home: Path) -> str:
    path = home / "secret_key"
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    home.mkdir(parents=True, exist_ok=True)
    value = secrets.token_hex(32)
    part = path.with_suffix(".part")
    fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(value)
    os.replace(part, path)
    return value
