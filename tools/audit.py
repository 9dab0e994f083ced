"""The dependency audit of `make test`: pip-audit, then PyPI's project JSON for what pip-audit could not reach.

pip-audit asks PyPI's per-release API (``https://pypi.org/pypi/<name>/<version>/json``) for each installed
package. Where that API is not served (behind some mirrors and proxies, and on this project's CI machine),
pip-audit skips the package. For each skipped package this script asks the project API
(``https://pypi.org/pypi/<name>/json``), whose ``vulnerabilities`` are those of the latest release: an exact
answer when the installed version *is* the latest release, so such packages are checked. Any other package
is named as unchecked, with the reason; nothing is reported clean that was not checked.

Exit status: 0 every package checked and none vulnerable; 1 a known vulnerability (from either source)
or pip-audit itself failed; 2 no vulnerability found, but some packages could not be checked.

    python tools/audit.py [--ignore-vuln ID ...]
"""

from __future__ import annotations

import argparse
import json
import platform
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, distributions, version
from pathlib import Path
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PROJECT_JSON = "https://pypi.org/pypi/{name}/json"

# name -> the project JSON, or None when PyPI does not know the project.
Fetch = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class Verdict:
    """What the audit found for one installed package."""

    name: str
    version: str
    vulns: tuple[str, ...] = ()  # "ID (fixed in 1.2.3)"
    unchecked: str = ""  # why it could not be checked; empty when it was


def fetch_project(name: str) -> dict[str, Any] | None:
    """PyPI's project JSON for ``name``; None for an unknown project (404)."""
    try:
        with urllib.request.urlopen(PROJECT_JSON.format(name=name), timeout=30) as response:
            data: dict[str, Any] = json.load(response)
            return data
    except urllib.error.HTTPError as err:
        if err.code == 404:
            return None
        raise


def _same_version(a: str, b: str) -> bool:
    try:
        return Version(a) == Version(b)
    except InvalidVersion:
        return a == b


def _python_excludes(requires_python: str) -> str:
    """ ", which needs Python >=3.12" when this interpreter cannot install the latest release; else ""."""
    try:
        if requires_python and platform.python_version() not in SpecifierSet(requires_python):
            return f", which needs Python {requires_python}"
    except InvalidSpecifier:
        pass
    return ""


def _ignored(vuln: dict[str, Any], ignore: frozenset[str]) -> bool:
    return bool({vuln.get("id", ""), *vuln.get("aliases", [])} & ignore)


def _describe(vuln_id: str, fixes: Iterable[str]) -> str:
    fixed = ", ".join(fixes)
    return f"{vuln_id} (fixed in {fixed})" if fixed else f"{vuln_id} (no fix released)"


def check_latest(
    name: str, installed: str, project: dict[str, Any] | None, ignore: frozenset[str]
) -> Verdict:
    """The verdict for one package from its project JSON: exact only when ``installed`` is the latest release."""
    if project is None:
        return Verdict(name, installed, unchecked="PyPI does not know this project")
    info = project.get("info", {})
    latest = str(info.get("version", ""))
    if not _same_version(installed, latest):
        held = _python_excludes(info.get("requires_python") or "")
        return Verdict(
            name,
            installed,
            unchecked=f"PyPI's latest release is {latest}{held}; advisories for {installed} need PyPI's per-release API",
        )
    vulns = tuple(
        _describe(v.get("id", "?"), v.get("fixed_in") or [])
        for v in project.get("vulnerabilities") or []
        if not v.get("withdrawn") and not _ignored(v, ignore)
    )
    return Verdict(name, installed, vulns=vulns)


def verdicts_from_pip_audit(report: dict[str, Any]) -> tuple[list[Verdict], list[str]]:
    """pip-audit's JSON report -> verdicts for the packages it checked, and the names it skipped."""
    checked: list[Verdict] = []
    skipped: list[str] = []
    for dep in report.get("dependencies", []):
        if "skip_reason" in dep:
            if "editable" not in dep["skip_reason"]:  # this project itself, installed with -e
                skipped.append(dep["name"])
            continue
        vulns = tuple(_describe(v["id"], v.get("fix_versions") or []) for v in dep.get("vulns", []))
        checked.append(Verdict(dep["name"], dep.get("version", "?"), vulns=vulns))
    return checked, skipped


def installed_names() -> list[str]:
    """Every distribution in this environment but those installed editable (this project itself)."""
    names: set[str] = set()
    editable: set[str] = set()
    for dist in distributions():
        direct_url = json.loads(dist.read_text("direct_url.json") or "{}")
        is_editable = direct_url.get("dir_info", {}).get("editable")
        (editable if is_editable else names).add(canonicalize_name(dist.metadata["Name"]))
    return sorted(names - editable)


def installed_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "?"


def check_skipped(names: Sequence[str], ignore: frozenset[str], fetch: Fetch) -> list[Verdict]:
    """Verdicts from the project JSON for the packages pip-audit skipped (eight requests at a time)."""

    def one(name: str) -> Verdict:
        installed = installed_version(name)
        try:
            return check_latest(name, installed, fetch(name), ignore)
        except (OSError, ValueError) as err:  # network failure, or a body that is not JSON
            return Verdict(name, installed, unchecked=f"PyPI's project API did not answer: {err}")

    with ThreadPoolExecutor(max_workers=8) as pool:
        return list(pool.map(one, names))


def run_pip_audit(ignore: Sequence[str]) -> dict[str, Any]:
    """pip-audit over this interpreter's environment, without --strict so that it reports every skip."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report.json"
        args = [sys.executable, "-m", "pip_audit", "--skip-editable", "--progress-spinner", "off"]
        args += ["--format", "json", "--output", str(out)]
        for vuln_id in ignore:
            args += ["--ignore-vuln", vuln_id]
        done = subprocess.run(args, check=False, capture_output=True, text=True)
        if not out.exists():
            raise RuntimeError(f"pip-audit failed (exit {done.returncode}): {done.stderr.strip()[-2000:]}")
        report: dict[str, Any] = json.loads(out.read_text())
        return report


def summarise(verdicts: Sequence[Verdict]) -> tuple[int, list[str]]:
    """The exit status and the lines to print for a set of verdicts."""
    vulnerable = [v for v in verdicts if v.vulns]
    unchecked = [v for v in verdicts if v.unchecked and not v.vulns]
    lines = [f"VULNERABLE {v.name} {v.version}: {'; '.join(v.vulns)}" for v in vulnerable]
    lines += [f"UNCHECKED {v.name} {v.version}: {v.unchecked}" for v in unchecked]
    checked = len(verdicts) - len(unchecked)
    lines.append(
        f"{checked} of {len(verdicts)} packages checked, {len(vulnerable)} with known vulnerabilities, "
        f"{len(unchecked)} unchecked"
    )
    if vulnerable:
        lines.append(
            "Fix: upgrade each to a fixed release (raise its floor in pyproject.toml), or ignore an "
            "advisory that does not apply with AUDIT_IGNORE='--ignore-vuln ID' and a comment why."
        )
    return (1 if vulnerable else 2 if unchecked else 0), lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--ignore-vuln", action="append", default=[], metavar="ID")
    args = parser.parse_args(argv)
    ignore = frozenset(args.ignore_vuln)
    try:
        checked, skipped = verdicts_from_pip_audit(run_pip_audit(args.ignore_vuln))
    except (RuntimeError, ValueError) as err:  # no report at all: check every package the other way
        print(f"audit: {err}", file=sys.stderr)
        checked, skipped = [], installed_names()
    if skipped:
        print(f"pip-audit could not reach advisories for {len(skipped)} packages; asking PyPI's project API")
    status, lines = summarise(checked + check_skipped(skipped, ignore, fetch_project))
    print("\n".join(lines))
    return status


if __name__ == "__main__":
    sys.exit(main())
