"""Browser tests: the real app served by werkzeug on a free port, driven by headless Chromium.

Chromium comes from the system (Debian's ``chromium`` package at /usr/bin/chromium). Without it the
tests skip, except in CI (``CI`` set), where a missing browser is a failure.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, Page, sync_playwright
from werkzeug.serving import make_server

from review.jobs import InProcessQueue, JobQueue
from tests.helpers import PASSWORD, cli, make_org, make_user
from tests.web.test_review_pages import BANK, ROLES, questionnaire_xlsx
from web.context import Runtime

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@dataclass
class Gate:
    """Holds background jobs until the test opens it, so the progress page can be watched."""

    inner: JobQueue
    opened: threading.Event
    waiting: list[threading.Thread] = field(default_factory=list)

    def submit(self, questionnaire_id: int) -> None:
        def later() -> None:
            self.opened.wait(timeout=60)
            self.inner.submit(questionnaire_id)

        thread = threading.Thread(target=later, daemon=True)
        self.waiting.append(thread)
        thread.start()

    def drain(self) -> None:
        self.opened.set()
        for thread in self.waiting:
            thread.join(timeout=60)


@pytest.fixture
def chromium_path() -> Path:
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return CHROMIUM


@pytest.fixture
def world(runner: CliRunner, tmp_path: Path) -> Path:
    """Organisation acme with one user per role and a bank; returns a sample questionnaire file."""
    make_org(runner, "acme", "Acme Corp")
    for role in ROLES:
        make_user(runner, f"{role}@acme.example", "acme", role)
    (tmp_path / "bank.csv").write_text(BANK)
    cli(runner, "bank", "import", str(tmp_path / "bank.csv"), "--org", "acme")
    sample = tmp_path / "vendor.xlsx"
    sample.write_bytes(questionnaire_xlsx())
    return sample


@pytest.fixture
def gate(runtime: Runtime) -> Iterator[threading.Event]:
    opened = threading.Event()
    inner = runtime.jobs
    assert isinstance(inner, InProcessQueue), "browser tests run jobs in-process"
    held = Gate(inner, opened)
    runtime.__dict__["jobs"] = held  # replaces the cached property for this test
    yield opened
    held.drain()
    inner.wait()


@pytest.fixture
def live_server(runtime: Runtime, gate: threading.Event) -> Iterator[str]:
    """The app with CSRF on, as in production, served on 127.0.0.1 and a free port."""
    from web.app import create_app

    app = create_app({"TESTING": True}, runtime=runtime)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def browser(chromium_path: Path) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


@pytest.fixture
def new_page(browser: Browser, live_server: str) -> Iterator[Callable[[], Page]]:
    """A fresh browser context (its own cookies) per call, at 1280 pixels wide."""
    contexts = []

    def make() -> Page:
        context = browser.new_context(
            base_url=live_server, viewport={"width": 1280, "height": 900}, accept_downloads=True
        )
        context.set_default_timeout(20_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def log_in(page: Page, email: str) -> None:
    page.goto("/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_url("**/o/acme/**")
