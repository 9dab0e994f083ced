"""The whole review in a real browser: log in, upload, watch the progress, approve, edit, bulk-approve,
export the filled original and read the answers back from the downloaded file."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import Locator, Page, expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "review-page.png"


def upload(page: Page, sample: Path) -> None:
    page.click("a:has-text('Questionnaires')")
    page.set_input_files("input[name=file]", str(sample))
    page.fill("input[name=requester]", "Initech")
    page.select_option("select[name=requester_kind]", "insurer")
    page.fill("input[name=due_date]", "2026-12-31")
    page.click("button:has-text('Upload and draft answers')")


def question(page: Page, number: str) -> Locator:
    return page.locator("article.q", has=page.locator(".q-num", has_text=number))


def test_upload_review_approve_edit_bulk_approve_and_export_the_original(
    new_page: Callable[[], Page], world: Path, gate: threading.Event, tmp_path: Path
) -> None:
    page = new_page()
    log_in(page, "approver@acme.example")
    upload(page, world)

    # the job is held: the page shows live progress, then reloads itself when the job is done
    expect(page.locator("#job-progress")).to_be_visible()
    expect(page.locator("#job-status")).to_have_text("queued")
    gate.set()
    expect(page.locator("article.q")).to_have_count(5, timeout=30_000)
    expect(page.locator("label[for=overall]")).to_have_text("Approved 0 of 5")

    # keyboard: j focuses the first question, a approves it
    page.locator("h1").click()
    page.keyboard.press("j")
    expect(page.locator("article.q.focused .q-num")).to_have_text("1.1")
    page.keyboard.press("a")  # approved in place (JSON), no page load
    first = question(page, "1.1")
    expect(first.locator(".badge.approved")).to_contain_text("approver@acme.example")

    # edit and approve: e focuses the answer box of the focused question
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator("article.q.focused .q-num")).to_have_text("2.1")
    page.keyboard.press("e")
    expect(question(page, "2.1").locator("textarea.answer-box")).to_be_focused()
    page.keyboard.press("Control+a")
    page.keyboard.type("Yes. AES-256 with customer-managed keys (edited in the browser).")
    page.keyboard.press("Escape")
    page.keyboard.press("a")
    edited = question(page, "2.1")
    expect(edited.locator(".badge.approved")).to_be_visible()
    expect(edited.locator("textarea.answer-box")).to_have_value(
        "Yes. AES-256 with customer-managed keys (edited in the browser)."
    )
    expect(page.locator("label[for=overall]")).to_have_text("Approved 2 of 5")

    # the review page, mid-review, for the docs
    if os.environ.get("UPDATE_SCREENSHOT") or not SCREENSHOT.exists():
        shot = tmp_path / "review-page.png"
        page.screenshot(path=str(shot), full_page=True)
        shutil.copyfile(shot, SCREENSHOT)

    page.click("button:has-text('Approve all auto drafts')")
    expect(page.locator(".flash")).to_contain_text("auto-matched answer")
    expect(question(page, "2.3").locator(".badge.draft")).to_be_visible()

    with page.expect_download() as download:
        page.click("button:has-text('Original file')")
    target = tmp_path / download.value.suggested_filename
    download.value.save_as(target)
    assert target.name == "vendor-answered.xlsx"
    sheet = load_workbook(target)["Security"]
    answers = {row[0]: row[2] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert answers["1.1"] in ("Yes", "Yes. Okta enforces MFA for every employee and contractor.")
    assert answers["2.1"] in ("Yes", "Yes. AES-256 with customer-managed keys (edited in the browser).")
    assert answers["2.3"] is None, "an undecided question stays empty"
    page.reload()
    expect(page.locator(".past-exports summary")).to_have_text("1 earlier export")


def test_a_failed_import_shows_its_reason_then_retry_and_discard_work_from_the_page(
    new_page: Callable[[], Page], world: Path, gate: threading.Event, tmp_path: Path
) -> None:
    broken = tmp_path / "broken.xlsx"  # passes the checks at upload; the parser refuses it
    broken.write_bytes(world.read_bytes().replace(b"xl/workbook.xml", b"xl/workbook.xmX"))
    page = new_page()
    log_in(page, "account_manager@acme.example")
    upload(page, broken)
    expect(page.locator("#job-status")).to_have_text("queued")
    gate.set()
    # the progress page reloads itself when the job ends, and says why it failed and how to fix it
    expect(page.locator("h2")).to_have_text("Drafting failed", timeout=30_000)
    expect(page.locator(".job .flash.error")).to_contain_text("broken.xlsx")
    expect(page.locator(".job .flash.error")).to_contain_text("Fix:")
    page.click("button:has-text('Retry')")
    expect(page.locator(".flash.info")).to_have_text("Trying again.")
    expect(page.locator("h2")).to_have_text("Drafting failed", timeout=30_000)
    expect(page.locator(".job")).to_contain_text("Attempts: 2")
    page.click("button:has-text('Discard this import')")
    expect(page.locator(".flash.info")).to_have_text("broken.xlsx discarded.")
    expect(page.locator("main")).not_to_contain_text("Drafting failed")
    expect(page.locator("table.questionnaires")).to_contain_text("No questionnaires yet")
