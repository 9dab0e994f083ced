"""A world for the catalogue cases (``../shared/reference/bad-input-catalogue.md`` 2.3, 2.4, 2.5, 2.7):
two organisations built the same way through the CLI, each with a bank, evidence, a questionnaire with
approved and unapproved drafts, an export, a pack and a live share link; one user per role in acme,
an approver in globex and an insurer with an account. Plus the checks every case repeats: what the
database holds (apart from the audit log) and whether the service still answers."""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, MetaData, Select, select, text
from sqlmodel import Session, col
from sqlmodel import select as sql_select
from werkzeug.test import TestResponse

from core.models import AuditEvent, User, utcnow
from evidence.models import ShareLink
from review.models import Draft, ExportRecord
from tests.evidence.conftest import BANK, pdf_bytes
from tests.helpers import PASSWORD, cli, make_org, make_user
from tests.review.test_questionnaire_cli import make_questionnaire

ROLES = ("admin", "approver", "account_manager", "viewer")
#: Tables whose rows record that something happened rather than data: an access may add to them.
LOG_TABLES = {"audit_event", "login_failure", "alembic_version"}


@dataclass
class Org:
    """The ids of one organisation's objects, to fill URL parameters."""

    slug: str
    questionnaire_id: int = 0
    draft_approved: int = 0
    draft_open: int = 0
    entry_key: str = "IAM-001"
    evidence_id: int = 0
    export_id: int = 0
    pack_id: int = 0
    pack_member: str = ""
    share_id: int = 0
    token: str = ""
    user_id: int = 0
    extra: dict[str, Any] = field(default_factory=dict)

    def url_values(self) -> dict[str, Any]:
        return {
            "slug": self.slug,
            "key": self.entry_key,
            "qid": self.questionnaire_id,
            "questionnaire_id": self.questionnaire_id,
            "draft_id": self.draft_open,
            "evidence_id": self.evidence_id,
            "export_id": self.export_id,
            "pack_id": self.pack_id,
            "share_id": self.share_id,
            "user_id": self.user_id,
            "token": self.token,
            "member": self.pack_member,
            "filename": "style.css",
        }


@dataclass
class World:
    tmp: Path
    acme: Org
    globex: Org


def _json(output: str) -> Any:
    return json.loads(output[output.index("{") :])


def populate(runner: CliRunner, tmp: Path, slug: str, approver: str, key: str) -> Org:
    """Bank, evidence (one NDA file, one public), a questionnaire with some answers approved, an export,
    a pack and a live share link, all through the CLI."""
    org = Org(slug, entry_key=key)
    (tmp / f"{slug}-bank.csv").write_text(BANK.replace("IAM-001", key))
    assert cli(runner, "bank", "import", str(tmp / f"{slug}-bank.csv"), "--org", slug).exit_code == 0
    (tmp / f"{slug}-mfa.pdf").write_bytes(pdf_bytes(f"{slug} MFA enforcement report"))
    added = cli(
        runner,
        "evidence",
        "add",
        str(tmp / f"{slug}-mfa.pdf"),
        "--org",
        slug,
        "--title",
        f"{slug} MFA report",
        "--json",
    )
    org.evidence_id = int(_json(added.output)["id"])
    assert cli(runner, "evidence", "link", key, str(org.evidence_id), "--org", slug).exit_code == 0
    imported = cli(
        runner,
        "questionnaire",
        "import",
        str(make_questionnaire(tmp / f"{slug}-vendor.xlsx")),
        "--org",
        slug,
        "--json",
    )
    org.questionnaire_id = int(_json(imported.output)["id"])
    cli(runner, "questionnaire", "approve", str(org.questionnaire_id), "--band", "auto", "--as", approver)
    built = cli(runner, "pack", "build", str(org.questionnaire_id), "--out", str(tmp / f"{slug}-pack.zip"))
    assert built.exit_code == 0, built.output
    org.pack_id = int(re.search(r"Pack (\d+)", built.output).group(1))  # type: ignore[union-attr]
    shared = cli(
        runner,
        "pack",
        "share",
        str(org.pack_id),
        "--org",
        slug,
        "--recipient",
        f"{slug} insurer",
        "--email",
        "insurer@carrier.example",
        "--expires",
        (utcnow() + timedelta(days=5)).date().isoformat(),
    )
    assert shared.exit_code == 0, shared.output
    org.token = shared.output.strip().splitlines()[-1].rsplit("/", 1)[1]
    return org


def _fill_ids(engine: Engine, org: Org, user_email: str) -> None:
    with Session(engine) as s:
        drafts = list(
            s.exec(
                sql_select(Draft)
                .where(Draft.questionnaire_id == org.questionnaire_id)
                .order_by(col(Draft.id))
            )
        )
        org.draft_approved = next(d.id for d in drafts if d.status == "approved")  # type: ignore[assignment]
        org.draft_open = next(d.id for d in drafts if d.status != "approved")  # type: ignore[assignment]
        export = s.exec(
            sql_select(ExportRecord).where(ExportRecord.questionnaire_id == org.questionnaire_id)
        ).first()
        assert export is not None and export.id is not None
        org.export_id = export.id
        link = s.exec(sql_select(ShareLink).where(ShareLink.pack_id == org.pack_id)).one()
        assert link.id is not None
        org.share_id = link.id
        user = s.exec(sql_select(User).where(User.email == user_email)).one()
        assert user.id is not None
        org.user_id = user.id
    with zipfile.ZipFile(org.extra["zip"]) as archive:
        org.pack_member = next(n for n in archive.namelist() if n.startswith("evidence/"))


@pytest.fixture
def world(runner: CliRunner, tmp_path: Path, engine: Engine) -> World:
    make_org(runner, "acme", "Acme Corp")
    make_org(runner, "globex", "Globex Inc")
    for role in ROLES:
        make_user(runner, f"{role}@acme.example", "acme", role)
    make_user(runner, "insurer@carrier.example", "acme", "viewer")
    make_user(runner, "vciso@globex.example", "globex", "approver")
    acme = populate(runner, tmp_path, "acme", "approver@acme.example", "IAM-001")
    globex = populate(runner, tmp_path, "globex", "vciso@globex.example", "GLX-IAM-001")
    acme.extra["zip"], globex.extra["zip"] = tmp_path / "acme-pack.zip", tmp_path / "globex-pack.zip"
    _fill_ids(engine, acme, "account_manager@acme.example")
    _fill_ids(engine, globex, "vciso@globex.example")
    return World(tmp_path, acme, globex)


def login(client: FlaskClient, email: str, password: str = PASSWORD, address: str = "127.0.0.1") -> int:
    return client.post(
        "/login", data={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    ).status_code


#: Counters an access is meant to move: a share link's download count.
COUNTERS = {"share_link": {"downloads"}}


@lru_cache(maxsize=4)  # a few engines at a time: a cached engine keeps its connections open
def _compared(engine: Engine) -> tuple[tuple[str, Select[Any]], ...]:
    """The query for each compared table, reflected once per engine: every test's schema is the same
    head migration, and reflecting it per snapshot (twice per request in the access matrix) was most
    of the matrix's time."""
    meta = MetaData()
    meta.reflect(engine)
    return tuple(
        (name, select(*[c for c in table.columns if c.name not in COUNTERS.get(name, set())]))
        for name, table in sorted(meta.tables.items())
        if name not in LOG_TABLES
    )


def snapshot(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table but the log tables (and access counters): compare two to prove nothing
    was stored."""
    with engine.connect() as conn:
        return {
            name: sorted(tuple(map(repr, row)) for row in conn.execute(query))
            for name, query in _compared(engine)
        }


def last_audit_id(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM audit_event")).scalar_one())


def audit_since(engine: Engine, after: int) -> list[AuditEvent]:
    with Session(engine) as s:
        return list(
            s.exec(sql_select(AuditEvent).where(col(AuditEvent.id) > after).order_by(col(AuditEvent.id)))
        )


def assert_alive(client: FlaskClient) -> None:
    """The service still answers after whatever the case threw at it."""
    response = client.get("/login")
    assert response.status_code == 200 and b"Log in" in response.data


@pytest.fixture
def people(runner: CliRunner) -> None:
    """Only the organisations and users: for the cases that need no questionnaire."""
    make_org(runner, "acme", "Acme Corp")
    make_org(runner, "globex", "Globex Inc")
    for role in ROLES:
        make_user(runner, f"{role}@acme.example", "acme", role)
    make_user(runner, "vciso@globex.example", "globex", "approver")


def csrf_client(app: Flask) -> FlaskClient:
    """A client of the same app with CSRF protection on, as in production."""
    app.config["WTF_CSRF_ENABLED"] = True
    return app.test_client()


def csrf_token(client: FlaskClient, path: str = "/login") -> str:
    page = client.get(path).data.decode()
    found = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def fetch(client: FlaskClient, method: str, url: str, **kwargs: Any) -> TestResponse:
    """One request whose body is read and whose file (a static file, a download) is closed."""
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    response.close()
    return response
