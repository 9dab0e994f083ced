"""Evidence on answers in a real browser: the top bar leads to every screen the role may use, the review
page and the bank show each answer's evidence and flag the expired, and a viewer who is sent a pack lands
on it after logging in. Reuses the live server of tests/browser/conftest.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import browser, chromium_path, gate, live_server, log_in, new_page  # noqa: F401
from tests.evidence.conftest import World

pytestmark = pytest.mark.browser


def test_review_and_bank_show_evidence_and_flag_the_expired(
    new_page: Callable[[], Page],  # noqa: F811
    world: World,
    gate: object,  # noqa: F811
) -> None:
    page = new_page()
    log_in(page, "approver@acme.example")
    nav = page.get_by_role("navigation", name="Sections")
    nav.get_by_role("link", name="Questionnaires").click()
    page.get_by_role("link", name="vendor.xlsx").click()
    backups = page.locator("article.q", has_text="how often backups are taken")
    expect(backups.locator(".q-evidence")).to_contain_text("Backup restore test 2024")
    expect(backups.locator(".q-evidence .overdue")).to_have_text("evidence expired")
    mfa = page.locator("article.q", has_text="multi-factor authentication")
    expect(mfa.locator(".q-evidence")).to_contain_text("MFA enforcement report")
    expect(mfa.locator(".q-evidence .overdue")).to_have_count(0)

    backups.get_by_role("link", name="Backup restore test 2024").click()
    expect(page.locator("h1")).to_contain_text("Backup restore test 2024")
    expect(page.locator("h1 .badge")).to_have_text("expired")
    expect(nav.locator("a.current")).to_have_text("Evidence")

    nav.get_by_role("link", name="Answer bank").click()
    row = page.locator("tr", has=page.get_by_role("link", name="BCP-001"))
    expect(row.locator(".evidence-expired")).to_be_visible()
    row.get_by_role("link", name="BCP-001").click()
    expect(page.locator("dd", has_text="Backup restore test 2024")).to_contain_text("evidence expired")

    nav.get_by_role("link", name="Readiness").click()
    expect(page).to_have_url(f"{page.url.split('/o/')[0]}/o/acme/readiness/")
    nav.get_by_role("link", name="Packs").click()
    expect(page.get_by_role("button", name="Build pack").first).to_be_visible()


def test_a_viewer_sent_a_pack_lands_on_it_after_logging_in(
    new_page: Callable[[], Page],  # noqa: F811
    world: World,
    gate: object,  # noqa: F811
) -> None:
    owner = new_page()
    log_in(owner, "approver@acme.example")
    owner.goto("/o/acme/packs/")
    owner.get_by_role("button", name="Build pack").first.click()
    owner.fill("input[name=recipient]", "Carrier Mutual")
    owner.fill("input[name=email]", "insurer@carrier.example")
    owner.get_by_role("button", name="Create link").click()
    expect(owner.locator(".flash", has_text="shown once")).to_be_visible()

    insurer = new_page()
    insurer.goto("/login")
    insurer.fill("input[name=email]", "insurer@carrier.example")
    insurer.fill("input[name=password]", "correct horse battery staple")
    insurer.click("button:has-text('Log in')")
    insurer.wait_for_url("**/shared/")
    expect(insurer.locator("table.entries tbody a")).to_have_count(1)
    insurer.locator("table.entries tbody a").click()
    expect(insurer.get_by_role("link", name="Download the whole pack (ZIP)")).to_be_visible()
    for url in ("/o/acme/bank/", "/o/acme/evidence/", "/o/acme/packs/"):
        response = insurer.goto(url)
        assert response is not None and response.status == 404, (
            url
        )  # a viewer learns nothing of what exists (Z02)
