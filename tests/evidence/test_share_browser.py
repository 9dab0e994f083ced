"""The share flow in a real browser: an approver builds and shares a pack; the recipient opens the link in
a private window, accepts the NDA and downloads a pack that verifies; one changed byte is named; a
revoked link refuses. Reuses the live server of tests/browser/conftest.py."""

from __future__ import annotations

import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from evidence.packs import verify
from tests.browser.conftest import browser, chromium_path, gate, live_server, log_in, new_page  # noqa: F401
from tests.evidence.conftest import World

pytestmark = pytest.mark.browser


def tamper(src: Path, dst: Path) -> str:
    with zipfile.ZipFile(src) as old, zipfile.ZipFile(dst, "w") as new:
        target = next(n for n in old.namelist() if n.startswith("evidence/") and n.endswith(".pdf"))
        for name in old.namelist():
            data = bytearray(old.read(name))
            if name == target:
                data[-20] ^= 0x01
            new.writestr(name, bytes(data))
    return target


def test_share_a_pack_open_it_privately_accept_the_nda_download_verify_and_revoke(
    new_page: Callable[[], Page],  # noqa: F811
    world: World,
    gate: object,  # noqa: F811
    tmp_path: Path,
) -> None:
    owner = new_page()
    log_in(owner, "approver@acme.example")
    owner.goto("/o/acme/packs/")
    owner.get_by_role("button", name="Build pack").first.click()
    expect(owner.locator(".flash")).to_contain_text("Pack built")
    owner.fill("input[name=recipient]", "Carrier Mutual")
    owner.check("input[name=require_nda]")
    owner.get_by_role("button", name="Create link").click()
    flash = owner.locator(".flash", has_text="shown once").inner_text()
    link = re.search(r"(http://\S+/s/[A-Za-z0-9_-]+)", flash)
    assert link, flash

    recipient = new_page()  # a private window: no cookies, no login
    recipient.goto(link.group(1))
    expect(recipient.get_by_role("heading", name="Non-disclosure")).to_be_visible()
    recipient.fill("input[name=name]", "Pat Underwriter")
    recipient.check("input[name=accept]")
    recipient.get_by_role("button", name="Accept").click()
    expect(recipient.locator(".flash")).to_contain_text("NDA accepted")
    with recipient.expect_download() as download:
        recipient.get_by_role("link", name="Download the whole pack (ZIP)").click()
    pack = tmp_path / "pack.zip"
    download.value.save_as(pack)
    assert verify(pack).ok
    changed = tamper(pack, tmp_path / "tampered.zip")
    assert verify(tmp_path / "tampered.zip").changed == [changed]

    owner.reload()
    owner.get_by_role("button", name="Revoke").click()
    expect(owner.locator(".flash")).to_contain_text("revoked")
    gone = recipient.goto(link.group(1))
    assert gone is not None and gone.status == 404, "a revoked link looks like one that never existed"
    expect(recipient.get_by_role("heading", name="Link not available")).to_be_visible()
