"""The demo ships the insurer catalog, its crosswalk to NIST CSF 2.0 and evidence, so readiness has content."""

from __future__ import annotations

import re

from click.testing import CliRunner
from flask.testing import FlaskClient

from tests.helpers import cli

LOGIN = re.compile(r"^\s*(\w+)\s+(\S+@\S+)\s+password: (\S+)$", re.M)


def test_demo_readiness_page_shows_the_insurer_catalog_with_ready_and_expired_controls(
    runner: CliRunner, client: FlaskClient
) -> None:
    result = cli(runner, "demo")
    assert result.exit_code == 0, result.output
    _role, email, password = next(x for x in LOGIN.findall(result.output) if x[0] == "approver")
    client.post("/login", data={"email": email, "password": password})
    page = client.get("/o/demo/readiness/").data.decode()
    assert "Cyber insurance application controls" in page and "<svg" in page
    ready = int(re.search(r"(\d+) ready", page).group(1))  # type: ignore[union-attr]
    assert ready >= 3, "the demo evidence backs several insurer controls"
    training = page[page.index("INS-TRAINING") :][:1500]
    assert "expired" in training, "the demo's awareness-training evidence is expired on purpose"
    listing = cli(runner, "evidence", "expiring", "--org", "demo", "--days", "30")
    assert "Security awareness training completion" in listing.output and "EXPIRED" in listing.output
