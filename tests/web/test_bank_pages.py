"""The first web app: login/logout, the organisation switcher, answer-bank pages, roles, isolation."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from flask.testing import FlaskClient

from tests.helpers import PASSWORD, cli, make_org, make_user

BANK = """key,question,answer,short_answer,category,controls,alternates
IAM-001,Do you enforce multi-factor authentication for all staff?,Yes: FIDO2 keys.,Yes,Identity,NIST-CSF-2.0:PR.AA-03,Is 2FA enforced?
ENC-001,Is customer data encrypted at rest?,AES-256 with KMS keys.,Yes,Encryption,,
"""


@pytest.fixture
def world(runner: CliRunner, tmp_path: Path) -> None:
    """Two organisations; acme has one user per role, globex a bank of its own."""
    make_org(runner, "acme", "Acme Corp")
    make_org(runner, "globex", "Globex Inc")
    for role in ("admin", "approver", "account_manager", "viewer"):
        make_user(runner, f"{role}@acme.example", "acme", role)
    make_user(runner, "vciso@globex.example", "globex", "approver")
    (tmp_path / "bank.csv").write_text(BANK)
    cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme")
    (tmp_path / "g.csv").write_text(BANK.replace("IAM-001", "GLX-777").replace("FIDO2", "Globex tokens"))
    cli(runner, "bank", "import", str(tmp_path / "g.csv"), "--org", "globex")


def login(client: FlaskClient, email: str, password: str = PASSWORD) -> int:
    return client.post("/login", data={"email": email, "password": password}).status_code


def test_search_view_history_create_and_edit(client: FlaskClient, world: None) -> None:
    login(client, "approver@acme.example")
    assert b"ENC-001" not in client.get("/o/acme/bank/?q=multi-factor").data
    created = client.post(
        "/o/acme/bank/new",
        data={
            "key": "NET-001",
            "question": "Do you use a WAF?",
            "answer": "Yes, AWS WAF.",
            "short_answer": "Yes",
            "status": "approved",
        },
    )
    assert created.status_code == 302
    edited = client.post(
        "/o/acme/bank/NET-001/edit",
        data={
            "key": "NET-001",
            "question": "Do you use a WAF?",
            "answer": "Yes, AWS WAF with managed rules.",
            "short_answer": "Yes",
            "status": "approved",
            "version": "1",
        },
    )
    assert edited.status_code == 302
    page = client.get("/o/acme/bank/NET-001").data.decode()
    assert "managed rules" in page and "History" in page
    assert page.count("approver@acme.example") >= 2  # both versions, with their author


def test_a_stale_edit_is_refused_and_loses_nothing(client: FlaskClient, world: None) -> None:
    login(client, "approver@acme.example")
    form = {
        "key": "ENC-001",
        "question": "Is customer data encrypted at rest?",
        "short_answer": "Yes",
        "status": "approved",
    }
    first = client.post("/o/acme/bank/ENC-001/edit", data={**form, "answer": "First.", "version": "1"})
    assert first.status_code == 302
    second = client.post("/o/acme/bank/ENC-001/edit", data={**form, "answer": "Second.", "version": "1"})
    assert second.status_code == 409
    assert b"changed by someone else" in second.data
    assert b"Second." in second.data, "the loser's text must stay in the form"
    assert b"First." in client.get("/o/acme/bank/ENC-001").data


@pytest.mark.parametrize(
    ("email", "read", "write"),
    [
        pytest.param("admin@acme.example", 200, 200, id="admin"),
        pytest.param("approver@acme.example", 200, 200, id="approver"),
        pytest.param("account_manager@acme.example", 200, 403, id="account-manager"),
        pytest.param("viewer@acme.example", 404, 404, id="viewer"),
    ],
)
def test_roles_decide_who_reads_and_who_edits_the_bank(
    client: FlaskClient, world: None, email: str, read: int, write: int
) -> None:
    login(client, email)
    assert client.get("/o/acme/bank/").status_code == read
    assert client.get("/o/acme/bank/IAM-001").status_code == read
    assert client.get("/o/acme/bank/new").status_code == write
    assert client.get("/o/acme/bank/IAM-001/edit").status_code == write
    posted = client.post(
        "/o/acme/bank/IAM-001/edit",
        data={
            "key": "IAM-001",
            "question": "Hijacked?",
            "short_answer": "",
            "status": "approved",
            "version": "1",
        },
    )
    assert posted.status_code in (302, 403, 404) and (posted.status_code == 302) == (write == 200)


def test_the_switcher_lists_every_organisation_of_the_user(
    runner: CliRunner, client: FlaskClient, world: None
) -> None:
    cli(runner, "user", "create", "approver@acme.example", "--org", "globex", "--role", "account_manager")
    login(client, "approver@acme.example")
    home = client.get("/").data.decode()
    assert "Acme Corp" in home and "Globex Inc" in home
    assert client.get("/o/globex/bank/").status_code == 200


def test_forms_are_csrf_protected(runtime: object, world: None) -> None:
    from web.app import create_app

    app = create_app({"TESTING": True}, runtime=runtime)  # type: ignore[arg-type]
    client = app.test_client()
    response = client.post("/login", data={"email": "approver@acme.example", "password": PASSWORD})
    assert response.status_code == 400
    assert b"CSRF" in response.data
