"""``tools/audit.py``, the dependency audit of ``make test``: what it calls vulnerable, clean and unchecked.

No network: pip-audit's report and PyPI's project JSON are given as the data those services return.
"""

from __future__ import annotations

import platform
from importlib.metadata import version
from typing import Any

import pytest

from tools import audit

RAPIDFUZZ = version("rapidfuzz")
NONE: frozenset[str] = frozenset()


def project(
    latest: str, vulns: list[dict[str, Any]] | None = None, requires_python: str = ""
) -> dict[str, Any]:
    return {"info": {"version": latest, "requires_python": requires_python}, "vulnerabilities": vulns or []}


def advisory(
    vuln_id: str, fixed_in: list[str], aliases: list[str] | None = None, withdrawn: str | None = None
) -> dict[str, Any]:
    return {"id": vuln_id, "fixed_in": fixed_in, "aliases": aliases or [], "withdrawn": withdrawn}


def test_a_package_at_its_latest_release_reports_its_live_advisories_and_leaves_out_withdrawn_and_ignored() -> (
    None
):
    data = project(
        "2.0",
        [
            advisory("PYSEC-1", ["2.1"]),
            advisory("GHSA-old", [], withdrawn="2026-01-01T00:00:00"),
            advisory("PYSEC-2", [], aliases=["CVE-2026-9"]),
        ],
    )
    verdict = audit.check_latest("demo", "2.0", data, frozenset({"CVE-2026-9"}))
    assert verdict.vulns == ("PYSEC-1 (fixed in 2.1)",)
    assert verdict.unchecked == ""


def test_a_package_at_its_latest_release_without_advisories_is_checked_and_clean() -> None:
    verdict = audit.check_latest("demo", "2.0.0", project("2.0"), NONE)  # 2.0.0 == 2.0 as versions
    assert (verdict.vulns, verdict.unchecked) == ((), "")


def test_a_package_below_its_latest_release_is_unchecked_never_clean_and_says_why() -> None:
    # The latest release's advisories say nothing about an older one: one fixed in 2.0 would not be listed.
    verdict = audit.check_latest("demo", "1.9", project("2.0"), NONE)
    assert verdict.vulns == ()
    assert "latest release is 2.0" in verdict.unchecked and "per-release API" in verdict.unchecked


def test_the_reason_names_the_python_a_newer_release_needs_when_this_interpreter_cannot_install_it() -> None:
    newer_python = f">{platform.python_version()}"
    verdict = audit.check_latest("demo", "1.9", project("2.0", requires_python=newer_python), NONE)
    assert f"needs Python {newer_python}" in verdict.unchecked
    assert (
        "needs Python"
        not in audit.check_latest("demo", "1.9", project("2.0", requires_python=">=3"), NONE).unchecked
    )


def test_a_project_pypi_does_not_know_is_unchecked() -> None:
    assert audit.check_latest("demo", "1.0", None, NONE).unchecked == "PyPI does not know this project"


def test_pip_audit_findings_are_kept_its_skips_go_to_the_project_api_and_the_editable_project_is_left_out() -> (
    None
):
    report = {
        "dependencies": [
            {"name": "lxml", "version": "4.0", "vulns": [{"id": "PYSEC-9", "fix_versions": ["4.1"]}]},
            {"name": "flask", "version": "3.1", "vulns": []},
            {
                "name": "alembic",
                "skip_reason": "Dependency not found on PyPI and could not be audited: alembic (1.0)",
            },
            {"name": "trustdesk", "skip_reason": "distribution marked as editable"},
        ]
    }
    checked, skipped = audit.verdicts_from_pip_audit(report)
    assert [(v.name, v.vulns) for v in checked] == [("lxml", ("PYSEC-9 (fixed in 4.1)",)), ("flask", ())]
    assert skipped == ["alembic"]


def test_a_project_api_that_does_not_answer_leaves_the_package_unchecked() -> None:
    def down(name: str) -> dict[str, Any] | None:
        raise OSError(f"connection refused for {name}")

    [verdict] = audit.check_skipped(["rapidfuzz"], NONE, down)
    assert verdict.version == RAPIDFUZZ
    assert "did not answer" in verdict.unchecked and "connection refused" in verdict.unchecked


@pytest.mark.parametrize(
    ("latest", "vulns", "status", "line"),
    [
        (RAPIDFUZZ, [], 0, "2 of 2 packages checked, 0 with known vulnerabilities, 0 unchecked"),
        (
            RAPIDFUZZ,
            [advisory("PYSEC-7", ["99"])],
            1,
            f"VULNERABLE rapidfuzz {RAPIDFUZZ}: PYSEC-7 (fixed in 99)",
        ),
        ("999.0", [], 2, f"UNCHECKED rapidfuzz {RAPIDFUZZ}: PyPI's latest release is 999.0"),
    ],
    ids=["clean", "vulnerable", "unchecked"],
)
def test_the_exit_status_is_0_clean_1_vulnerable_2_unchecked(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    latest: str,
    vulns: list[dict[str, Any]],
    status: int,
    line: str,
) -> None:
    report = {
        "dependencies": [
            {"name": "flask", "version": "3.1", "vulns": []},
            {"name": "rapidfuzz", "skip_reason": "Dependency not found on PyPI and could not be audited"},
        ]
    }
    monkeypatch.setattr(audit, "run_pip_audit", lambda ignore: report)
    monkeypatch.setattr(audit, "fetch_project", lambda name: project(latest, vulns))
    assert audit.main([]) == status
    assert line in capsys.readouterr().out


def test_without_a_pip_audit_report_every_installed_package_is_asked_the_other_way(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(ignore: list[str]) -> dict[str, Any]:
        raise RuntimeError("pip-audit failed (exit 1): no network")

    asked: list[str] = []

    def fetch(name: str) -> dict[str, Any] | None:
        asked.append(name)
        return project("0")

    monkeypatch.setattr(audit, "run_pip_audit", broken)
    monkeypatch.setattr(audit, "fetch_project", fetch)
    assert audit.main([]) == 2
    assert "pip-audit failed" in capsys.readouterr().err
    assert "rapidfuzz" in asked and "trustdesk" not in asked
