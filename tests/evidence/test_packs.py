"""Evidence packs: build from a questionnaire's approved answers, verify, and name any tampered file."""

from __future__ import annotations

import json
import threading
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import Engine
from sqlmodel import Session, col, select

import ingest
from core import accounts
from core.db import write_session
from core.errors import LimitExceeded
from core.sandbox import SandboxLimits
from core.settings import Settings
from evidence.packs import verify
from review import export as review_export
from review.jobs import sandbox_limits
from review.models import ExportRecord
from tests.evidence.conftest import World
from tests.helpers import cli
from web.cli import main


def build(runner: CliRunner, world: World, name: str = "pack.zip") -> Path:
    out = world.tmp / name
    result = cli(runner, "pack", "build", str(world.questionnaire_id), "--out", str(out))
    assert result.exit_code == 0, result.output
    return out


def rewrite(
    src: Path, dst: Path, change: dict[str, bytes | None], add: dict[str, bytes] | None = None
) -> None:
    """Copy a ZIP, replacing (bytes) or dropping (None) members and adding new ones."""
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        for info in old.infolist():
            data = change.get(info.filename, old.read(info.filename))
            if data is not None:
                new.writestr(info.filename, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)


def test_pack_holds_manifest_index_questionnaire_and_cited_evidence(runner: CliRunner, world: World) -> None:
    pack = build(runner, world)
    with zipfile.ZipFile(pack) as archive:
        names = set(archive.namelist())
        manifest = json.loads(archive.read("manifest.json"))
        index = archive.read("index.html").decode()
    assert manifest["organisation"]["slug"] == "acme" and manifest["requester"] == "Carrier Mutual"
    assert manifest["built_by"] == "cli" and manifest["built_at"]
    assert manifest["questionnaire"]["path"] in names and manifest["questionnaire"]["path"].endswith(".xlsx")
    answers = {a["entry_key"]: a for a in manifest["answers"]}
    assert (
        answers["IAM-001"]["entry_version"] == 1
        and answers["IAM-001"]["approved_by"] == "approver@acme.example"
    )
    included = {e["title"]: e for e in manifest["evidence"]}
    assert set(included) == {"MFA enforcement report", "KMS key policy"}
    mfa = included["MFA enforcement report"]
    assert mfa["path"] in names and mfa["confidentiality"] == "nda" and mfa["sha256"] and mfa["size"] > 0
    assert mfa["valid_until"]
    assert [(e["title"], e["reason"].split()[0]) for e in manifest["left_out"]] == [
        ("Backup restore test 2024", "expired")
    ]
    assert not any("backup" in n.lower() for n in names), "expired evidence was packed"
    assert set(manifest["files"]) == names - {"manifest.json"}
    assert "MFA enforcement report" in index and "Left out" in index and "<script" not in index


def test_verify_accepts_an_untouched_pack(runner: CliRunner, world: World) -> None:
    pack = build(runner, world)
    result = cli(runner, "pack", "verify", str(pack))
    assert result.exit_code == 0 and result.output.startswith("OK:"), result.output


def test_one_changed_byte_in_an_evidence_file_fails_verify_and_is_named(
    runner: CliRunner, world: World
) -> None:
    pack = build(runner, world)
    with zipfile.ZipFile(pack) as archive:
        target = next(n for n in archive.namelist() if n.startswith("evidence/") and n.endswith(".pdf"))
        data = bytearray(archive.read(target))
    data[len(data) // 2] ^= 0x01
    tampered = world.tmp / "tampered.zip"
    rewrite(pack, tampered, {target: bytes(data)})
    result = runner.invoke(main, ["pack", "verify", str(tampered)])
    assert result.exit_code == 1
    assert f"changed: {target}" in result.output


def test_verify_names_added_and_removed_files(runner: CliRunner, world: World) -> None:
    pack = build(runner, world)
    with zipfile.ZipFile(pack) as archive:
        gone = next(n for n in archive.namelist() if n.startswith("evidence/"))
    edited = world.tmp / "edited.zip"
    rewrite(pack, edited, {gone: None}, add={"evidence/extra.pdf": b"%PDF-1.4 sneaky"})
    report = verify(edited)
    assert not report.ok and report.removed == [gone] and report.added == ["evidence/extra.pdf"]


def test_pack_build_refuses_an_unknown_questionnaire(runner: CliRunner, world: World) -> None:
    result = runner.invoke(main, ["pack", "build", "999", "--out", "x.zip"])
    assert result.exit_code == 1 and "does not exist" in result.output


def _fills_through(monkeypatch: pytest.MonkeyPatch, during: Callable[[], None]) -> list[SandboxLimits]:
    """Spy on the sandboxed fill of the original: run ``during`` while it is under way."""
    calls: list[SandboxLimits] = []
    real = review_export.run_limited

    def spy(fn: Callable[..., Any], *args: Any, sandbox: SandboxLimits, what: str, **kwargs: Any) -> Any:
        assert fn is ingest.fill, fn
        calls.append(sandbox)
        during()
        return real(fn, *args, sandbox=sandbox, what=what, **kwargs)

    monkeypatch.setattr(review_export, "run_limited", spy)
    return calls


def _formats(engine: Engine) -> list[str]:
    with Session(engine) as s:
        return [e.format for e in s.exec(select(ExportRecord).order_by(col(ExportRecord.id)))]


def test_pack_fills_the_original_in_the_sandbox_while_the_database_stays_writable(
    runner: CliRunner, world: World, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes: list[str] = []

    def another_writer() -> None:  # would wait for the pack's write lock if the fill held it
        def write() -> None:
            with write_session(engine) as s:
                accounts.create_org(s, slug="meanwhile", name="Meanwhile")
            writes.append("done")

        thread = threading.Thread(target=write)
        thread.start()
        thread.join(10)

    calls = _fills_through(monkeypatch, another_writer)
    build(runner, world)

    assert calls == [sandbox_limits(Settings.from_env())], "the fill ran with the parsing limits"
    assert writes == ["done"], "another writer got in while the original was being filled"
    assert _formats(engine) == ["original"]


def test_pack_falls_back_to_xlsx_when_the_original_is_beyond_the_sandbox_limits(
    runner: CliRunner, world: World, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def beyond_limits() -> None:
        raise LimitExceeded("reading the file took longer than 60 s", where="vendor.xlsx", fix="split it")

    _fills_through(monkeypatch, beyond_limits)
    pack = build(runner, world)

    assert _formats(engine) == ["xlsx"]
    with zipfile.ZipFile(pack) as archive:
        manifest = json.loads(archive.read("manifest.json"))
        assert manifest["questionnaire"]["path"] in archive.namelist()
    assert cli(runner, "pack", "verify", str(pack)).exit_code == 0
