"""`trustdesk demo`: an organisation, one login per role that works, and a realistic bank."""

from __future__ import annotations

import re

from click.testing import CliRunner
from flask.testing import FlaskClient
from sqlmodel import Session

from answerbank import io, service, store
from core import accounts
from tests.helpers import cli
from web.demo import demo_bank_path

LOGIN = re.compile(r"^\s*(\w+)\s+(\S+@\S+)\s+password: (\S+)$", re.M)


def test_demo_creates_users_whose_printed_logins_work(
    runner: CliRunner, client: FlaskClient, session: Session
) -> None:
    result = cli(runner, "demo", "--if-empty")
    assert result.exit_code == 0, result.output
    logins = LOGIN.findall(result.output)
    assert {role for role, _, _ in logins} == {"admin", "approver", "account_manager", "viewer"}
    _role, email, password = next(x for x in logins if x[0] == "approver")
    assert client.post("/login", data={"email": email, "password": password}).status_code == 302
    assert b"Answer bank" in client.get("/o/demo/bank/").data
    again = cli(runner, "demo", "--if-empty")
    assert "demo not created" in again.output and password in again.output
    org = accounts.require_org(session, slug="demo")
    assert org.id is not None and store.count_entries(session, org_id=org.id) >= 100


def test_the_demo_bank_is_valid_and_covers_questionnaire_and_insurance_ground() -> None:
    entries = io.read_entries(demo_bank_path())
    assert len(entries) >= 100
    prefixes = {e.key.split("-")[0] for e in entries}
    assert {"IAM", "ENC", "BCP", "INC", "VUL", "VEN", "PRV", "INS"} <= prefixes
    assert all(e.answer and e.category and e.controls for e in entries)
    text = " ".join(e.question.lower() for e in entries)
    for topic in ("multi-factor", "backup", "endpoint detection", "patch", "incident response", "phishing"):
        assert topic in text, f"the demo bank says nothing about {topic}"


def test_the_demo_bank_gives_the_health_check_something_to_show() -> None:
    from datetime import date

    from answerbank.models import BankEntry

    entries = [BankEntry(org_id=1, **e.model_dump()) for e in io.read_entries(demo_bank_path())]
    kinds = {f.kind for f in service.check_bank(entries, today=date(2026, 11, 27))}
    assert {"past_review", "conflict"} <= kinds
