"""`trustdesk bank check`: near-duplicates, contradicting short answers, overdue reviews."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from tests.helpers import cli, make_org

BANK = """key,question,answer,short_answer,category,controls,alternates,review_by
USB-1,Do you block USB mass storage devices on laptops?,Blocked by Intune.,Yes,,,,2030-01-01
USB-2,Do you block USB mass-storage devices on company laptops?,Not blocked.,No,,,,2030-01-01
LOG-1,How long are security logs retained?,One year.,,,,,2030-01-01
LOG-2,How long are your security logs retained?,One year hot.,,,,,2030-01-01
ENC-1,Is customer data encrypted at rest?,AES-256.,Yes,,,,2020-06-30
PEN-1,Do you run an annual external penetration test?,Yes.,Yes,,,,
"""


def test_check_finds_conflicts_near_duplicates_and_overdue_reviews(runner: CliRunner, tmp_path: Path) -> None:
    make_org(runner, "acme")
    (tmp_path / "bank.csv").write_text(BANK)
    cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme")
    result = cli(runner, "bank", "check", "--org", "acme", "--json")
    found = {(f["kind"], tuple(f["keys"])) for f in json.loads(result.output)["findings"]}
    assert found == {
        ("conflict", ("USB-1", "USB-2")),
        ("near_duplicate", ("LOG-1", "LOG-2")),
        ("past_review", ("ENC-1",)),
    }
    text = cli(runner, "bank", "check", "--org", "acme").output
    assert "similar questions answered Yes and No" in text and "review was due 2020-06-30" in text


def test_a_clean_bank_says_so(runner: CliRunner, tmp_path: Path) -> None:
    make_org(runner, "acme")
    (tmp_path / "bank.csv").write_text(BANK.splitlines()[0] + "\n" + BANK.splitlines()[-1] + "\n")
    cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme")
    assert "No findings" in cli(runner, "bank", "check", "--org", "acme").output
