"""Browser tests: the app served from a thread on loopback, driven by Playwright in Chromium.

They skip with a reason where no Chromium is installed. The live server uses the same test
database as the other tests (cleaned per test by the `db` fixture) and has CSRF switched on, as in
production.
"""

from __future__ import annotations

import os
import shutil
import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from govtool import TestConfig, create_app

CHROMIUM = os.environ.get("GOVTOOL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _chromium_path() -> str | None:
    if Path(CHROMIUM).exists():
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def live_app(app, database_url):
    """The app the live server serves (a test may point its mail at an SMTP fixture)."""

    class LiveConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = True
        UPLOAD_DIR = app.config["UPLOAD_DIR"]
        # Browser tests sign in many times from one address; the limit itself is tested elsewhere.
        GOVTOOL_LOGIN_LIMIT = "1000 per minute"

    return create_app(LiveConfig)


@pytest.fixture(scope="session")
def live_server(live_app):
    """Base URL of a real HTTP server running govtool (CSRF on) in a background thread."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    executable = _chromium_path()
    if executable is None:
        pytest.skip("Chromium is not installed (apt-get install chromium); browser tests skipped")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:  # pragma: no cover - the test extra installs it
        pytest.skip("playwright is not installed; run make test")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def page(browser, live_server, db):
    """A fresh browser page (own cookies) on an emptied database; base_url is the live server."""
    # Reduced motion switches Bootstrap's transitions off, so axe-core checks the colours a page
    # settles on, not a button caught half-way through its hover fade on a loaded machine.
    context = browser.new_context(base_url=live_server, locale="de-DE", reduced_motion="reduce")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture()
def browser_login(page):
    """browser_login(email, password) signs the page in through the login form."""

    def sign_in(email: str, password: str) -> None:
        page.goto("/login")
        page.get_by_label("E-Mail").fill(email)
        page.get_by_label("Passwort").fill(password)
        page.get_by_role("button", name="Anmelden").click()
        page.wait_for_url(lambda url: "/login" not in url)

    return sign_in


def serious_accessibility_violations(page) -> list[str]:
    """Run axe-core on the current page; return serious and critical violations as text."""
    from axe_playwright_python.sync_playwright import Axe
    from playwright.sync_api import Error as PlaywrightError

    # A click on a link returns before the next page has loaded; axe run on a document
    # that is being replaced fails ("documentElement" of null, destroyed context).
    for attempt in range(3):
        page.wait_for_load_state("load")
        try:
            results = Axe().run(page)
            break
        except PlaywrightError as error:
            navigating = "documentElement" in str(error) or "context was destroyed" in str(error)
            if not navigating or attempt == 2:
                raise
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — "
        + "; ".join(node["target"][0] for node in v["nodes"][:5])
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture()
def axe_check(page):
    """axe_check() asserts that the page has no serious or critical axe-core violation."""

    def check(label: str = "") -> None:
        violations = serious_accessibility_violations(page)
        assert violations == [], f"{label or page.url}: {violations}"

    return check
