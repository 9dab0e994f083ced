"""Small helpers shared by tests: run the CLI, create organisations and users."""

from __future__ import annotations

from typing import Any

from click.testing import CliRunner, Result
from sqlmodel import Session

from core.settings import Settings
from review import store as review_store
from review.models import Draft
from web.cli import main
from web.ids import OpaqueIds

PASSWORD = "correct horse battery staple"


_IDS: list[OpaqueIds] = []  # this test's, made at the first use (conftest forgets it between tests)


def forget_secret() -> None:
    _IDS.clear()


def _ids() -> OpaqueIds:
    """The app's URL ids under this test's secret key: the one in force when the test first asked, so a
    ``monkeypatch.undo()`` of the environment later in the test does not change them."""
    if not _IDS:
        _IDS.append(OpaqueIds(Settings.from_env().secret_key))
    return _IDS[0]


def oid(record_id: int) -> str:
    """A record id as the app writes it in URLs (``web/ids.py``)."""
    return _ids().encode(record_id)


def id_in(url: str) -> int:
    """The record id at the end of a URL the app wrote (``.../questionnaires/<token>``)."""
    return _ids().decode(url.rstrip("/").rsplit("/", 1)[1])


def cli(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    return runner.invoke(main, list(args), input=input, catch_exceptions=False)


def make_org(runner: CliRunner, slug: str, name: str | None = None) -> None:
    result = cli(runner, "org", "create", slug, "--name", name or slug.title())
    assert result.exit_code == 0, result.output


def make_user(runner: CliRunner, email: str, org: str, role: str, password: str = PASSWORD) -> None:
    result = cli(
        runner,
        "user",
        "create",
        email,
        "--org",
        org,
        "--role",
        role,
        "--password-stdin",
        input=password + "\n",
    )
    assert result.exit_code == 0, result.output


def decide(session: Session, **checked: Any) -> Draft:
    """Check and write an approval or rejection as the web app does (``can_approve`` defaults to True)."""
    decision = review_store.check_decision(session, **{"can_approve": True, **checked})
    return review_store.apply_decision(session, decision)
