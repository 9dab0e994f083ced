from __future__ import annotations

import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from argon2 import PasswordHasher
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, select

from core import accounts
from core.models import AuditEvent, LoginFailure, Role, User
from tests.helpers import PASSWORD, cli, make_org, make_user

REPO = Path(__file__).resolve().parents[2]


def test_org_and_user_creation_from_the_cli_hashes_the_password_with_argon2(
    runner: CliRunner, session: Session
) -> None:
    make_org(runner, "acme", "Acme Corp")
    make_user(runner, "Vciso@Acme.example", "acme", "approver")
    user = session.exec(select(User)).one()
    assert user.email == "vciso@acme.example"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    assert accounts.authenticate(session, email="vciso@acme.example", password=PASSWORD) is not None
    assert accounts.authenticate(session, email="vciso@acme.example", password="wrong password!") is None
    org = accounts.require_org(session, slug="acme")
    assert accounts.role_in(session, user_id=user.id or 0, org_id=org.id or 0) is Role.approver


def test_a_user_can_hold_different_roles_in_different_organisations(
    runner: CliRunner, session: Session
) -> None:
    make_org(runner, "acme")
    make_org(runner, "globex")
    make_user(runner, "pat@msp.example", "acme", "approver")
    result = cli(runner, "user", "create", "pat@msp.example", "--org", "globex", "--role", "viewer")
    assert result.exit_code == 0, result.output
    user = accounts.get_user(session, email="pat@msp.example")
    assert user is not None and user.id is not None
    roles = {org.slug: role for org, role in accounts.memberships(session, user_id=user.id)}
    assert roles == {"acme": Role.approver, "globex": Role.viewer}


def test_org_and_role_names_the_users_role_or_none_and_unknown_slugs_give_nothing(
    runner: CliRunner, session: Session
) -> None:
    make_org(runner, "acme")
    make_org(runner, "globex")
    make_user(runner, "pat@msp.example", "acme", "approver")
    make_user(runner, "sam@msp.example", "globex", "viewer")
    pat = accounts.get_user(session, email="pat@msp.example")
    assert pat is not None and pat.id is not None
    org, role = accounts.org_and_role(session, slug="acme", user_id=pat.id)
    assert org is not None and org.slug == "acme" and role == Role.approver
    org, role = accounts.org_and_role(session, slug="globex", user_id=pat.id)
    assert org is not None and org.slug == "globex" and role is None, "another member's role is not pat's"
    assert accounts.org_and_role(session, slug="nobody", user_id=pat.id) == (None, None)


def test_user_and_role_gives_the_user_with_their_role_in_the_named_organisation_only(
    runner: CliRunner, session: Session
) -> None:
    make_org(runner, "acme")
    make_org(runner, "globex")
    make_user(runner, "pat@msp.example", "acme", "approver")
    make_user(runner, "sam@msp.example", "globex", "viewer")
    pat = accounts.get_user(session, email="pat@msp.example")
    assert pat is not None and pat.id is not None

    user, org, role = accounts.user_and_role(session, user_id=pat.id, slug="acme")
    assert user is not None and user.email == "pat@msp.example"
    assert org is not None and org.slug == "acme" and role is Role.approver
    user, org, role = accounts.user_and_role(session, user_id=pat.id, slug="globex")
    assert user is not None and org is not None and org.slug == "globex"
    assert role is None, "sam's role in globex is not pat's"
    user, org, role = accounts.user_and_role(session, user_id=pat.id, slug="nobody")
    assert user is not None and (org, role) == (None, None)
    assert accounts.user_and_role(session, user_id=pat.id + 1000, slug="acme") == (None, None, None)


def test_the_audit_log_records_who_did_what_to_which_record(runner: CliRunner, session: Session) -> None:
    make_org(runner, "acme")
    make_user(runner, "am@acme.example", "acme", "account_manager")
    actions = [(e.action, e.target_id) for e in session.exec(select(AuditEvent).order_by(AuditEvent.id))]
    assert actions == [
        ("org.create", "acme"),
        ("user.create", "am@acme.example"),
        ("membership.set", "am@acme.example"),
    ]


def test_bad_user_input_is_refused_with_a_fix(runner: CliRunner, engine: Engine) -> None:
    make_org(runner, "acme")
    short = cli(
        runner,
        "user",
        "create",
        "a@acme.example",
        "--org",
        "acme",
        "--role",
        "viewer",
        "--password-stdin",
        input="short\n",
    )
    assert short.exit_code == 1 and "at least 12 characters" in short.output
    missing = cli(
        runner,
        "user",
        "create",
        "a@acme.example",
        "--org",
        "nope",
        "--role",
        "viewer",
        "--password-stdin",
        input=PASSWORD + "\n",
    )
    assert missing.exit_code == 1 and "organisation 'nope' does not exist" in missing.output
    bad_slug = cli(runner, "org", "create", "Bad Slug!", "--name", "x")
    assert bad_slug.exit_code == 1 and "Fix:" in bad_slug.output
    dup = cli(runner, "org", "create", "acme", "--name", "again")
    assert dup.exit_code == 1 and "already exists" in dup.output


def _fail(session: Session, *, emails: list[str], address: str) -> None:
    for email in emails:
        accounts.claim_login_attempt(session, email=email, address=address)
    session.commit()


def test_one_address_failing_on_many_accounts_is_blocked_for_every_account(session: Session) -> None:
    _window, most = accounts.PER_ADDRESS
    sprayed = [f"user{i}@acme.example" for i in range(most - 1)]
    _fail(session, emails=sprayed, address="203.0.113.9")
    assert not accounts.login_blocked(session, email="next@acme.example", address="203.0.113.9")

    _fail(session, emails=["one-more@acme.example"], address="203.0.113.9")

    assert accounts.login_blocked(session, email="next@acme.example", address="203.0.113.9")
    assert not accounts.login_blocked(session, email="next@acme.example", address="198.51.100.4")


def test_old_failures_from_an_address_no_longer_count(session: Session) -> None:
    window, most = accounts.PER_ADDRESS
    _fail(session, emails=[f"user{i}@acme.example" for i in range(most)], address="203.0.113.9")
    for failure in session.exec(select(LoginFailure)).all():
        failure.at = failure.at - window - timedelta(seconds=1)
        session.add(failure)
    session.commit()

    assert not accounts.login_blocked(session, email="next@acme.example", address="203.0.113.9")


def test_outside_the_test_suite_passwords_are_hashed_with_argon2_defaults() -> None:
    """The suite hashes cheaply (tests/conftest.py); a fresh process, as the app and the CLI are, does not."""
    code = "from core import accounts; print(accounts.hash_password('a long enough passphrase here'))"
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO)
    default = PasswordHasher()
    assert run.stdout.startswith(
        f"$argon2id$v=19$m={default.memory_cost},t={default.time_cost},p={default.parallelism}$"
    ), run.stdout
    assert default.memory_cost >= 19_456 and default.time_cost >= 2  # OWASP's argon2id minimum
