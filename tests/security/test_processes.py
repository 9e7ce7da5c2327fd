"""Production shape on one PostgreSQL: two app processes and two reminder runs at once.

Two gunicorn servers (two workers each) on 127.0.0.1, two `flask reminders run` processes and
a real SMTP server (aiosmtpd). While the reminder runs send, two people edit through the two
servers: the same risk at the same moment (one kept, the other refused with 409 and what they
typed, then saved once they reload), and a burst of edits of separate risks spread over both
servers (every one kept). Each reminder arrives exactly once. Everything is bounded in time
and every process is stopped in a `finally`.
"""
from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from markupsafe import escape
from sqlalchemy import select

from riskapp.record import trail as record_trail
from riskapp.auth.models import Role
from riskapp.risks.models import Risk
from tests.conftest import TEST_DATABASE_URL, is_postgres
from tests.factories import PASSWORD, make_risk, make_user
from tests.reminders.conftest import BASE_URL, SmtpServer, free_port
from tests.reminders.test_concurrency import DAY, check_exactly_once, populate
from tests.security.formdata import form_fields

pytestmark = [
    pytest.mark.postgres_only,
    pytest.mark.skipif(not is_postgres(), reason="needs RISKAPP_TEST_DATABASE_URL=postgresql://"),
]

ROOT = Path(__file__).parents[2]
STALE = "Someone else changed this record"
DEADLINE = 120  # seconds for any one process or wait


def environment(smtp_port: int) -> dict:
    return dict(os.environ, FLASK_APP="riskapp", DATABASE_URL=TEST_DATABASE_URL,
                SECRET_KEY="one-key-for-every-process-0123456789", RISKAPP_BASE_URL=BASE_URL,
                SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port), PYTHONPATH=str(ROOT),
                RATELIMIT_STORAGE_URI="memory://")


def start_server(port: int, env: dict, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}",
               "--timeout", "60", "--graceful-timeout", "5", "wsgi:app"]
    with log.open("w") as out:  # the child keeps its own copy of the descriptor
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)


def wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + DEADLINE
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"{base} exited: {log.read_text()[-3000:]}")
        try:
            if requests.get(f"{base}/health", timeout=2).json() == {"status": "ok"}:
                return
        except (requests.ConnectionError, requests.Timeout, ValueError):
            pass
        time.sleep(0.2)
    pytest.fail(f"{base} not healthy in {DEADLINE}s: {log.read_text()[-3000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


class Browser:
    """A person's browser talking to one of the servers, CSRF tokens and all."""

    def __init__(self, base: str, user):
        self.base = base
        self.http = requests.Session()
        page = self.http.get(f"{base}/auth/login", timeout=30)
        data = form_fields(page.text, action="/auth/login")
        data.update(email=user.email, password=PASSWORD)
        response = self.http.post(f"{base}/auth/login", data=data, timeout=30,
                                  allow_redirects=False)
        assert response.status_code == 302, response.text[:2000]

    def load(self, path: str) -> dict:
        page = self.http.get(self.base + path, timeout=30)
        assert page.status_code == 200, page.text[:2000]
        return form_fields(page.text, action="")

    def save(self, path: str, data: dict) -> requests.Response:
        return self.http.post(self.base + path, data=data, timeout=30, allow_redirects=False)


def test_two_servers_and_two_reminder_runs_lose_no_edit_and_send_each_reminder_once(
        app, db, tmp_path):
    addresses = populate()  # 40 people with overdue actions, one owner: 120 reminders
    owner = db.session.scalar(select(Risk)).owner
    manager = make_user(Role.RISK_MANAGER, email="risk.manager@example.org")
    contested = make_risk(owner, title="Workforce capacity")
    separate = [make_risk(owner, title=f"Separate risk {n}") for n in range(12)]
    for risk in [contested, *separate]:
        risk.next_review_date = DAY.replace(year=2099)  # no review reminders from these
    db.session.commit()
    contested_ref, contested_id, seen = contested.reference, contested.id, contested.version
    separate_refs = {r.reference: r.id for r in separate}

    smtp = SmtpServer()
    smtp.start()
    env = environment(smtp.port)
    ports = [free_port(), free_port()]
    logs = [tmp_path / f"web{n}.log" for n in (1, 2)]
    processes: list[subprocess.Popen] = []
    try:
        servers = [start_server(port, env, log) for port, log in zip(ports, logs)]
        processes += servers
        bases = [f"http://127.0.0.1:{port}" for port in ports]
        for base, proc, log in zip(bases, servers, logs):
            wait_healthy(base, proc, log)
        olive, rita = Browser(bases[0], owner), Browser(bases[1], manager)

        # Both load the contested risk before the reminder runs start.
        path = f"/risks/{contested_ref}/edit"
        forms = [dict(olive.load(path), title="Workforce capacity & retention (owner)"),
                 dict(rita.load(path), title="Workforce capacity <in 2024> (risk manager)")]
        assert forms[0]["version"] == forms[1]["version"] == str(seen)

        reminder_command = [sys.executable, "-m", "flask", "reminders", "run",
                            "--date", DAY.isoformat()]
        runs = [subprocess.Popen(reminder_command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True) for _ in range(2)]
        processes += runs

        # The two saves of the contested risk at the same moment, one through each server.
        go = threading.Barrier(2, timeout=30)
        results: list = [None, None]

        def save(n, browser):
            go.wait()
            results[n] = browser.save(path, forms[n])

        threads = [threading.Thread(target=save, args=(n, b)) for n, b in enumerate((olive, rita))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(DEADLINE)
        assert [r.status_code for r in results].count(302) == 1, [
            (r.status_code, r.text[:300]) for r in results]
        loser = next(n for n, r in enumerate(results) if r.status_code == 409)
        winner = 1 - loser
        refused = results[loser].text
        assert STALE in refused and str(escape(forms[loser]["title"])) in refused

        # A burst of edits of separate risks through both servers at once: every one kept.
        def edit_separate(job):
            n, reference = job
            browser = (olive, rita)[n % 2]
            data = dict(browser.load(f"/risks/{reference}/edit"),
                        title=f"Separate risk {reference}, edited via server {n % 2 + 1}")
            return reference, data["title"], browser.save(f"/risks/{reference}/edit", data)

        with ThreadPoolExecutor(6) as pool:
            burst = list(pool.map(edit_separate, enumerate(separate_refs)))
        assert [r.status_code for _, _, r in burst] == [302] * len(separate_refs)

        # The refused person reloads (through their own server) and saves again.
        browser = (olive, rita)[loser]
        again = dict(browser.load(path), title="Workforce capacity: agreed wording")
        assert again["version"] == str(seen + 1)
        assert browser.save(path, again).status_code == 302

        outcomes = []
        for run in runs:
            out, err = run.communicate(timeout=DEADLINE)
            outcomes.append(subprocess.CompletedProcess(reminder_command, run.returncode,
                                                        out, err))
    finally:
        for proc in processes:
            stop(proc)
        smtp.stop()

    db.session.expire_all()
    check_exactly_once(smtp, addresses, outcomes, db.session)
    stored = db.session.get(Risk, contested_id)
    assert stored.title == "Workforce capacity: agreed wording"
    assert stored.version == seen + 2  # the winner's save and the loser's second: nothing else
    titles = dict(db.session.execute(select(Risk.reference, Risk.title)
                                     .where(Risk.id.in_(separate_refs.values()))).all())
    assert titles == {ref: title for ref, title, _ in burst}
    # On the trail: the winner's title, then the refused person's considered one over it.
    changes = [(old, new) for _, _, old, new in
               record_trail.field_changes(Risk, "title", [contested_id]) if old is not None]
    assert changes == [
        ("Workforce capacity", forms[winner]["title"]),
        (forms[winner]["title"], "Workforce capacity: agreed wording")]
