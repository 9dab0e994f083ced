"""A world for evidence tests: two organisations, one user per role in acme, a bank whose entries cite
NIST CSF 2.0 controls, evidence (valid, NDA, expired) linked to those entries and an imported
questionnaire with approved answers."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from evidence.pdf import PdfDocument
from tests.helpers import cli, make_org, make_user
from tests.review.test_questionnaire_cli import make_questionnaire

BANK = """key,question,answer,short_answer,category,controls,alternates
IAM-001,Do you enforce multi-factor authentication for all workforce accounts?,Yes. Okta enforces MFA for every employee and contractor.,Yes,Identity,NIST-CSF-2.0:PR.AA-03,Is 2FA required for staff?
ENC-001,Is customer data encrypted at rest?,Yes. AES-256 via AWS KMS for every data store.,Yes,Encryption,NIST-CSF-2.0:PR.DS-01,
BCP-001,How often are backups taken and how long are they kept?,Nightly snapshots kept for 35 days.,,Continuity,NIST-CSF-2.0:PR.DS-11,
"""


@dataclass
class World:
    tmp: Path
    questionnaire_id: int
    evidence: dict[str, int]


def pdf_bytes(title: str) -> bytes:
    doc = PdfDocument(title)
    doc.text(title, size=14, bold=True)
    doc.text("Generated for a Trustdesk test.")
    return doc.to_bytes()


def add_evidence(runner: CliRunner, path: Path, *args: str) -> int:
    result = cli(runner, "evidence", "add", str(path), "--org", "acme", "--json", *args)
    assert result.exit_code == 0, result.output
    return int(json.loads(result.output)["id"])


@pytest.fixture
def world(runner: CliRunner, tmp_path: Path) -> World:
    make_org(runner, "acme", "Acme Corp")
    make_org(runner, "globex", "Globex Inc")
    for role in ("admin", "approver", "account_manager", "viewer"):
        make_user(runner, f"{role}@acme.example", "acme", role)
    make_user(runner, "insurer@carrier.example", "acme", "viewer")
    make_user(runner, "vciso@globex.example", "globex", "approver")
    (tmp_path / "bank.csv").write_text(BANK)
    assert cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme").exit_code == 0
    soon, past = date.today() + timedelta(days=200), date.today() - timedelta(days=3)
    (tmp_path / "mfa.pdf").write_bytes(pdf_bytes("MFA enforcement report"))
    (tmp_path / "kms.txt").write_text("KMS key policy: every data store encrypted with AES-256.\n")
    (tmp_path / "old-backup.pdf").write_bytes(pdf_bytes("Backup restore test 2024"))
    evidence = {
        "mfa": add_evidence(
            runner,
            tmp_path / "mfa.pdf",
            "--title",
            "MFA enforcement report",
            "--controls",
            "NIST-CSF-2.0:PR.AA-03",
            "--valid-until",
            soon.isoformat(),
        ),
        "kms": add_evidence(
            runner, tmp_path / "kms.txt", "--title", "KMS key policy", "--confidentiality", "public"
        ),
        "backup": add_evidence(
            runner,
            tmp_path / "old-backup.pdf",
            "--title",
            "Backup restore test 2024",
            "--controls",
            "NIST-CSF-2.0:PR.DS-11",
            "--valid-until",
            past.isoformat(),
        ),
    }
    for key, name in (("IAM-001", "mfa"), ("ENC-001", "kms"), ("BCP-001", "backup")):
        assert cli(runner, "evidence", "link", key, str(evidence[name]), "--org", "acme").exit_code == 0
    result = cli(
        runner,
        "questionnaire",
        "import",
        str(make_questionnaire(tmp_path / "vendor.xlsx")),
        "--org",
        "acme",
        "--requester",
        "Carrier Mutual",
        "--requester-kind",
        "insurer",
        "--json",
    )
    assert result.exit_code == 0, result.output
    qid = int(json.loads(result.output[result.output.index("{") :])["id"])
    for band in ("auto", "review"):
        cli(runner, "questionnaire", "approve", str(qid), "--band", band, "--as", "approver@acme.example")
    return World(tmp_path, qid, evidence)
