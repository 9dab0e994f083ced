"""Catalogue 2.4, access control and tenancy: Z01 to Z06, and the access matrix generated from the URL
map: every route x role (admin, approver, account_manager, viewer, anonymous) x own or other
organisation x GET and POST, against an explicit table of what each route requires. A route added
without an entry in the table fails the matrix."""

from __future__ import annotations

import hashlib
import json
import zipfile
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine
from sqlmodel import Session, select
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from core.models import ROLE_ABILITIES, Membership, Role, utcnow
from evidence.models import Pack, ShareLink
from review.models import Draft
from tests.catalogue.conftest import (
    Org,
    World,
    assert_alive,
    audit_since,
    fetch,
    last_audit_id,
    login,
    snapshot,
)
from tests.helpers import cli, oid
from web.app import create_app
from web.context import Runtime

#: What each route requires. ``org:<ability>``: a role with that ability in the organisation of the
#: URL; ``login``: any logged-in user; ``recipient``: the user whose e-mail a share link names;
#: ``token``: the bearer of a live share token; ``public``: anyone.
EXPECT: dict[str, str] = {
    "auth.login": "public",
    "auth.logout": "login",
    "static": "public",
    "orgs.home": "login",
    "bank.index": "org:bank.read",
    "bank.view": "org:bank.read",
    "bank.create": "org:bank.write",
    "bank.edit": "org:bank.write",
    "evidence.index": "org:evidence.read",
    "evidence.view": "org:evidence.read",
    "evidence.download": "org:evidence.read",
    "evidence.readiness_page": "org:evidence.read",
    "evidence.readiness_pdf": "org:evidence.read",
    "evidence.create": "org:evidence.write",
    "evidence.add_version": "org:evidence.write",
    "evidence.link": "org:evidence.write",
    "evidence.unlink": "org:evidence.write",
    "members.index": "org:org.admin",
    "members.change": "org:org.admin",
    "packs.index": "org:evidence.read",
    "packs.view": "org:evidence.read",
    "packs.download": "org:evidence.read",
    "packs.build": "org:pack.build",
    "packs.share": "org:pack.share",
    "packs.revoke": "org:pack.share",
    "review.index": "org:review.read",
    "review.view": "org:review.read",
    "review.status": "org:review.read",
    "review.original": "org:review.read",
    "review.comment": "org:review.read",
    "review.upload": "org:review.upload",
    "review.retry": "org:review.upload",
    "review.discard": "org:review.upload",
    "review.save": "org:review.edit",
    "review.candidate": "org:review.edit",
    "review.assign": "org:review.edit",
    "review.approve": "org:review.approve",
    "review.reject": "org:review.approve",
    "review.bulk_approve": "org:review.approve",
    "review.export": "org:review.export",
    "review.export_file": "org:review.export",
    "review.provenance": "org:review.export",
    "review.save_to_bank": "org:bank.write",
    "shares.public": "token",
    "shares.public_nda": "token",
    "shares.public_pack": "token",
    "shares.public_file": "token",
    "shares.shared_with_me": "login",
    "shares.shared": "recipient",
    "shares.shared_nda": "recipient",
    "shares.shared_pack": "recipient",
    "shares.shared_file": "recipient",
}
ACTORS = ("admin", "approver", "account_manager", "viewer", "anonymous")
REFUSED = {401, 403, 404, 405}
#: Ids in the URL besides the organisation's slug: with them a URL can mix one organisation's slug
#: with another's objects.
ID_ARGS = {"key", "qid", "questionnaire_id", "draft_id", "evidence_id", "export_id", "pack_id", "share_id"}


def _form(org: Org) -> dict[str, Any]:
    """Enough for most forms to validate, so a refusal is the route's and not the form's."""
    return {
        "row_version": "1",
        "answer": "Matrix answer.",
        "key": org.entry_key,
        "entry_key": org.entry_key,
        "question": "Matrix question?",
        "status": "approved",
        "recipient": "Matrix recipient",
        "expires": (utcnow() + timedelta(days=3)).date().isoformat(),
        "body": "Matrix comment.",
        "format": "csv",
        "role": "viewer",
        "title": "Matrix evidence",
        "url": "https://example.com/matrix",
        "name": "Matrix Reader",
        "accept": "y",
        "user_id": "",
    }


def _url(rule: Rule, values: dict[str, Any]) -> str:
    return rule.build({k: values[k] for k in rule.arguments}, append_unknown=False)[1]  # type: ignore[index]


def _variants(rule: Rule, world: World) -> list[tuple[str, dict[str, Any]]]:
    """(name, URL values): the actor's own organisation, the other one, and own slug with the other's ids."""
    own, other = world.acme.url_values(), world.globex.url_values()
    found = [("own", own), ("other", other)]
    if "slug" in rule.arguments and rule.arguments & ID_ARGS:
        found.append(("mixed", {**other, "slug": "acme"}))
    return found


def _allowed(requirement: str, actor: str, variant: str) -> bool:
    if requirement in ("public", "token"):
        return True
    if actor == "anonymous":
        return False
    if requirement == "login":
        return True
    if requirement == "recipient":
        return False  # no matrix actor is named on a link
    ability = requirement.removeprefix("org:")
    return variant == "own" and ability in ROLE_ABILITIES[Role(actor)]


def _refusal_ok(actor: str, response: TestResponse) -> bool:
    if response.status_code in REFUSED:
        return True
    to_login = response.headers.get("Location", "").startswith("/login")
    return actor == "anonymous" and response.status_code == 302 and to_login


def assert_security_headers(response: TestResponse, where: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    no_scripts = "default-src 'none'" in csp and "sandbox" in csp  # a download (catalogue R07)
    assert ("script-src 'self'" in csp or no_scripts) and "unsafe-inline" not in csp, f"{where}: CSP {csp!r}"
    assert "frame-ancestors 'none'" in csp, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy") in ("same-origin", "no-referrer"), where
    assert response.headers.get("X-Request-ID"), where
    if response.mimetype == "text/html":
        body = response.get_data(as_text=True).lower()
        assert "<script>" not in body and " onclick=" not in body and " onload=" not in body, where


def test_every_route_has_an_expectation(app: Flask) -> None:
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert endpoints - EXPECT.keys() == set(), "add the new routes to EXPECT with what they require"
    assert EXPECT.keys() - endpoints == set(), "EXPECT names routes that no longer exist"


def _ordered(app: Flask) -> list[Rule]:
    """auth.* last: logging out or in mid-way would change who the rest of the matrix runs as."""
    return sorted(app.url_map.iter_rules(), key=lambda r: (r.endpoint.startswith("auth."), r.endpoint))


def _run_matrix(app: Flask, engine: Engine, world: World, actor: str) -> tuple[list[str], int]:
    client = app.test_client()
    email = f"{actor}@acme.example"
    if actor != "anonymous":
        assert login(client, email) == 302
    problems, checked = [], 0
    for rule in _ordered(app):
        requirement = EXPECT[rule.endpoint]
        for variant, values in _variants(rule, world):
            url = _url(rule, values)
            for method in ("GET", "POST"):
                allowed = _allowed(requirement, actor, variant) and method in (rule.methods or set())
                before = None if allowed else snapshot(engine)
                form = {**_form(world.acme if variant == "own" else world.globex), "email": email}
                response = fetch(client, method, url, data=form if method == "POST" else None)
                checked += 1
                where = f"{actor} {method} {url} ({rule.endpoint}, {variant})"
                assert_security_headers(response, where)
                if response.status_code >= 500:
                    problems.append(f"{where}: {response.status_code}")
                elif allowed and response.status_code in (401, 403):
                    problems.append(f"{where}: refused with {response.status_code} but EXPECT allows it")
                elif not allowed and not _refusal_ok(actor, response):
                    problems.append(f"{where}: {response.status_code}, expected a refusal")
                elif before is not None and snapshot(engine) != before:
                    problems.append(f"{where}: refused but changed the data")
            if rule.endpoint == "auth.logout" and actor != "anonymous":
                login(client, email)
    return problems, checked


@pytest.mark.slow
@pytest.mark.parametrize("actor", ACTORS)
def test_access_matrix_every_route_role_and_organisation(
    app: Flask, engine: Engine, world: World, actor: str
) -> None:
    problems, checked = _run_matrix(app, engine, world, actor)
    assert problems == [], "\n".join(problems)
    assert checked > 2 * len(EXPECT)
    assert_alive(app.test_client())


# ---------------------------------------------------------------------------------------------- Z01


def test_Z01_another_tenants_objects_are_404_on_every_route_and_audited(
    app: Flask, client: FlaskClient, engine: Engine, world: World
) -> None:
    """globex's approver asks for acme's questionnaire, draft, evidence, export, pack, share link and
    members, by id, on every organisation route, under acme's slug and under globex's: 404 (403 only where
    the approver's role lacks the ability before any lookup), one ``authz_fail`` each, nothing stored."""
    assert login(client, "vciso@globex.example") == 302
    before, checked = snapshot(engine), 0
    for rule in app.url_map.iter_rules():
        if "slug" not in rule.arguments:
            continue
        for slug in ("acme", "globex"):
            url = _url(rule, {**world.acme.url_values(), "slug": slug})
            if slug == "globex" and not rule.arguments & (ID_ARGS | {"user_id"}):
                continue  # globex's own page, not another tenant's object
            for method in sorted((rule.methods or set()) & {"GET", "POST"}):
                mark = last_audit_id(engine)
                response = fetch(client, method, url, data=_form(world.globex) if method == "POST" else None)
                ability = EXPECT[rule.endpoint].removeprefix("org:")
                # in globex itself a role without the ability is refused before any lookup: no oracle
                expected = 404 if slug == "acme" or ability in ROLE_ABILITIES[Role.approver] else 403
                assert response.status_code == expected, f"{method} {url}: {response.status_code}"
                assert b"Acme" not in response.data, "nothing of acme shows (the URL's own key may be echoed)"
                actions = [e.action for e in audit_since(engine, mark)]
                assert actions == ["authz_fail"], f"{method} {url}: {actions}"
                checked += 1
    assert checked >= 40
    assert snapshot(engine) == before
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- Z02


def test_Z02_an_insurer_gets_404_for_drafts_internal_pages_and_packs_not_shared_with_them(
    runner: CliRunner, client: FlaskClient, engine: Engine, world: World
) -> None:
    a = world.acme
    broker = cli(
        runner,
        "pack",
        "share",
        str(a.pack_id),
        "--org",
        "acme",
        "--recipient",
        "Broker",
        "--email",
        "broker@elsewhere.example",
        "--expires",
        (utcnow() + timedelta(days=3)).date().isoformat(),
    )
    assert broker.exit_code == 0, broker.output
    with Session(engine) as s:
        broker_link = s.exec(
            select(ShareLink).where(ShareLink.recipient_email == "broker@elsewhere.example")
        ).one()
    before = snapshot(engine)
    assert login(client, "insurer@carrier.example") == 302
    for path in (
        f"/o/acme/questionnaires/{oid(a.questionnaire_id)}",
        f"/o/acme/questionnaires/{oid(a.questionnaire_id)}/drafts/{oid(a.draft_open)}/save",
        f"/o/acme/questionnaires/{oid(a.questionnaire_id)}/file",
        f"/o/acme/evidence/{oid(a.evidence_id)}/download",
        f"/o/acme/packs/{oid(a.pack_id)}/download",
        f"/o/acme/bank/{a.entry_key}",
        f"/shared/{oid(broker_link.id)}",
        f"/shared/{oid(broker_link.id)}/pack.zip",
    ):
        assert fetch(client, "GET", path).status_code in (404, 405), path
    assert "Broker" not in client.get("/shared/").data.decode()
    for member in ("../../etc/passwd", "evidence/999-v1-internal.pdf", world.globex.pack_member):
        assert fetch(client, "GET", f"/s/{a.token}/file/{member}").status_code == 404, member
        assert fetch(client, "GET", f"/shared/{oid(a.share_id)}/file/{member}").status_code == 404, member
    assert snapshot(engine) == before
    assert_alive(client)


def test_Z02_a_pack_holds_only_approved_answers_frozen_at_approval_with_a_content_hash(
    engine: Engine, world: World
) -> None:
    with Session(engine) as s:
        drafts = s.exec(select(Draft).where(Draft.questionnaire_id == world.acme.questionnaire_id)).all()
        pack = s.get(Pack, world.acme.pack_id)
    assert pack is not None
    approved = {d.answer for d in drafts if d.status == "approved"}
    with zipfile.ZipFile(world.acme.extra["zip"]) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert {x["answer"] for x in manifest["answers"]} == approved and 0 < len(approved) < len(drafts)
    assert all(x["approved_by"] for x in manifest["answers"])
    assert hashlib.sha256(world.acme.extra["zip"].read_bytes()).hexdigest() == pack.sha256


# ---------------------------------------------------------------------------------------------- Z03


def test_Z03_extra_fields_on_approve_and_save_are_ignored(
    client: FlaskClient, engine: Engine, world: World
) -> None:
    a = world.acme
    base = f"/o/acme/questionnaires/{oid(a.questionnaire_id)}/drafts/{oid(a.draft_open)}"
    hostile = {
        "tenant_id": str(world.globex.user_id),
        "org_id": "2",
        "approved_by": "mallory@evil.example",
        "decided_by": "mallory@evil.example",
        "role": "admin",
        "questionnaire_id": str(world.globex.questionnaire_id),
    }
    assert login(client, "account_manager@acme.example") == 302
    saved = client.post(
        f"{base}/save", data={"row_version": "1", "answer": "Saved.", "status": "approved", **hostile}
    )
    assert saved.status_code == 302
    with Session(engine) as s:
        draft = s.get(Draft, a.draft_open)
        assert draft is not None and draft.status == "draft", "save never approves"
        version = draft.row_version
        roles = [m.role for m in s.exec(select(Membership))]
    client.post("/logout")
    assert login(client, "approver@acme.example") == 302
    approved = client.post(
        f"{base}/approve", data={"row_version": str(version), "answer": "Saved.", **hostile}
    )
    assert approved.status_code == 302
    with Session(engine) as s:
        draft = s.get(Draft, a.draft_open)
        assert draft is not None and draft.status == "approved"
        assert draft.decided_by == "approver@acme.example" and draft.questionnaire_id == a.questionnaire_id
        assert [m.role for m in s.exec(select(Membership))] == roles
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- Z04


def _segregated(runtime: Runtime) -> Flask:
    settings = replace(runtime.settings, segregate_approval=True)
    return create_app({"TESTING": True, "WTF_CSRF_ENABLED": False}, runtime=Runtime(settings))


def test_Z04_with_segregation_the_drafter_cannot_approve_their_own_answer(
    runtime: Runtime, engine: Engine, world: World
) -> None:
    app = _segregated(runtime)
    drafter, other = app.test_client(), app.test_client()
    a = world.acme
    base = f"/o/acme/questionnaires/{oid(a.questionnaire_id)}/drafts/{oid(a.draft_open)}"
    assert login(drafter, "approver@acme.example") == 302
    assert drafter.post(f"{base}/save", data={"row_version": "1", "answer": "Mine."}).status_code == 302
    before, mark = snapshot(engine), last_audit_id(engine)
    refused = drafter.post(f"{base}/approve", data={"row_version": "2", "answer": "Mine."})
    assert refused.status_code == 403 and b"segregation" in refused.data
    edited = drafter.post(f"{base}/approve", data={"row_version": "2", "answer": "Mine, edited."})
    assert edited.status_code == 403
    assert snapshot(engine) == before
    assert [e.action for e in audit_since(engine, mark)] == ["authz_fail", "authz_fail"]
    assert login(other, "admin@acme.example") == 302
    assert other.post(f"{base}/approve", data={"row_version": "2", "answer": "Mine."}).status_code == 302
    assert_alive(drafter)


def test_Z04_without_segregation_an_approver_may_approve_their_own_edit(
    client: FlaskClient, world: World
) -> None:
    a = world.acme
    base = f"/o/acme/questionnaires/{oid(a.questionnaire_id)}/drafts/{oid(a.draft_open)}"
    assert login(client, "approver@acme.example") == 302
    assert client.post(f"{base}/save", data={"row_version": "1", "answer": "Mine."}).status_code == 302
    assert client.post(f"{base}/approve", data={"row_version": "2", "answer": "Mine."}).status_code == 302


# ---------------------------------------------------------------------------------------------- Z05


@pytest.mark.parametrize("role", ["approver", "account_manager"])
def test_Z05_non_admins_get_403_on_admin_routes_and_it_is_audited(
    client: FlaskClient, engine: Engine, world: World, role: str
) -> None:
    assert login(client, f"{role}@acme.example") == 302
    before = snapshot(engine)
    for method, path, data in (
        ("GET", "/o/acme/members/", None),
        ("POST", f"/o/acme/members/{oid(world.acme.user_id)}", {"role": "admin"}),
        ("POST", f"/o/acme/members/{oid(world.acme.user_id)}", {"role": "remove"}),
    ):
        mark = last_audit_id(engine)
        assert fetch(client, method, path, data=data).status_code == 403, path
        events = audit_since(engine, mark)
        assert [e.action for e in events] == ["authz_fail"]
        assert events[0].detail["status"] == 403 and events[0].actor == f"{role}@acme.example"
    assert snapshot(engine) == before
    client.post("/logout")
    assert login(client, "admin@acme.example") == 302
    assert b"account_manager@acme.example" in client.get("/o/acme/members/").data
    assert_alive(client)


# ---------------------------------------------------------------------------------------------- Z06


def test_Z06_urls_carry_opaque_ids_that_cannot_be_walked_or_forged(
    client: FlaskClient, engine: Engine, world: World
) -> None:
    """Record ids in URLs are 22-character tokens (the id encrypted under the app's secret, web/ids.py):
    the pages link by token; plain numbers, altered and made-up tokens match no route (404, never 500);
    neighbouring ids give unrelated tokens; nothing is stored. Authorisation still checks the organisation
    (Z01), so this only takes enumeration away."""
    assert login(client, "vciso@globex.example") == 302
    g = world.globex
    listing = client.get("/o/globex/questionnaires/").get_data(as_text=True)
    assert f"/o/globex/questionnaires/{oid(g.questionnaire_id)}" in listing
    assert f'/o/globex/questionnaires/{g.questionnaire_id}"' not in listing
    before = snapshot(engine)
    for kind, mine in {
        "questionnaires": g.questionnaire_id,
        "evidence": g.evidence_id,
        "packs": g.pack_id,
    }.items():
        token = oid(mine)
        assert fetch(client, "GET", f"/o/globex/{kind}/{token}").status_code == 200, kind
        for n in range(1, 8):  # walking the numbers finds nothing, not even one's own record
            assert fetch(client, "GET", f"/o/globex/{kind}/{n}").status_code == 404, f"{kind}/{n}"
        flipped = token[:5] + ("B" if token[5] == "A" else "A") + token[6:]
        for forged in (flipped, token[1:] + token[0], "A" * 22, token[:-1], token + "A", "%00" * 8):
            assert fetch(client, "GET", f"/o/globex/{kind}/{forged}").status_code == 404, forged
    for n in range(1, 8):
        assert fetch(client, "GET", f"/shared/{n}").status_code == 404
        assert fetch(client, "GET", f"/shared/{oid(n)}").status_code == 404, "globex is named on no link"
    tokens = [oid(n) for n in range(1, 9)]
    assert len({t[:4] for t in tokens}) == len(tokens), f"neighbouring ids share a prefix: {tokens}"
    assert snapshot(engine) == before
    assert len(world.acme.token) >= 43, "share tokens are 256-bit and opaque"
    assert_alive(client)
