"""Serve riskapp with the demo data on 127.0.0.1, for the browser tests (run as a subprocess).

    python -m tests.browser.serve DATABASE_FILE
    python -m tests.browser.serve DATABASE_FILE --empty PORT
    python -m tests.browser.serve DATABASE_FILE --queued
    python -m tests.browser.serve DATABASE_FILE --locked

The second serves a database made by `flask db upgrade` and `flask users create` only (day
one, issue 16) on PORT, with settings from the environment (RISKAPP_BASE_URL, SMTP_*, OIDC_*).
The third puts each job on the queue `sqlite:///DATABASE_FILE.tasks` for a `flask worker` the
test starts, as in production, instead of running it as it is asked for. The fourth approves
the minutes of the demo's held meeting at its committee's next meeting, so its record is locked
(issue 14: the pages of a locked meeting).

Creates the schema on a fresh SQLite file, loads the demo data as `flask demo load` does, then
serves on a free port and prints `PORT <n>` on one line so the test knows where to go. It runs
until it is terminated. Sign-in rate limits are off: every journey signs in from 127.0.0.1.
"""
from __future__ import annotations

import logging
import sys

from werkzeug.serving import make_server


def main(database_file: str, empty: bool = False, port: int = 0, queued: bool = False,
         locked: bool = False) -> None:
    from riskapp import create_app
    from riskapp.extensions import db

    app = create_app({
        "SECRET_KEY": "browser-tests",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{database_file}",
        "RATELIMIT_ENABLED": False,
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        # No worker process here: each job (the BAF pack) runs as it is asked for; or, queued,
        # a worker the test starts runs it.
        "JOBS_RUN_AT_ONCE": not queued,
        "TASK_QUEUE_URL": f"sqlite:///{database_file}.tasks" if queued else "",
    })
    from riskapp.demo.loader import load_demo  # after create_app: it imports every model first

    if not empty:
        with app.app_context():
            db.create_all()
            load_demo()
            db.session.commit()
            if locked:
                _approve_the_held_meetings_minutes()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"PORT {server.port}", flush=True)
    server.serve_forever()


def _approve_the_held_meetings_minutes() -> None:
    from sqlalchemy import select

    from riskapp.extensions import db
    from riskapp.meetings import services
    from riskapp.meetings.models import Meeting
    held = db.session.scalar(select(Meeting).where(Meeting.status == "Held")
                             .order_by(Meeting.starts_at))
    later = db.session.scalar(select(Meeting).where(
        Meeting.committee_id == held.committee_id, Meeting.starts_at > held.starts_at)
        .order_by(Meeting.starts_at))
    services.approve_minutes(held, later)
    db.session.commit()


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[2] == "--empty":
        main(sys.argv[1], empty=True, port=int(sys.argv[3]))
    elif len(sys.argv) > 2 and sys.argv[2] == "--queued":
        main(sys.argv[1], queued=True)
    elif len(sys.argv) > 2 and sys.argv[2] == "--locked":
        main(sys.argv[1], locked=True)
    else:
        main(sys.argv[1])
