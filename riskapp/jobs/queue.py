"""The task queue: Huey, with its queue where the app's data is, or in Redis when set.

Huey (a kept, small task queue, as CISO Assistant uses) needs no extra server: on SQLite the
queue is in `instance/tasks.sqlite`, which the web processes and `flask worker` on one host
share; on PostgreSQL it is in that database (tables `huey_*`), which every host shares.
`RISKAPP_TASK_QUEUE_URL=redis://...` puts it in Redis instead.
The jobs' progress and results are in the app's own database (riskapp.jobs.models), so any
web process on any host shows them; Huey only carries "run job 42" to a worker.

`JOBS_RUN_AT_ONCE` (tests) runs each job as soon as it is asked for, in the same process
(Huey's immediate mode).
"""
from __future__ import annotations

import logging
import os

from flask import Flask

logger = logging.getLogger(__name__)

_huey = None
_made_for = None
_app: Flask | None = None
_run_task = None


def init_app(app: Flask) -> None:
    app.config.setdefault("TASK_QUEUE_URL", os.environ.get("RISKAPP_TASK_QUEUE_URL", ""))
    app.config.setdefault("JOBS_RUN_AT_ONCE", False)


def huey_for(app: Flask):
    """The queue of `app` (made once per process), with the job task registered on it."""
    global _huey, _made_for, _app, _run_task
    _app = app
    url = app.config["TASK_QUEUE_URL"]
    immediate = bool(app.config["JOBS_RUN_AT_ONCE"])
    if _huey is not None and _made_for == (url, immediate, app.instance_path):
        return _huey
    from huey import PostgresHuey, RedisHuey, SqliteHuey, crontab
    _close(_huey)  # an app with other settings (tests): let go of the old queue's connection
    _made_for = (url, immediate, app.instance_path)
    database = app.config.get("SQLALCHEMY_DATABASE_URI", "")
    if url.startswith(("redis://", "rediss://")):
        _huey = RedisHuey("riskapp", url=url, immediate=immediate, results=False)
    elif not url and database.startswith("postgresql"):
        # The app's own PostgreSQL carries the queue too (Huey's huey_* tables): every host
        # shares it with no extra server.
        dsn = database.replace("postgresql+psycopg://", "postgresql://", 1)
        _huey = PostgresHuey("riskapp", dsn=dsn, immediate=immediate, results=False)
    else:
        path = url.removeprefix("sqlite:///") if url else os.path.join(app.instance_path,
                                                                        "tasks.sqlite")
        _huey = SqliteHuey("riskapp", filename=path, immediate=immediate, results=False)

    @_huey.task(name="riskapp.run_job")
    def run_job_task(job_id: int) -> None:
        from .services import run_job
        with _app.app_context():
            run_job(job_id)

    @_huey.periodic_task(crontab(minute="17"), name="riskapp.let_go_of_old_results")
    def let_go_task() -> None:
        from .services import let_go_of_old_results
        with _app.app_context():
            let_go_of_old_results()

    _run_task = run_job_task
    return _huey


def enqueue(app: Flask, job_id: int) -> None:
    huey_for(app)
    _run_task(job_id)


def _close(huey) -> None:
    """Close a queue's connection to its store (Huey's PostgreSQL store keeps one open, and
    one per listening thread, until told to close or collected as garbage)."""
    if huey is not None:
        huey.storage.close()


def reset() -> None:
    """Forget the queue (tests make apps with other settings)."""
    global _huey, _app, _run_task
    _close(_huey)
    _huey = _app = _run_task = None
