"""The BAF cover paper in Chromium (issue 18), drafted as production drafts it: the page asks,
a real `flask worker` (Huey, its queue in an SQLite file) drafts, the job's page follows the
progress (static/job.js) and opens the draft the moment it is ready; the Word document is
downloaded from it. axe on the options, progress and draft pages; screenshots at 320 and
1280 px in test-artifacts/browser/<test>/.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

import pytest
from docx import Document
from playwright.sync_api import expect

from tests.browser.axe import BLOCKING, describe, run_axe
from tests.browser.conftest import ARTIFACTS, ROOT, TIMEOUT_MS, serving, settle, sign_in, stop


class Served:
    """The server's address, and the worker: started by the first test, once it has seen a
    job wait on the queue."""

    def __init__(self, url: str, start):
        self.url, self._start, self.worker = url, start, None

    def start_worker(self) -> None:
        if self.worker is None:
            self.worker = self._start()


@pytest.fixture(scope="module")
def queued_server(tmp_path_factory):
    """The demo served with each job put on a queue, and a worker process running them."""
    database = tmp_path_factory.mktemp("cover") / "riskapp.sqlite"
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "FLASK_APP")}
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    worker_log = open(ARTIFACTS / "cover-worker.log", "w")
    try:
        with contextmanager(serving)(database, "--queued", log_name="cover-server.log") as url:
            served = Served(url, lambda: subprocess.Popen(
                [sys.executable, "-m", "flask", "worker"], cwd=ROOT, stdout=worker_log,
                stderr=worker_log,
                env=dict(env, FLASK_APP="riskapp", DATABASE_URL=f"sqlite:///{database}",
                         RISKAPP_TASK_QUEUE_URL=f"sqlite:///{database}.tasks",
                         SECRET_KEY="browser-tests-cover-paper-worker-key")))
            try:
                yield served
            finally:
                if served.worker is not None:
                    stop(served.worker)
    finally:
        worker_log.close()


@pytest.fixture
def open_page(browser, queued_server):
    contexts = []

    def make(width=1280):
        context = browser.new_context(base_url=queued_server.url, accept_downloads=True,
                                      viewport={"width": width, "height": 900})
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        page = context.new_page()
        page.problems = []
        page.on("pageerror", lambda error: page.problems.append(str(error)))
        page.on("response", lambda r: r.status >= 400 and page.problems.append(
            f"{r.status} {r.url}"))
        return page
    yield make
    for context in contexts:
        context.close()


def _axe(page, where: str) -> None:
    settle(page)
    serious = [v for v in run_axe(page) if v["impact"] in BLOCKING]
    assert not serious, describe(where, serious)


@pytest.mark.parametrize("width", [1280, 320])
def test_the_paper_is_drafted_by_the_worker_and_opens_when_ready(open_page, shots, width,
                                                                queued_server):
    page = open_page(width)
    sign_in(page, "board.member@example.org")
    page.goto("/reports/cover")
    _axe(page, "/reports/cover")
    page.get_by_role("group", name="Date of the last paper").get_by_label("Day").fill("31")
    page.get_by_role("group", name="Date of the last paper").get_by_label("Month").fill("5")
    page.get_by_role("group", name="Date of the last paper").get_by_label("Year").fill("2023")
    page.get_by_role("group", name="Date of this paper").get_by_label("Day").fill("30")
    page.get_by_role("group", name="Date of this paper").get_by_label("Month").fill("6")
    page.get_by_role("group", name="Date of this paper").get_by_label("Year").fill("2023")
    shots(page, f"{width}-options")
    if queued_server.worker is None:
        # No worker yet: the paper waits on the queue, and its page shows so, following it.
        page.get_by_role("button", name="Draft the paper").click()
        expect(page.get_by_role("heading", name="Your cover paper")).to_be_visible()
        expect(page.get_by_text("Waiting to start")).to_be_visible()
        with page.expect_response(re.compile(r"/jobs/\d+/progress$")) as progress:
            pass  # the page asks how far the job has got, again and again
        assert progress.value.json()["finished"] is False
        _axe(page, page.url)
        shots(page, f"{width}-progress")
        queued_server.start_worker()
    else:
        page.get_by_role("button", name="Draft the paper").click()
    # The job's page follows the worker and opens the draft when it is ready: wait for that.
    expect(page.get_by_role("heading", name="Board Assurance Framework: cover paper")
           ).to_be_visible(timeout=max(TIMEOUT_MS, 60_000))
    assert re.search(r"/reports/cover/\d+$", page.url)
    expect(page.get_by_role("heading", name="Scores that rose or fell")).to_be_visible()
    expect(page.get_by_role("link", name="BAF0001").first).to_be_visible()
    _axe(page, page.url)
    shots(page, f"{width}-draft")
    # No part of the page is wider than the screen (320 px: WCAG 1.4.10 reflow)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the cover paper (Word)").click()
    assert download.value.suggested_filename == \
        "board-assurance-framework-cover-paper-2023-06-30.docx"
    doc = Document(io.BytesIO(Path(download.value.path()).read_bytes()))
    assert "Scores that rose or fell" in [p.text for p in doc.paragraphs]
    assert not page.problems, page.problems
