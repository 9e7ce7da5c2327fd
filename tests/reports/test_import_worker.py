"""An import checked and saved by a real `flask worker` (issue 15, finding 1): the web request
only keeps the file and asks; the worker reads it, checks it, and later saves it, with the
changes on the record as the importer's although no one is signed in to the worker.

Production shape on SQLite: a file database, Huey's queue in a file, `flask worker` as its own
process. Bounded: every wait has a deadline and the worker is stopped in a `finally`.
"""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy_continuum import versioning_manager

from riskapp import create_app
from riskapp.auth.models import User
from riskapp.demo.loader import load_demo
from riskapp.extensions import db
from riskapp.jobs import queue
from riskapp.risks.models import Risk
from tests.conftest import FreshContextClient
from tests.security.test_processes import stop

pytestmark = [pytest.mark.sqlite_only]

ROOT = Path(__file__).parents[2]
DEADLINE = 180  # seconds for the worker to start and do one piece of work, on a loaded machine
SECRET = "import-worker-test-key-0123456789abcdef"


def _wait_for(client, url: str, done: str, log: Path) -> str:
    """Poll the job's page (as the browser's refresh does) until it says `done`."""
    deadline = time.monotonic() + DEADLINE
    while True:
        text = client.get(url, follow_redirects=True).get_data(as_text=True)
        if done in text:
            return text
        assert "could not be finished" not in text, log.read_text()[-3000:]
        assert time.monotonic() < deadline, f"not done in {DEADLINE} s: {log.read_text()[-3000:]}"
        time.sleep(0.2)  # polling interval, not a wait for something to happen


def test_an_import_is_checked_and_saved_by_a_real_worker(tmp_path):
    url, tasks = f"sqlite:///{tmp_path}/riskapp.sqlite", f"sqlite:///{tmp_path}/tasks.sqlite"
    app = create_app({"TESTING": True, "SECRET_KEY": SECRET, "SQLALCHEMY_DATABASE_URI": url,
                      "WTF_CSRF_ENABLED": False, "TASK_QUEUE_URL": tasks,
                      "JOBS_RUN_AT_ONCE": False, "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    app.test_client_class = FreshContextClient
    with app.app_context():
        db.create_all()
        load_demo()
        manager = db.session.scalar(select(User).where(User.email == "risk.manager@example.org"))
        manager.set_password("pw-for-tests-123")
        db.session.commit()
        manager_id = manager.id
    log = tmp_path / "worker.log"
    env = dict(os.environ, FLASK_APP="riskapp", DATABASE_URL=url, SECRET_KEY=SECRET,
               RISKAPP_TASK_QUEUE_URL=tasks, PYTHONPATH=str(ROOT))
    with log.open("w") as out:
        worker = subprocess.Popen([sys.executable, "-m", "flask", "worker"], cwd=ROOT, env=env,
                                  stdout=out, stderr=subprocess.STDOUT)
    try:
        client = app.test_client()
        assert client.post("/auth/login", data={"email": "risk.manager@example.org",
                                                "password": "pw-for-tests-123"}).status_code == 302
        book = load_workbook(io.BytesIO(client.get("/reports/export/register.xlsx").data))
        risks = book["Risks"]
        headers = [c.value for c in risks[1]]
        risks.cell(row=2, column=headers.index("Title") + 1, value="Elective recovery (revised)")
        new = {"Register": "BAF", "Title": "Estates backlog", "Owner email":
               "dean.westcott@example.org", "Status": "Open", "Initial consequence": 4,
               "Initial likelihood": 4, "Current consequence": 4, "Current likelihood": 3}
        risks.append([new.get(h) for h in headers])
        data = io.BytesIO()
        book.save(data)
        asked = client.post("/reports/import", data={"file": (io.BytesIO(data.getvalue()),
                                                              "changes.xlsx")},
                            content_type="multipart/form-data")
        assert asked.status_code == 302 and "/jobs/" in asked.location
        waiting = client.get(asked.location).get_data(as_text=True)
        assert "Your import is being checked" in waiting or "Check the import" in waiting
        preview = _wait_for(client, asked.location, "Check the import", log)
        assert "1 to add, 1 to update, 10 unchanged" in preview
        with app.app_context():  # the check saved nothing
            assert db.session.scalar(select(Risk).where(Risk.title == "Estates backlog")) is None
        address = re.search(r'action="(/reports/import/\d+/confirm)"', preview).group(1)
        confirmed = client.post(address)
        assert confirmed.status_code == 302 and "/jobs/" in confirmed.location
        outcome = _wait_for(client, confirmed.location, "Import saved", log)
        assert "1 record added, 1 record updated" in outcome and "<li>BAF0012</li>" in outcome
        with app.app_context():
            added = db.session.scalar(select(Risk).where(Risk.reference == "BAF0012"))
            assert added.title == "Estates backlog"
            # The worker has no one signed in: the versions are the importer's even so.
            transaction = db.session.scalar(select(versioning_manager.transaction_cls)
                                            .order_by(versioning_manager.transaction_cls.id
                                                      .desc()))
            assert transaction.user_id == manager_id
    finally:
        stop(worker)
        queue.reset()
        with app.app_context():
            db.engine.dispose()
