"""`trustdesk bank import/export`: all or nothing, idempotent, exact round trips, clear errors."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook
from sqlmodel import Session

from answerbank import io, store
from core import accounts
from tests.helpers import cli, make_org
from tests.shared_data import require_shared

HEADER = "key,question,answer,short_answer,category,controls,alternates,owner,review_by\n"
GOOD_ROWS = [
    'IAM-001,Do you enforce MFA for all staff?,"Yes, with FIDO2 keys.",Yes,Identity,NIST-CSF-2.0:PR.AA-03,'
    "Is 2FA required?|Do employees use multi-factor authentication?,ciso@x.example,2027-01-31\n",
    "ENC-001,Is data encrypted at rest?,AES-256 everywhere.,Yes,Encryption,NIST-CSF-2.0:PR.DS-01;"
    "ISO27001-2022:A.8.24,,,\n",
    "GOV-002,Describe your security organisation.,A CISO reports to the CEO.,,Governance,,,,\n",
]


def write_bank(path: Path, rows: list[str], header: str = HEADER) -> Path:
    path.write_text(header + "".join(rows), encoding="utf-8")
    return path


def entries(session: Session, slug: str) -> list[dict[str, object]]:
    session.rollback()  # end the read snapshot, so writes by the CLI are visible
    org = accounts.require_org(session, slug=slug)
    assert org.id is not None
    return [{"key": e.key, **store.content_of(e)} for e in store.list_entries(session, org_id=org.id)]


def test_import_adds_every_row_then_reimport_changes_nothing(
    runner: CliRunner, session: Session, tmp_path: Path
) -> None:
    make_org(runner, "acme")
    path = write_bank(tmp_path / "bank.csv", GOOD_ROWS)
    first = cli(runner, "bank", "import", str(path), "--org", "acme", "--json")
    assert first.exit_code == 0, first.output
    assert json.loads(first.output)["counts"] == {"added": 3, "changed": 0, "unchanged": 0}
    again = cli(runner, "bank", "import", str(path), "--org", "acme")
    assert "0 added, 0 changed, 3 unchanged" in again.output
    assert "nothing changed" in again.output
    mfa = next(e for e in entries(session, "acme") if e["key"] == "IAM-001")
    assert mfa["alternates"] == ["Is 2FA required?", "Do employees use multi-factor authentication?"]
    assert mfa["controls"] == ["NIST-CSF-2.0:PR.AA-03"]
    assert str(mfa["review_by"]) == "2027-01-31"


def test_a_changed_row_gets_a_new_version_and_history_keeps_the_old(
    runner: CliRunner, session: Session, tmp_path: Path
) -> None:
    make_org(runner, "acme")
    cli(runner, "bank", "import", str(write_bank(tmp_path / "b.csv", GOOD_ROWS)), "--org", "acme")
    changed = [GOOD_ROWS[0].replace("FIDO2 keys", "FIDO2 keys and Okta Verify"), *GOOD_ROWS[1:]]
    result = cli(
        runner, "bank", "import", str(write_bank(tmp_path / "b2.csv", changed)), "--org", "acme", "--json"
    )
    assert json.loads(result.output)["changed"] == ["IAM-001"]
    history = cli(runner, "bank", "history", "IAM-001", "--org", "acme", "--json")
    versions = json.loads(history.output)
    assert [v["version"] for v in versions] == [2, 1]
    assert "Okta Verify" in versions[0]["answer"] and "Okta Verify" not in versions[1]["answer"]


def test_dry_run_reports_but_writes_nothing(runner: CliRunner, session: Session, tmp_path: Path) -> None:
    make_org(runner, "acme")
    result = cli(
        runner, "bank", "import", str(write_bank(tmp_path / "b.csv", GOOD_ROWS)), "--org", "acme", "--dry-run"
    )
    assert "Dry run, nothing written: 3 added" in result.output
    assert entries(session, "acme") == []


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json"])
def test_export_then_import_into_a_new_organisation_gives_identical_entries(
    runner: CliRunner, session: Session, tmp_path: Path, fmt: str
) -> None:
    make_org(runner, "acme")
    make_org(runner, "copy")
    tricky = 'SEC-9,"=HYPERLINK(""http://evil.example"")",-1 day,No,+cat,@ref,-alt|=alt2,,\n'
    cli(runner, "bank", "import", str(write_bank(tmp_path / "b.csv", [*GOOD_ROWS, tricky])), "--org", "acme")
    out = tmp_path / f"export.{fmt}"
    exported = cli(runner, "bank", "export", str(out), "--org", "acme")
    assert exported.exit_code == 0, exported.output
    imported = cli(runner, "bank", "import", str(out), "--org", "copy", "--json")
    assert json.loads(imported.output)["counts"]["added"] == 4
    assert entries(session, "copy") == entries(session, "acme")


def test_export_neutralises_spreadsheet_formulas(runner: CliRunner, tmp_path: Path) -> None:
    make_org(runner, "acme")
    tricky = 'SEC-9,"=HYPERLINK(""http://evil.example"")",+1 day,No,@cat,-ref,,,\n'
    cli(runner, "bank", "import", str(write_bank(tmp_path / "b.csv", [tricky])), "--org", "acme")
    cli(runner, "bank", "export", str(tmp_path / "x.csv"), "--org", "acme")
    cli(runner, "bank", "export", str(tmp_path / "x.xlsx"), "--org", "acme")
    with (tmp_path / "x.csv").open(encoding="utf-8") as fh:
        row = next(csv.DictReader(fh))
    assert row["question"].startswith("'=") and row["answer"].startswith("'+")
    assert row["category"].startswith("'@") and row["controls"].startswith("'-")
    sheet = load_workbook(tmp_path / "x.xlsx").active
    assert sheet is not None
    cells = [c for c in sheet[2] if isinstance(c.value, str)]
    assert all(c.data_type == "s" for c in cells)
    assert not any(c.value.startswith(io.FORMULA_PREFIXES) for c in cells)


BAD_FILES = [
    pytest.param(
        "key,question,answer,short_answer,category,controls\n" + GOOD_ROWS[1],
        "header row",
        "missing column alternates",
        id="missing-column",
    ),
    pytest.param(
        HEADER + GOOD_ROWS[0] + "ENC-009,  ,x,Yes,,,,,\n",
        "row 3, column question",
        "the question is empty",
        id="empty-question",
    ),
    pytest.param(
        HEADER + GOOD_ROWS[0] + GOOD_ROWS[0],
        "row 3, column key",
        "duplicate key 'IAM-001'",
        id="duplicate-key",
    ),
    pytest.param(
        HEADER + GOOD_ROWS[1] + "X-1,Q?,A,Maybe,,,,,\n",
        "row 3, column short_answer",
        "short answer 'Maybe' is not allowed",
        id="unknown-short-answer",
    ),
    pytest.param(
        HEADER + GOOD_ROWS[1] + "X-1,Q?,A,Yes,,,,,31/12/2027\n",
        "row 3, column review_by",
        "is not a date",
        id="bad-date",
    ),
]


@pytest.mark.parametrize(("content", "where", "what"), BAD_FILES)
def test_a_bad_file_changes_nothing_and_names_row_and_column(
    runner: CliRunner, session: Session, tmp_path: Path, content: str, where: str, what: str
) -> None:
    make_org(runner, "acme")
    cli(runner, "bank", "import", str(write_bank(tmp_path / "good.csv", [GOOD_ROWS[2]])), "--org", "acme")
    before = entries(session, "acme")
    bad = tmp_path / "bad.csv"
    bad.write_text(content, encoding="utf-8")
    result = cli(runner, "bank", "import", str(bad), "--org", "acme")
    assert result.exit_code == 1
    assert f"bad.csv {where}" in result.output and what in result.output and "Fix:" in result.output
    assert entries(session, "acme") == before


def test_a_bad_xlsx_names_the_sheet_row_and_column_letter(runner: CliRunner, tmp_path: Path) -> None:
    from openpyxl import Workbook

    make_org(runner, "acme")
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Bank"
    ws.append(["key", "question", "answer", "short_answer", "category", "controls", "alternates"])
    ws.append(["A-1", "Q?", "A", "Sometimes", "", "", ""])
    wb.save(tmp_path / "bank.xlsx")
    result = cli(runner, "bank", "import", str(tmp_path / "bank.xlsx"), "--org", "acme")
    assert result.exit_code == 1
    assert "bank.xlsx!Bank row 2, column D (short_answer)" in result.output


def test_the_shared_eval_bank_imports_completely_and_idempotently(
    runner: CliRunner, session: Session, tmp_path: Path
) -> None:
    bank = require_shared("eval", "bank.csv")
    with bank.open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    make_org(runner, "northwind")
    first = json.loads(cli(runner, "bank", "import", str(bank), "--org", "northwind", "--json").output)
    assert first["counts"] == {"added": len(rows), "changed": 0, "unchanged": 0}
    again = json.loads(cli(runner, "bank", "import", str(bank), "--org", "northwind", "--json").output)
    assert again["counts"] == {"added": 0, "changed": 0, "unchanged": len(rows)}
    stored = {e["key"]: e for e in entries(session, "northwind")}
    for row in rows:
        entry = stored[row["key"]]
        assert entry["question"] == row["question"].strip()
        assert entry["answer"] == row["answer"].strip()
        assert entry["short_answer"] == (row["short_answer"] or None)
        assert entry["alternates"] == [a.strip() for a in row["alternates"].split("|") if a.strip()]
        assert entry["controls"] == [c.strip() for c in row["controls"].split(";") if c.strip()]
    make_org(runner, "copy")
    cli(runner, "bank", "export", str(tmp_path / "nw.xlsx"), "--org", "northwind")
    cli(runner, "bank", "import", str(tmp_path / "nw.xlsx"), "--org", "copy")
    assert entries(session, "copy") == entries(session, "northwind")
