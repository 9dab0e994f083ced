"""Catalogue 2.5, share links: S01 to S08."""

from __future__ import annotations

import re
import secrets
from datetime import timedelta

from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import Engine
from sqlmodel import Session

from answerbank.store import Actor
from core.db import write_session
from core.models import utcnow
from evidence import shares
from evidence.models import ShareLink
from review.models import Draft
from tests.catalogue.conftest import World, assert_alive, audit_since, fetch, last_audit_id, login, snapshot
from tests.helpers import decide, id_in, oid
from web.cli import main


def _link(engine: Engine, share_id: int) -> ShareLink:
    with Session(engine) as s:
        link = s.get(ShareLink, share_id)
        assert link is not None
        return link


def _assert_no_file(response: object, world: World) -> None:
    data = response.data  # type: ignore[attr-defined]
    assert not data.startswith(b"PK") and not data.startswith(b"%PDF") and b"MFA report" not in data


# ---------------------------------------------------------------------------------------------- S01


def test_S01_an_expired_link_is_410_ask_the_sender_without_bytes_and_audited(
    client: FlaskClient, engine: Engine, world: World
) -> None:
    a = world.acme
    with write_session(engine) as s:
        link = s.get(ShareLink, a.share_id)
        assert link is not None
        link.expires_at = utcnow() - timedelta(seconds=1)
        s.add(link)
    before, mark = snapshot(engine), last_audit_id(engine)
    for suffix in ("", "/pack.zip", f"/file/{a.pack_member}"):
        response = fetch(client, "GET", f"/s/{a.token}{suffix}")
        assert response.status_code == 410, suffix
        assert b"expired" in response.data and b"Ask the person who sent it" in response.data
        _assert_no_file(response, world)
    refused = [e for e in audit_since(engine, mark) if e.action == "share.refused"]
    assert len(refused) == 3 and all(e.detail["state"] == "expired" and e.detail["ip"] for e in refused)
    assert snapshot(engine) == before
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- S02


def test_S02_forged_truncated_flipped_and_other_purpose_tokens_get_the_same_404(
    app: Flask, client: FlaskClient, engine: Engine, world: World
) -> None:
    token = world.acme.token
    flipped = token[:10] + ("A" if token[10] != "A" else "B") + token[11:]
    reset = URLSafeTimedSerializer(app.secret_key, salt="password-reset").dumps({"user": 1})  # type: ignore[arg-type]
    forged = [
        secrets.token_urlsafe(32),
        token[:-1],
        token[:20],
        flipped,
        reset,
        token + "A",
        "x" * 500,
        "%00",
    ]
    before = snapshot(engine)
    bodies = set()
    for candidate in forged:
        response = fetch(client, "GET", f"/s/{candidate}")
        assert response.status_code == 404, candidate
        bodies.add(response.data)
    assert len(bodies) == 1, "every forged token gets the very same page"
    assert snapshot(engine) == before
    assert fetch(client, "GET", f"/s/{token}").status_code == 200, "the real token still works"
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- S03


def test_S03_a_link_revoked_a_moment_ago_is_404_at_once(
    client: FlaskClient, engine: Engine, world: World
) -> None:
    a = world.acme
    assert fetch(client, "GET", f"/s/{a.token}").status_code == 200
    assert login(client, "approver@acme.example") == 302
    assert client.post(f"/o/acme/packs/shares/{oid(a.share_id)}/revoke").status_code == 302
    client.post("/logout")
    unknown = fetch(client, "GET", f"/s/{secrets.token_urlsafe(32)}")
    for suffix in ("", "/pack.zip", f"/file/{a.pack_member}"):
        response = fetch(client, "GET", f"/s/{a.token}{suffix}")
        assert response.status_code == 404, suffix
        assert response.data == unknown.data, "a revoked link looks exactly like an unknown one"
        _assert_no_file(response, world)
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- S04


def test_S04_ten_thousand_random_tokens_resolve_to_nothing(engine: Engine, world: World) -> None:
    with Session(engine) as s:
        states = {shares.resolve(s, token=secrets.token_urlsafe(32)).state for _ in range(10_000)}
        link = s.get(ShareLink, world.acme.share_id)
    assert states == {"unknown"}
    assert link is not None and len(world.acme.token) >= 43, "token_urlsafe(32): 256 bits"
    assert world.acme.token not in (link.token_sha256, link.recipient) and len(link.token_sha256) == 64


def test_S04_failed_lookups_are_rate_limited_per_address(
    client: FlaskClient, engine: Engine, world: World
) -> None:
    before = snapshot(engine)
    codes = [
        fetch(
            client, "GET", f"/s/{secrets.token_urlsafe(32)}", environ_base={"REMOTE_ADDR": "10.9.9.9"}
        ).status_code
        for _ in range(35)
    ]
    assert codes == [404] * 30 + [429] * 5
    limited = fetch(client, "GET", f"/s/{world.acme.token}", environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert limited.status_code == 429, "the enumerating address waits, even with a real token"
    other = fetch(client, "GET", f"/s/{world.acme.token}", environ_base={"REMOTE_ADDR": "10.9.9.10"})
    assert other.status_code == 200, "other addresses are not affected"
    good = [
        fetch(client, "GET", f"/s/{world.acme.token}", environ_base={"REMOTE_ADDR": "10.9.9.11"})
        for _ in range(40)
    ]
    assert {r.status_code for r in good} == {200}, "valid links never count against the limit"
    assert snapshot(engine) == before
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- S05


def test_S05_share_pages_send_no_referrer_noindex_and_load_nothing_from_elsewhere(
    client: FlaskClient, world: World
) -> None:
    a = world.acme
    for suffix in ("", "/pack.zip", f"/file/{a.pack_member}", "/nda"):
        method = "POST" if suffix == "/nda" else "GET"
        response = fetch(client, method, f"/s/{a.token}{suffix}")
        assert response.headers["Referrer-Policy"] == "no-referrer", suffix
        assert response.headers["X-Robots-Tag"] == "noindex", suffix
        assert response.headers["Cache-Control"] == "no-store", suffix
    page = fetch(client, "GET", f"/s/{a.token}").get_data(as_text=True)
    assert not re.search(r'(src|href)="(https?:)?//', page), "no third-party assets or links"
    gone = fetch(client, "GET", f"/s/{secrets.token_urlsafe(32)}")
    assert gone.headers["Referrer-Policy"] == "no-referrer" and gone.headers["X-Robots-Tag"] == "noindex"
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- S06


def test_S06_a_valid_token_reaches_only_its_own_pack_and_files(
    client: FlaskClient, engine: Engine, world: World
) -> None:
    a, g = world.acme, world.globex
    before = snapshot(engine)
    for member in (
        g.pack_member,
        "evidence/" + g.pack_member.split("/", 1)[1].replace("2-", "1-"),
        "../../etc/passwd",
        "manifest.json/..",
    ):
        response = fetch(client, "GET", f"/s/{a.token}/file/{member}")
        assert response.status_code == 404, member
        assert b"globex" not in response.data.lower()
    assert fetch(client, "GET", f"/s/{a.token}/file/{a.pack_member}").status_code == 200
    assert login(client, "insurer@carrier.example") == 302
    assert fetch(client, "GET", f"/shared/{oid(a.share_id)}/file/{g.pack_member}").status_code == 404
    assert snapshot(engine) == before
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- S07


def test_S07_the_owner_sees_time_address_and_browser_of_each_access_and_a_download_limit_holds(
    client: FlaskClient, engine: Engine, world: World
) -> None:
    a = world.acme
    agent = "Mozilla/5.0 (Underwriter) S07"
    fetch(
        client,
        "GET",
        f"/s/{a.token}",
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
        headers={"User-Agent": agent},
    )
    fetch(
        client,
        "GET",
        f"/s/{a.token}/pack.zip",
        environ_base={"REMOTE_ADDR": "198.51.100.7"},
        headers={"User-Agent": agent},
    )
    assert login(client, "approver@acme.example") == 302
    page = client.get(f"/o/acme/packs/{oid(a.pack_id)}").get_data(as_text=True)
    log = page[page.index("Access log") :]
    assert "198.51.100.7" in log and agent in log and "download" in log and "view" in log
    with write_session(engine) as s:
        link = s.get(ShareLink, a.share_id)
        assert link is not None
        link.max_downloads = link.downloads + 1
        s.add(link)
    client.post("/logout")
    assert fetch(client, "GET", f"/s/{a.token}/pack.zip").status_code == 200
    assert fetch(client, "GET", f"/s/{a.token}/pack.zip").status_code == 410
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- S08


def test_S08_sharing_needs_the_share_permission(client: FlaskClient, engine: Engine, world: World) -> None:
    assert login(client, "account_manager@acme.example") == 302
    before, mark = snapshot(engine), last_audit_id(engine)
    form = {"recipient": "Carrier", "expires": (utcnow() + timedelta(days=3)).date().isoformat()}
    assert client.post(f"/o/acme/packs/{oid(world.acme.pack_id)}/share", data=form).status_code == 403
    assert [e.action for e in audit_since(engine, mark)] == ["authz_fail"]
    assert snapshot(engine) == before
    assert_alive(client)


def test_S08_a_pack_whose_answers_are_no_longer_approved_cannot_be_shared(
    client: FlaskClient, engine: Engine, world: World
) -> None:
    a = world.acme
    with write_session(engine) as s:
        draft = s.get(Draft, a.draft_approved)
        assert draft is not None
        decide(
            s,
            org_id=1,
            draft_id=a.draft_approved,
            expected_version=draft.row_version,
            status="rejected",
            actor=Actor("approver@acme.example"),
        )
    assert login(client, "approver@acme.example") == 302
    before = snapshot(engine)
    form = {"recipient": "Carrier", "expires": (utcnow() + timedelta(days=3)).date().isoformat()}
    refused = client.post(f"/o/acme/packs/{oid(a.pack_id)}/share", data=form)
    assert refused.status_code == 403 and b"no longer approved" in refused.data
    assert snapshot(engine) == before
    by_cli = CliRunner().invoke(
        main,
        [
            "pack",
            "share",
            str(a.pack_id),
            "--org",
            "acme",
            "--recipient",
            "Carrier",
            "--expires",
            form["expires"],
        ],
    )
    assert by_cli.exit_code == 1 and "no longer approved" in by_cli.output, by_cli.output
    assert snapshot(engine) == before, "the CLI shares nothing the web page refuses"
    rebuilt = client.post(f"/o/acme/packs/build/{oid(a.questionnaire_id)}")
    assert rebuilt.status_code == 302
    new_pack = id_in(rebuilt.headers["Location"])
    assert client.post(f"/o/acme/packs/{oid(new_pack)}/share", data=form).status_code == 302
    assert_alive(client)
