"""Two `flask reminders run` processes at once: each reminder arrives exactly once.

On SQLite (a file database, as deployed by default) always; on PostgreSQL, where claims use
FOR UPDATE SKIP LOCKED, when RISKAPP_TEST_DATABASE_URL is a postgres URL.
"""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from riskapp import create_app
from riskapp.extensions import db as _db
from riskapp.reminders.models import Reminder
from tests.conftest import TEST_DATABASE_URL, is_postgres
from tests.factories import make_action, make_risk, make_user

ROOT = Path(__file__).parents[2]
DAY = date(2023, 11, 29)
PEOPLE = 40


def populate() -> list[str]:
    owner = make_user(email="owner@example.org")
    risk = make_risk(owner)
    risk.next_review_date = date(2099, 1, 1)
    addresses = []
    for n in range(PEOPLE):
        person = make_user(email=f"person{n}@example.org")
        # Two actions each (one escalated to the owner), so digests have several items.
        make_action(risk, person, detail=f"Action {n}a", target_date=DAY - timedelta(days=3))
        make_action(risk, person, detail=f"Action {n}b", target_date=DAY - timedelta(days=30))
        addresses.append(person.email)
    _db.session.commit()
    return addresses + ["owner@example.org"]


def run_two_at_once(database_url: str, smtp_port: int) -> list[subprocess.CompletedProcess]:
    env = dict(os.environ, FLASK_APP="riskapp", DATABASE_URL=database_url,
               SMTP_HOST="127.0.0.1", SMTP_PORT=str(smtp_port),
               RISKAPP_BASE_URL="https://riskapp.example.nhs.uk", PYTHONPATH=str(ROOT))
    command = [sys.executable, "-m", "flask", "reminders", "run", "--date", DAY.isoformat()]
    procs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(2)]
    results = []
    for proc in procs:
        out, err = proc.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(command, proc.returncode, out, err))
    return results


def check_exactly_once(smtp, addresses, results, session):
    for result in results:
        assert result.returncode == 0, result.stderr[-3000:]
    per_address = Counter(r for m in smtp.received for r in m.rcpt_tos)
    assert per_address == Counter(addresses)  # one digest each, nobody twice
    owner_mail = smtp.to("owner@example.org")[0]
    assert owner_mail.text.count("escalated to you as risk owner") == PEOPLE
    statuses = Counter(session.scalars(select(Reminder.status)))
    assert statuses == Counter({"sent": PEOPLE * 2 + PEOPLE})
    sent_counts = [int(r.stdout.split("Sent ")[1].split(" ")[0]) for r in results]
    assert sum(sent_counts) == PEOPLE * 3
    # Both queued the same 120 reminders; the unique key let each in once.
    queued = [int(r.stdout.split("due, ")[1].split(" ")[0]) for r in results]
    assert sum(queued) == PEOPLE * 3


def test_two_processes_on_sqlite_send_each_reminder_once(tmp_path, smtp):
    url = f"sqlite:///{tmp_path / 'reminders.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _db.create_all()
        addresses = populate()
        results = run_two_at_once(url, smtp.port)
        check_exactly_once(smtp, addresses, results, _db.session)
        _db.session.remove()


@pytest.mark.postgres_only
@pytest.mark.skipif(not is_postgres(), reason="needs RISKAPP_TEST_DATABASE_URL=postgresql://...")
def test_two_processes_on_postgresql_send_each_reminder_once(app, db, smtp):
    addresses = populate()
    results = run_two_at_once(TEST_DATABASE_URL, smtp.port)
    db.session.expire_all()
    check_exactly_once(smtp, addresses, results, db.session)
