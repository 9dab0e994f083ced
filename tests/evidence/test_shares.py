"""Share links: public page without login, expiry, revocation, download limit, NDA acceptance (CSRF
protected), audit of every view and download, and the viewer who sees only what is shared with them."""

from __future__ import annotations

import re
import zipfile
from datetime import timedelta

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlmodel import Session, col, select

from core.models import AuditEvent, utcnow
from evidence.packs import verify
from tests.evidence.conftest import World
from tests.helpers import PASSWORD, cli, oid
from tests.web.test_bank_pages import login
from web.cli import main

TOMORROW = (utcnow() + timedelta(days=1)).date().isoformat()


def build(runner: CliRunner, world: World) -> int:
    result = cli(runner, "pack", "build", str(world.questionnaire_id), "--out", str(world.tmp / "p.zip"))
    assert result.exit_code == 0, result.output
    return int(re.search(r"Pack (\d+)", result.output).group(1))  # type: ignore[union-attr]


def share(runner: CliRunner, pack_id: int, *extra: str) -> str:
    result = cli(
        runner,
        "pack",
        "share",
        str(pack_id),
        "--org",
        "acme",
        "--recipient",
        "Carrier Mutual",
        "--expires",
        TOMORROW,
        *extra,
    )
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1].split("127.0.0.1:5000", 1)[1]


def test_public_link_works_without_login_and_every_view_and_download_is_audited(
    client: FlaskClient, runner: CliRunner, world: World, session: Session
) -> None:
    path = share(runner, build(runner, world))
    page = client.get(path)
    assert page.status_code == 200 and b"KMS key policy" in page.data
    assert page.headers["Referrer-Policy"] == "no-referrer"
    zipped = client.get(path + "/pack.zip")
    assert zipped.status_code == 200
    (world.tmp / "downloaded.zip").write_bytes(zipped.data)
    assert verify(world.tmp / "downloaded.zip").ok
    actions = list(session.exec(select(AuditEvent.action).where(col(AuditEvent.action).startswith("share."))))
    assert actions.count("share.view") == 1 and actions.count("share.download") == 1


def test_download_limit(client: FlaskClient, runner: CliRunner, world: World) -> None:
    path = share(runner, build(runner, world), "--max-downloads", "2")
    assert client.get(path + "/pack.zip").status_code == 200
    assert client.get(path + "/pack.zip").status_code == 200
    assert client.get(path + "/pack.zip").status_code == 410
    assert client.get(path).status_code == 410


def test_nda_files_need_acceptance_first(client: FlaskClient, runner: CliRunner, world: World) -> None:
    path = share(runner, build(runner, world), "--nda")
    page = client.get(path).data.decode()
    assert "Non-disclosure" in page and "after NDA acceptance" in page
    with zipfile.ZipFile(world.tmp / "p.zip") as archive:
        nda_file = next(n for n in archive.namelist() if "mfa" in n)
        public_file = next(n for n in archive.namelist() if "kms" in n)
    assert client.get(f"{path}/file/{nda_file}").status_code == 403
    assert client.get(path + "/pack.zip").status_code == 403
    assert client.get(f"{path}/file/{public_file}").status_code == 200
    client.post(path + "/nda", data={"name": "Pat Underwriter", "accept": "y"})
    assert client.get(f"{path}/file/{nda_file}").data.startswith(b"%PDF-")
    assert client.get(path + "/pack.zip").status_code == 200
    assert client.get(f"{path}/file/../../etc/passwd").status_code == 404


def test_nda_acceptance_is_csrf_protected(app: Flask, runner: CliRunner, world: World) -> None:
    app.config["WTF_CSRF_ENABLED"] = True
    client = app.test_client()
    path = share(runner, build(runner, world), "--nda")
    assert client.post(path + "/nda", data={"name": "Mallory", "accept": "y"}).status_code == 400
    page = client.get(path).data.decode()
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token, "the NDA form carries a CSRF token"
    accepted = client.post(path + "/nda", data={"name": "Pat", "accept": "y", "csrf_token": token.group(1)})
    assert accepted.status_code == 302


def test_a_viewer_sees_the_packs_shared_with_them_and_nothing_else(
    client: FlaskClient, runner: CliRunner, world: World
) -> None:
    pack_id = build(runner, world)
    share(runner, pack_id, "--email", "insurer@carrier.example")
    assert login(client, "insurer@carrier.example", PASSWORD) == 302
    listing = client.get("/shared/")
    assert listing.status_code == 200
    link = re.search(r"/shared/([\w-]{22})", listing.data.decode()).group(1)  # type: ignore[union-attr]
    assert client.get(f"/shared/{link}").status_code == 200
    assert client.get(f"/shared/{link}/pack.zip").status_code == 200
    for forbidden in (
        "/o/acme/evidence/",
        "/o/acme/packs/",
        f"/o/acme/packs/{oid(pack_id)}",
        "/o/acme/readiness/",
    ):
        assert client.get(forbidden).status_code == 404, forbidden
    assert client.get("/o/globex/evidence/").status_code == 404
    client.post("/logout")
    login(client, "viewer@acme.example", PASSWORD)
    assert client.get(f"/shared/{link}").status_code == 404, "a link names one e-mail"
    assert b"Nothing is shared with you" in client.get("/shared/").data


@pytest.mark.parametrize("days", [0, 400])
def test_expiry_is_required_and_bounded(runner: CliRunner, world: World, days: int) -> None:
    pack_id = build(runner, world)
    when = (utcnow() + timedelta(days=days) - timedelta(days=1)).date().isoformat()
    result = runner.invoke(
        main,
        ["pack", "share", str(pack_id), "--org", "acme", "--recipient", "X", "--expires", when],
    )
    assert result.exit_code == 1 and "expiry" in result.output
