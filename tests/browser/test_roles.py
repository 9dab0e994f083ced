"""Roles in a real browser: an account manager prepares but cannot approve; a viewer lands on the packs
shared with them and is offered nothing else."""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in

pytestmark = pytest.mark.browser


def test_an_account_manager_sees_no_approve_buttons_and_approving_is_refused(
    new_page: Callable[[], Page], world: Path, gate: threading.Event
) -> None:
    gate.set()
    page = new_page()
    log_in(page, "account_manager@acme.example")
    page.goto("/o/acme/questionnaires/")
    page.set_input_files("input[name=file]", str(world))
    page.click("button:has-text('Upload and draft answers')")
    expect(page.locator("article.q")).to_have_count(5, timeout=30_000)
    sections = page.get_by_role("navigation", name="Sections").get_by_role("link")
    expect(sections).to_have_text(
        ["Answer bank", "Questionnaires", "Evidence", "Readiness", "Packs", "Shared with me"]
    )
    expect(page.locator("nav.sections a.current")).to_have_text("Questionnaires")
    expect(page.locator("button[data-approve]")).to_have_count(0)
    expect(page.locator("button.reject")).to_have_count(0)
    expect(page.get_by_text("Approve all auto drafts")).to_have_count(0)

    # pressing `a` does nothing without an approve button
    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("a")
    expect(page.locator("article.q .badge.approved")).to_have_count(0)

    # posting the approval by hand, with a valid CSRF token and row version, is refused
    article = page.locator("article.q").first
    action = article.locator("form.decision").get_attribute("action") or ""
    token = article.locator("input[name=csrf_token]").first.get_attribute("value") or ""
    version = article.locator("input[name=row_version]").first.get_attribute("value") or ""
    refused = page.request.post(
        action.replace("/save", "/approve"),
        form={"csrf_token": token, "row_version": version, "answer": "x", "short_answer": ""},
    )
    assert refused.status == 403
    bulk = page.request.post(re.sub(r"/drafts/.*", "/bulk-approve", action), form={"csrf_token": token})
    assert bulk.status == 403

    # but saving the text is an account manager's job
    last = page.locator("article.q").last
    last.locator("textarea.answer-box").fill("We are preparing for TISAX (assessment booked).")
    last.get_by_role("button", name="Save text").click()
    expect(page.locator(".flash")).to_contain_text("not yet approved")
    expect(page.locator("article.q").last.locator("textarea.answer-box")).to_have_value(
        "We are preparing for TISAX (assessment booked)."
    )


def test_a_viewer_sees_none_of_it(new_page: Callable[[], Page], world: Path, gate: threading.Event) -> None:
    gate.set()
    manager = new_page()
    log_in(manager, "account_manager@acme.example")
    manager.goto("/o/acme/questionnaires/")
    manager.set_input_files("input[name=file]", str(world))
    manager.click("button:has-text('Upload and draft answers')")
    expect(manager.locator("article.q")).to_have_count(5, timeout=30_000)
    url = manager.url

    viewer = new_page()
    viewer.goto("/login")
    viewer.fill("input[name=email]", "viewer@acme.example")
    viewer.fill("input[name=password]", "correct horse battery staple")
    viewer.click("button:has-text('Log in')")
    viewer.wait_for_url("**/shared/")
    expect(viewer.locator("h1")).to_have_text("Shared with me")
    expect(viewer.get_by_text("Nothing is shared with you right now.")).to_be_visible()
    sections = viewer.get_by_role("navigation", name="Sections").get_by_role("link")
    expect(sections).to_have_text(["Shared with me"])
    viewer.get_by_role("navigation", name="Organisations").get_by_role("link", name="Acme Corp").click()
    viewer.wait_for_url("**/shared/")
    for target in (url, "/o/acme/questionnaires/", url + "/status"):
        response = viewer.goto(target)
        assert response is not None and response.status == 404, target
        expect(viewer.locator("h1")).to_have_text("Not found")
        expect(viewer.locator("body")).not_to_contain_text("Okta")
