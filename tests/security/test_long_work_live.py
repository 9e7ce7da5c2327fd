"""Issue 15, done when: two BAF packs of a 5,000-risk register asked for at once on a live
gunicorn leave the service answering, and each is downloaded once ready.

Production shape on SQLite: gunicorn (two workers, its timeout from gunicorn.conf.py) and
`flask worker` (two at a time), one database built once per session with `flask demo scale`.
Two people ask for the pack of the 5,000-risk register; while the worker makes them, `/health`
answers every time it is asked (within the 10 s bound of each request: how fast it answers is
a figure for bench/bench_pack_job.py, not a timed assertion); then each pack downloads as a PDF.
Bounded: every wait has a deadline and every process is stopped in a `finally`.
"""
from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from riskapp.demo.loader import DEMO_PASSWORD
from tests.reminders.conftest import free_port
from tests.security.formdata import form_fields
from tests.security.test_processes import stop, wait_healthy

pytestmark = [pytest.mark.sqlite_only, pytest.mark.live_load, pytest.mark.timeout(1800)]

ROOT = Path(__file__).parents[2]
DEADLINE = 1500  # seconds for the two packs of 5,000 risks on two shared CPU cores (~730 s measured under load)


@pytest.fixture(scope="session")
def scale_database(tmp_path_factory):
    """A file database holding the demo and a 5,000-risk register, built once per session."""
    folder = tmp_path_factory.mktemp("scale")
    env = dict(os.environ, FLASK_APP="riskapp", PYTHONPATH=str(ROOT),
               DATABASE_URL=f"sqlite:///{folder}/riskapp.sqlite",
               SECRET_KEY="live-load-test-key-0123456789abcdef",
               RISKAPP_TASK_QUEUE_URL=f"sqlite:///{folder}/tasks.sqlite")
    flask = [sys.executable, "-m", "flask"]
    subprocess.run(flask + ["db", "upgrade"], cwd=ROOT, env=env, check=True,
                   capture_output=True, timeout=300)
    subprocess.run(flask + ["demo", "scale", "--risks", "5000"], cwd=ROOT, env=env,
                   check=True, capture_output=True, timeout=600)
    return folder, env


def _signed_in(base: str, email: str) -> requests.Session:
    http = requests.Session()
    data = form_fields(http.get(f"{base}/auth/login", timeout=30).text, action="/auth/login")
    data.update(email=email, password=DEMO_PASSWORD)
    assert http.post(f"{base}/auth/login", data=data, timeout=30,
                     allow_redirects=False).status_code == 302
    return http


def _ask_for_pack(http: requests.Session, base: str, register_id: int) -> str:
    page = http.get(f"{base}/reports/pack?register={register_id}", timeout=30)
    data = form_fields(page.text, action="/reports/baf.pdf")
    data["register"] = str(register_id)
    asked = http.post(f"{base}/reports/baf.pdf", data=data, timeout=30, allow_redirects=False)
    assert asked.status_code == 302, asked.text[:2000]
    return base + asked.headers["Location"]


def test_two_packs_at_5000_risks_leave_the_service_answering(scale_database):
    folder, env = scale_database
    with sqlite3.connect(folder / "riskapp.sqlite") as connection:
        (register_id,) = connection.execute(
            "SELECT id FROM registers WHERE prefix = 'CRR'").fetchone()
        (risks,) = connection.execute("SELECT count(*) FROM risks WHERE register_id = ? AND "
                                      "status = 'Open'", (register_id,)).fetchone()
    assert risks > 4000
    port = int(os.environ.get("RISKAPP_LIVE_PORT") or free_port())
    base = f"http://127.0.0.1:{port}"
    web_log, worker_log = folder / "web.log", folder / "worker.log"
    processes = []
    try:
        with web_log.open("w") as out:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind",
                 f"127.0.0.1:{port}", "wsgi:app"], cwd=ROOT, env=env, stdout=out,
                stderr=subprocess.STDOUT))
        with worker_log.open("w") as out:
            processes.append(subprocess.Popen(
                [sys.executable, "-m", "flask", "worker", "--workers", "2"], cwd=ROOT, env=env,
                stdout=out, stderr=subprocess.STDOUT))
        wait_healthy(base, processes[0], web_log)
        people = [_signed_in(base, email) for email in ("board.member@example.org",
                                                        "risk.manager@example.org")]
        asked_at = time.monotonic()
        job_pages = [_ask_for_pack(http, base, register_id) for http in people]
        assert job_pages[0] != job_pages[1]
        slowest_health, ready, answered_while_both_made = 0.0, {}, 0
        deadline = time.monotonic() + DEADLINE
        while len(ready) < 2:
            assert time.monotonic() < deadline, (worker_log.read_text()[-3000:])
            assert processes[1].poll() is None, worker_log.read_text()[-3000:]
            started = time.monotonic()
            health = requests.get(f"{base}/health", timeout=10)
            slowest_health = max(slowest_health, time.monotonic() - started)
            assert health.status_code == 200
            for n, (http, page) in enumerate(zip(people, job_pages)):
                if n in ready:
                    continue
                text = http.get(page, timeout=10).text
                assert "could not be made" not in text, worker_log.read_text()[-3000:]
                # Ready when the page offers the download (its words while waiting say
                # "until it is ready" too).
                if f'href="{page.removeprefix(base)}/download"' in text:
                    ready[n] = time.monotonic() - asked_at
                else:
                    assert "is being made" in text and "<progress" in text
            if not ready:  # /health answered, and both packs were still being made after it
                answered_while_both_made += 1
            time.sleep(0.5)  # polling interval, not a wait for something to happen
        # The service answered while both packs were being made: they are made off the web
        # workers. How fast it answered is a figure for bench/, never a timed assertion here.
        assert answered_while_both_made >= 1
        for http, page in zip(people, job_pages):
            pdf = http.get(page + "/download", timeout=30)
            assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
            assert "attachment" in pdf.headers["Content-Disposition"]
        print(f"\n{risks} risks: packs ready after {sorted(round(t, 1) for t in ready.values())}"
              f" s; slowest /health {slowest_health * 1000:.0f} ms")
    finally:
        for process in reversed(processes):
            stop(process)
