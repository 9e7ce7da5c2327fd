"""Issue 15, finding 14 (its SIGTERM half): stopping the scheduler mid-run finishes the run.

systemd and container stops send SIGTERM. Before the fix the run under way was cut off: digests
the mail server had accepted were not yet marked sent, and went out again later. Here a real
`flask reminders scheduler --now` process is stopped with SIGTERM while its run is part-way
(the mail server holds the first digest until the signal has been sent); the run must finish,
every digest arriving once and every reminder marked sent, and the process exit cleanly.
"""
from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import threading
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from riskapp import create_app
from riskapp.extensions import db as _db
from riskapp.reminders.models import Reminder
from tests.factories import make_action, make_risk, make_user
from tests.reminders.conftest import Handler, free_port

ROOT = Path(__file__).parents[2]
PEOPLE = 12


class HoldingHandler(Handler):
    """Accepts mail, but holds the first message until `release` is set."""

    def __init__(self):
        super().__init__()
        self.first_arrived = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope):
        if not self.first_arrived.is_set():
            self.first_arrived.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 60)
        return await super().handle_DATA(server, session, envelope)


def _populate() -> list[str]:
    today = date.today()
    owner = make_user(email="owner@example.org")
    risk = make_risk(owner)
    risk.next_review_date = today + timedelta(days=3650)
    addresses = []
    for n in range(PEOPLE):
        person = make_user(email=f"person{n}@example.org")
        make_action(risk, person, detail=f"Action {n}", target_date=today - timedelta(days=3))
        addresses.append(person.email)
    _db.session.commit()
    return addresses


@pytest.mark.sqlite_only
def test_14_sigterm_mid_run_finishes_the_run_and_sends_nothing_twice(tmp_path):
    url = f"sqlite:///{tmp_path / 'reminders.sqlite'}"
    app = create_app({"TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        _db.create_all()
        addresses = _populate()
        _db.session.remove()
    handler = HoldingHandler()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    env = dict(os.environ, FLASK_APP="riskapp", DATABASE_URL=url, SMTP_HOST="127.0.0.1",
               SMTP_PORT=str(controller.port), RISKAPP_BASE_URL="https://riskapp.example.nhs.uk",
               PYTHONPATH=str(ROOT))
    log = tmp_path / "scheduler.log"
    with open(log, "w") as out:
        process = subprocess.Popen([sys.executable, "-m", "flask", "reminders", "scheduler",
                                    "--now"], cwd=ROOT, env=env, stdout=out,
                                   stderr=subprocess.STDOUT)
    try:
        assert handler.first_arrived.wait(120), log.read_text()[-3000:]
        process.send_signal(signal.SIGTERM)  # the run is under way: one digest in the server
        handler.release.set()
        assert process.wait(timeout=120) == 0, log.read_text()[-3000:]
    finally:
        handler.release.set()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)
        controller.stop()
    per_address = Counter(r for m in handler.received for r in m.rcpt_tos)
    assert per_address == Counter(addresses), log.read_text()[-3000:]  # every one, once
    with app.app_context():
        statuses = Counter(_db.session.scalars(select(Reminder.status)))
        _db.session.remove()
    assert statuses == Counter({"sent": PEOPLE})
    assert "finishing the run under way" in log.read_text()
