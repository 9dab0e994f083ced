"""The demo organisation: users with printed logins and an answer bank written by this project."""

from __future__ import annotations

import secrets
from importlib import resources
from pathlib import Path

from sqlmodel import Session

from answerbank import io, store
from core import accounts
from evidence.demo import load_demo_evidence

DEMO_SLUG = "demo"
DEMO_USERS = (
    ("admin@demo.example", "admin"),
    ("vciso@demo.example", "approver"),
    ("am@demo.example", "account_manager"),
    ("insurer@demo.example", "viewer"),
)


def demo_bank_path() -> Path:
    return Path(str(resources.files("answerbank").joinpath("demo_bank.csv")))


def create_demo(session: Session) -> tuple[list[tuple[str, str, str]], int]:
    """Create organisation ``demo`` with one user per role; returns (logins, bank entries)."""
    org = accounts.create_org(session, slug=DEMO_SLUG, name="Bluefin Logistics Ltd (demo)", actor="demo")
    assert org.id is not None
    logins = []
    for email, role in DEMO_USERS:
        password = secrets.token_urlsafe(12)
        accounts.create_user(session, email=email, password=password, org=org, role=role, actor="demo")
        logins.append((email, role, password))
    entries = io.read_entries(demo_bank_path())
    actor = store.Actor("demo")
    for data in entries:
        store.create_entry(session, org_id=org.id, data=data, actor=actor)
    load_demo_evidence(session, org=org, entries=store.list_entries(session, org_id=org.id))
    return logins, len(entries)


def write_logins(home: Path, logins: list[tuple[str, str, str]]) -> Path:
    path = home / "demo-logins.txt"
    home.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("".join(f"{role:<16} {email:<28} password: {pw}\n" for email, role, pw in logins))
    return path
