"""Real-browser fixtures: the app served with the demo data, Debian's Chromium driven by Playwright.

- `live_server`: the app on 127.0.0.1 on a free port, in its own process, on a fresh SQLite
  file with the demo data (`tests/browser/serve.py`); one per test session. Journeys change
  different records of the demo, so they can share it.
- `browser`: Debian's Chromium (`apt-get install -y chromium`), never a downloaded build.
- `page`: a fresh browser context per test (cookies, viewport), closed afterwards.
- `shots`: full-page screenshots under `test-artifacts/browser/<test>/`, numbered in order.
- `sign_in(page, email)`: signs in through the real login form.

Every test here is marked `browser`; scripts/test.sh runs them in the SQLite pass only.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "browser"
CHROMIUM = os.environ.get("RISKAPP_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DEMO_PASSWORD = "demo-riskapp-2023"
#: The most one Playwright action or expectation may wait for its condition (ms). A bound, not
#: a wait: a passing test waits only as long as the page takes. 15 s was too little with the
#: suite run under `stress-ng --cpu 2` on 2 cores (a page's load event came later than that).
TIMEOUT_MS = 60_000


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    yield from serving(tmp_path_factory.mktemp("browser") / "riskapp.sqlite")


def serving(database: Path, *options: str, log_name: str = "server.log"):
    """Serve the demo on `database` in its own process (`tests.browser.serve` with `options`);
    yield its address, stop it afterwards."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    log = open(ARTIFACTS / log_name, "w")  # tracebacks of any 500 land here
    process = subprocess.Popen([sys.executable, "-m", "tests.browser.serve", str(database),
                                *options],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        line = process.stdout.readline()  # blocks until the demo is loaded and the port bound
        match = re.fullmatch(r"PORT (\d+)\n", line)
        if not match:
            process.wait(timeout=10)
            pytest.fail(f"the test server did not start (exit {process.returncode}): {line!r}")
        yield f"http://127.0.0.1:{match[1]}"
    finally:
        stop(process)
        process.stdout.close()
        log.close()


def stop(process: subprocess.Popen) -> None:
    """Stop a server or worker the test started: ask, then make it, each bounded."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        message = f"{CHROMIUM} is missing: apt-get install -y chromium"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open pages in fresh contexts: `new_page(width=320, ...)`; all are closed after the test."""
    contexts = []

    def open_page(width: int = 1280, height: int = 900, **options):
        context = browser.new_context(base_url=live_server, viewport={"width": width, "height": height},
                                      accept_downloads=True, **options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        # Script errors, CSP refusals and failed sub-resources (a refused form's 422 is expected).
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and not msg.text.startswith(
            "Failed to load resource") and page.console_errors.append(msg.text))
        page.on("pageerror", lambda error: page.console_errors.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and r.request.resource_type != "document"
                and page.console_errors.append(f"{r.status} {r.url}"))
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


class Shots:
    """Full-page screenshots of one test, numbered so they sort in the order they were taken."""

    def __init__(self, name: str):
        self.folder = ARTIFACTS / re.sub(r"[^\w.-]+", "_", name)
        shutil.rmtree(self.folder, ignore_errors=True)
        self.folder.mkdir(parents=True)
        self.count = 0

    def __call__(self, page, label: str) -> Path:
        self.count += 1
        slug = re.sub(r"[^\w-]+", "-", label)
        path = self.folder / f"{self.count:02d}-{slug}.png"
        page.screenshot(path=str(path), full_page=True)
        return path


@pytest.fixture
def shots(request):
    return Shots(request.node.name)


#: NHS.UK frontend's header has started (it then moves the links that do not fit into its
#: "More" menu, and again whenever its width changes); true on a page without that header.
HEADER_STARTED = """() => {
  const header = document.querySelector('[data-module="nhsuk-header"]');
  return !header || header.hasAttribute('data-nhsuk-header-init');
}"""

#: Fonts loaded, then three frames laid out: a resize observer (the header's, the scrolling
#: tables' in static/app.js) reports in one frame and its page changes in the next.
SETTLED = """async () => {
  await document.fonts.ready;
  for (let i = 0; i < 3; i++) await new Promise((done) => requestAnimationFrame(done));
}"""


def settle(page) -> None:
    """Wait until the page's scripts have laid it out: before measuring it or running axe."""
    page.wait_for_function(HEADER_STARTED)
    page.evaluate(SETTLED)


def sign_in(page, email: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the login form and wait for the page it leads to."""
    page.goto("/auth/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert "/auth/login" not in page.url, page.locator("main").inner_text()

