"""The questionnaire flow from the CLI: import -> show -> approve -> export into the original file."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine
from sqlmodel import Session, select

from answerbank.store import Actor
from core.db import write_session
from core.errors import Conflict, NotFound, PermissionDenied
from review import learning
from review import store as review_store
from review.models import Draft, QuestionnaireRecord, QuestionRecord
from tests.helpers import cli, decide, make_org, make_user

BANK = """key,question,answer,short_answer,category,controls,alternates
IAM-001,Do you enforce multi-factor authentication for all workforce accounts?,Yes. Okta enforces MFA for every employee and contractor.,Yes,Identity,,Is 2FA required for staff?
ENC-001,Is customer data encrypted at rest?,Yes. AES-256 via AWS KMS for every data store.,Yes,Encryption,,
BCP-001,How often are backups taken and how long are they kept?,Nightly snapshots kept for 35 days.,,Continuity,,
"""
QUESTIONS = [
    ("1.1", "Do you enforce multi-factor authentication for all workforce accounts?"),
    ("1.2", "Is customer data encrypted at rest?"),
    ("2.1", "Describe how often backups are taken and how long they are retained."),
    ("3.1", "Do you hold a TISAX label for automotive suppliers?"),
]


def make_questionnaire(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Security"
    ws.append(["Vendor security questionnaire"])
    ws.append([])
    ws.append(["ID", "Question", "Answer"])
    for number, text in QUESTIONS:
        ws.append([number, text, None])
    wb.save(path)
    return path


@pytest.fixture
def imported(runner: CliRunner, tmp_path: Path) -> int:
    make_org(runner, "acme")
    (tmp_path / "bank.csv").write_text(BANK)
    cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme")
    result = cli(
        runner,
        "questionnaire",
        "import",
        str(make_questionnaire(tmp_path / "vendor.xlsx")),
        "--org",
        "acme",
        "--requester",
        "Globex",
        "--json",
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output[result.output.index("{") :])
    assert data["status"] == "ready" and data["questions"] == len(QUESTIONS)
    return int(data["id"])


def test_import_drafts_every_question_and_declines_what_the_bank_cannot_answer(
    runner: CliRunner, imported: int
) -> None:
    shown = json.loads(cli(runner, "questionnaire", "show", str(imported), "--json").output)
    drafts = {d["number"]: d for d in shown["drafts"]}
    assert drafts["1.1"]["entry_key"] == "IAM-001" and drafts["1.1"]["band"] == "auto"
    assert drafts["1.2"]["entry_key"] == "ENC-001"
    assert drafts["2.1"]["entry_key"] == "BCP-001"
    assert drafts["3.1"]["band"] == "none" and drafts["3.1"]["entry_key"] is None
    assert all(d["reasons"] for n, d in drafts.items() if n != "3.1"), "every proposal carries its reasons"
    listed = json.loads(cli(runner, "questionnaire", "list", "--org", "acme", "--json").output)
    assert [q["id"] for q in listed] == [imported]


def test_approve_then_export_the_original_file_with_provenance(
    runner: CliRunner, imported: int, tmp_path: Path
) -> None:
    make_user(runner, "vciso@acme.example", "acme", "approver")
    refused = cli(runner, "questionnaire", "export", str(imported), "--out", str(tmp_path / "out.xlsx"))
    assert refused.exit_code == 1 and "no approved answers" in refused.output
    approved = cli(
        runner, "questionnaire", "approve", str(imported), "--band", "auto", "--as", "vciso@acme.example"
    )
    assert approved.exit_code == 0 and "approved by vciso@acme.example" in approved.output
    out = tmp_path / "out.xlsx"
    exported = cli(runner, "questionnaire", "export", str(imported), "--out", str(out))
    assert exported.exit_code == 0, exported.output
    sheet = load_workbook(out)["Security"]
    answers = {sheet.cell(row=r, column=1).value: sheet.cell(row=r, column=3).value for r in range(4, 8)}
    assert answers["1.1"] in ("Yes", "Yes. Okta enforces MFA for every employee and contractor.")
    assert answers["3.1"] is None, "an unanswered question must stay empty"
    provenance = json.loads((tmp_path / "out.xlsx.provenance.json").read_text())
    assert {p["entry_key"] for p in provenance} >= {"IAM-001"}
    assert all(p["approved_by"] == "vciso@acme.example" and p["entry_version"] == 1 for p in provenance)


def test_a_draft_export_is_marked_draft(runner: CliRunner, imported: int, tmp_path: Path) -> None:
    out = tmp_path / "draft.csv"
    result = cli(
        runner, "questionnaire", "export", str(imported), "--out", str(out), "--format", "csv", "--draft"
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert text.startswith("DRAFT") and "IAM-001" in text


def test_an_account_manager_cannot_approve_from_the_cli(runner: CliRunner, imported: int) -> None:
    make_user(runner, "am@acme.example", "acme", "account_manager")
    result = cli(
        runner, "questionnaire", "approve", str(imported), "--band", "auto", "--as", "am@acme.example"
    )
    assert result.exit_code == 1 and "only approvers and admins" in result.output


def test_a_broken_file_fails_the_job_visibly_and_leaves_no_questions(
    runner: CliRunner, session: Session, tmp_path: Path
) -> None:
    make_org(runner, "acme")
    broken = tmp_path / "broken.xlsx"  # passes the checks before storing; the parser refuses it
    broken.write_bytes(
        make_questionnaire(tmp_path / "ok.xlsx").read_bytes().replace(b"xl/workbook.xml", b"xl/workbook.xmX")
    )
    result = cli(runner, "questionnaire", "import", str(broken), "--org", "acme")
    assert result.exit_code == 1
    assert "broken.xlsx" in result.output and "failed" in result.output
    listed = json.loads(cli(runner, "questionnaire", "list", "--org", "acme", "--json").output)
    assert listed[0]["status"] == "failed" and listed[0]["error"]
    assert session.exec(select(QuestionRecord)).all() == []
    discarded = cli(runner, "questionnaire", "discard", str(listed[0]["id"]))
    assert discarded.exit_code == 0 and "(broken.xlsx) discarded" in discarded.output
    assert json.loads(cli(runner, "questionnaire", "list", "--org", "acme", "--json").output) == []
    again = cli(runner, "questionnaire", "discard", str(listed[0]["id"]))
    assert again.exit_code == 1 and "does not exist" in again.output


def test_a_file_refused_before_parsing_stores_nothing(
    runner: CliRunner, session: Session, tmp_path: Path
) -> None:
    make_org(runner, "acme")
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"PK\x03\x04 this is not really a spreadsheet")
    result = cli(runner, "questionnaire", "import", str(broken), "--org", "acme")
    assert result.exit_code == 1 and "broken.xlsx" in result.output and "damaged" in result.output
    assert json.loads(cli(runner, "questionnaire", "list", "--org", "acme", "--json").output) == []


def _first_draft(engine: Engine, questionnaire_id: int) -> tuple[int, int, Draft]:
    with write_session(engine) as s:
        (_question, draft), *_ = review_store.questions_with_drafts(s, questionnaire_id=questionnaire_id)
        record = s.get(QuestionnaireRecord, questionnaire_id)
        assert record is not None
        return record.org_id, draft.id or 0, draft


def _decide_first(engine: Engine, questionnaire_id: int, **decision: Any) -> tuple[int, int, Draft]:
    """Decide the first draft at the version just read; its organisation, id and the draft as read."""
    org_id, draft_id, draft = _first_draft(engine, questionnaire_id)
    with write_session(engine) as s:
        decide(s, org_id=org_id, draft_id=draft_id, expected_version=draft.row_version, **decision)
    return org_id, draft_id, draft


def test_two_approvers_racing_on_one_draft_one_wins_the_other_is_told(engine: Engine, imported: int) -> None:
    org_id, draft_id, draft = _decide_first(
        engine, imported, status="approved", actor=Actor("first@acme.example")
    )
    with (
        pytest.raises(Conflict, match=r"Already approved by first@acme\.example"),
        write_session(engine) as s,
    ):
        decide(
            s,
            org_id=org_id,
            draft_id=draft_id,
            expected_version=draft.row_version,
            status="rejected",
            answer="My better answer",
            actor=Actor("second@acme.example"),
        )
    with write_session(engine) as s:
        _record, _q, final = review_store.get_draft(s, org_id=org_id, draft_id=draft_id)
        assert final.status == "approved" and final.decided_by == "first@acme.example"
        assert final.answer != "My better answer"


def test_drafts_are_invisible_from_another_organisation(
    runner: CliRunner, engine: Engine, imported: int
) -> None:
    make_org(runner, "other")
    org_id, draft_id, draft = _first_draft(engine, imported)
    with write_session(engine) as s:
        with pytest.raises(NotFound):
            review_store.get_questionnaire(s, org_id=org_id + 1, questionnaire_id=imported)
        with pytest.raises(NotFound):
            decide(
                s,
                org_id=org_id + 1,
                draft_id=draft_id,
                expected_version=draft.row_version,
                status="approved",
                actor=Actor("x"),
            )
        with pytest.raises(PermissionDenied):
            decide(
                s,
                org_id=org_id,
                draft_id=draft_id,
                expected_version=draft.row_version,
                status="approved",
                actor=Actor("x"),
                can_approve=False,
            )


def test_an_edited_answer_flows_back_into_the_bank_with_the_question_as_alternate(
    runner: CliRunner, engine: Engine, imported: int
) -> None:
    answer = "Yes. Okta with FIDO2 keys for everyone."
    org_id, draft_id, draft = _decide_first(
        engine, imported, status="approved", answer=answer, actor=Actor("vciso")
    )
    with write_session(engine) as s:
        key, version = learning.save_to_bank(
            s, org_id=org_id, draft_id=draft_id, expected_version=draft.row_version + 1, actor=Actor("vciso")
        )
    assert (key, version) == ("IAM-001", 2)
    history = json.loads(cli(runner, "bank", "history", "IAM-001", "--org", "acme", "--json").output)
    assert history[0]["answer"] == "Yes. Okta with FIDO2 keys for everyone."
    with write_session(engine) as s:
        from answerbank import store as bank_store

        entry = bank_store.require_entry(s, org_id=org_id, key="IAM-001")
        assert "Do you enforce multi-factor authentication for all workforce accounts?" in [
            entry.question,
            *entry.alternates,
        ]
