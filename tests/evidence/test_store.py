"""The evidence library: content-checked, content-addressed files, versions, expiry, links to answers, and
evidence proposed for a question by the matcher."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session

from core import accounts
from core.db import write_session
from core.errors import LimitExceeded, NotFound, UnsupportedFormat, ValidationError
from core.filestore import FileStore
from evidence import store
from evidence.matching import propose
from evidence.models import EvidenceCreate
from tests.evidence.conftest import World, pdf_bytes
from tests.helpers import cli


class Who:
    label, user_id = "test", None


def acme_id(session: Session) -> int:
    org = accounts.require_org(session, slug="acme")
    assert org.id is not None
    return org.id


def test_evidence_add_list_and_expiring_from_the_cli(runner: CliRunner, world: World) -> None:
    listed = json.loads(cli(runner, "evidence", "list", "--org", "acme", "--json").output)
    assert {e["title"] for e in listed} == {
        "MFA enforcement report",
        "KMS key policy",
        "Backup restore test 2024",
    }
    mfa = next(e for e in listed if e["title"] == "MFA enforcement report")
    assert mfa["sha256"] == hashlib.sha256((world.tmp / "mfa.pdf").read_bytes()).hexdigest()
    assert mfa["media_type"] == "application/pdf" and mfa["confidentiality"] == "nda"
    soon = json.loads(cli(runner, "evidence", "expiring", "--org", "acme", "--days", "30", "--json").output)
    assert [(e["title"], e["expired"]) for e in soon] == [("Backup restore test 2024", True)]
    later = json.loads(cli(runner, "evidence", "expiring", "--org", "acme", "--days", "365", "--json").output)
    assert len(later) == 2
    assert "No evidence." in cli(runner, "evidence", "list", "--org", "globex").output


def test_a_new_file_is_a_new_version_and_old_versions_stay(
    runner: CliRunner, world: World, session: Session
) -> None:
    (world.tmp / "mfa-2.pdf").write_bytes(pdf_bytes("MFA enforcement report, second quarter"))
    result = cli(
        runner,
        "evidence",
        "add",
        str(world.tmp / "mfa-2.pdf"),
        "--org",
        "acme",
        "--title",
        "-",
        "--version-of",
        str(world.evidence["mfa"]),
        "--valid-until",
        "2099-01-01",
        "--json",
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["version"] == 2
    item = store.get_evidence(session, org_id=acme_id(session), evidence_id=world.evidence["mfa"])
    history = store.versions(session, evidence=item)
    assert [v.version for v in history] == [2, 1]
    assert history[0].sha256 != history[1].sha256 and history[0].valid_until == date(2099, 1, 1)
    assert item.title == "MFA enforcement report", "a new version keeps the evidence's metadata"


def test_type_is_checked_by_content_not_by_name(tmp_path: Path) -> None:
    files = FileStore(tmp_path / "files")
    upload = store.accept_file(files, io.BytesIO(pdf_bytes("x")), max_bytes=1 << 20, filename="report.txt")
    assert upload.media_type == "application/pdf"
    with pytest.raises(UnsupportedFormat):
        store.accept_file(
            files, io.BytesIO(b"MZ\x90\x00\x03\x00\x00\x00"), max_bytes=1 << 20, filename="a.pdf"
        )
    with pytest.raises(UnsupportedFormat):
        store.accept_file(files, io.BytesIO(b"\x00\x01binary"), max_bytes=1 << 20, filename="notes.txt")
    with pytest.raises(LimitExceeded):
        store.accept_file(files, io.BytesIO(b"a" * 2048), max_bytes=1024, filename="big.txt")


def test_the_users_file_name_is_metadata_never_a_path(tmp_path: Path) -> None:
    root = tmp_path / "files"
    upload = store.accept_file(
        FileStore(root), io.BytesIO(b"policy text\n"), max_bytes=1024, filename="../../etc/passwd\x00.txt"
    )
    assert upload.filename == "passwd.txt"
    stored = [p for p in root.rglob("*") if p.is_file()]
    assert [p.name for p in stored] == [upload.stored.sha256]


def test_validation_names_the_problem(engine: Engine, runner: CliRunner, world: World) -> None:
    with write_session(engine) as session, pytest.raises(ValidationError, match="before valid from"):
        store.add_evidence(
            session,
            org_id=acme_id(session),
            actor=Who(),
            url="https://example.com/soc2",
            data=EvidenceCreate(title="SOC 2", valid_from=date(2026, 5, 1), valid_until=date(2026, 1, 1)),
        )
    with write_session(engine) as session, pytest.raises(ValidationError, match="not a web link"):
        store.add_evidence(
            session,
            org_id=acme_id(session),
            actor=Who(),
            url="file:///etc/passwd",
            data=EvidenceCreate(title="Local"),
        )


def test_a_link_is_evidence_too(engine: Engine, world: World) -> None:
    with write_session(engine) as session:
        item = store.add_evidence(
            session,
            org_id=acme_id(session),
            actor=Who(),
            url="https://trust.acme.example/soc2",
            data=EvidenceCreate(title="SOC 2 Type II report", confidentiality="nda"),
        )
    assert item.kind == "link" and item.sha256 is None and item.version == 1


def test_evidence_of_another_organisation_is_not_found(session: Session, world: World) -> None:
    globex = accounts.require_org(session, slug="globex")
    assert globex.id is not None
    with pytest.raises(NotFound):
        store.get_evidence(session, org_id=globex.id, evidence_id=world.evidence["mfa"])
    assert store.evidence_for_entries(session, globex.id, ["IAM-001"]) == {"IAM-001": []}


def test_evidence_for_entries_flags_expired_proof(session: Session, world: World) -> None:
    found = store.evidence_for_entries(session, acme_id(session), ["IAM-001", "BCP-001", "NOPE"])
    assert [(v.title, v.expired) for v in found["IAM-001"]] == [("MFA enforcement report", False)]
    assert [(v.title, v.expired) for v in found["BCP-001"]] == [("Backup restore test 2024", True)]
    assert found["NOPE"] == []
    later = store.evidence_for_entries(
        session, acme_id(session), ["IAM-001"], today=date.today() + timedelta(days=400)
    )
    assert later["IAM-001"][0].expired


def test_the_matcher_proposes_evidence_for_a_question(session: Session, world: World) -> None:
    [mfa, unrelated] = propose(
        session,
        org_id=acme_id(session),
        questions=["Is MFA enforced for all users?", "Do you hold a TISAX label for automotive suppliers?"],
    )
    assert mfa and mfa[0].evidence.title == "MFA enforcement report", mfa
    assert mfa[0].reasons, "a proposal carries the reasons behind its score"
    assert not unrelated or unrelated[0].evidence.title != "MFA enforcement report"


def test_a_new_evidence_item_is_proposed_at_once_though_proposals_are_cached(
    session: Session, world: World
) -> None:
    question = ["Do you hold cyber liability insurance with ransomware cover?"]
    before = propose(session, org_id=acme_id(session), questions=question)[0]
    assert "Cyber insurance policy schedule" not in [p.evidence.title for p in before]
    store.add_evidence(
        session,
        org_id=acme_id(session),
        data=EvidenceCreate(
            title="Cyber insurance policy schedule",
            description="Cyber liability insurance certificate with ransomware and extortion cover",
        ),
        actor=Who(),
        url="https://insurer.example/policy",
    )
    session.flush()
    after = propose(session, org_id=acme_id(session), questions=question)[0]
    assert after and after[0].evidence.title == "Cyber insurance policy schedule", after


def test_links_may_be_web_or_mailto_addresses_and_nothing_else(engine: Engine, world: World) -> None:
    with write_session(engine) as session:
        item = store.add_evidence(
            session,
            org_id=acme_id(session),
            actor=Who(),
            url=" mailto:security@acme.example ",
            data=EvidenceCreate(title="Security contact"),
        )
        assert item.url == "mailto:security@acme.example"
    for refused in (
        "mailto:nobody",
        "javascript:alert(1)",
        "data:text/html,x",
        "https://",
        "ftp://acme.example/x",
    ):
        with pytest.raises(ValidationError, match="not a web link or an e-mail address"):
            store.check_url(refused)
