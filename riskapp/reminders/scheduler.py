"""The reminder scheduler: APScheduler 3.x in its own process (`flask reminders scheduler`).

Why its own process: web workers are many (several gunicorn workers, several hosts) and each
would start a scheduler of its own if it lived in `create_app`. One `flask reminders scheduler`
process per deployment runs the daily job; the outbox's unique key and claims mean that even if
two were started by mistake (or a run overlaps `flask reminders run`), nothing goes twice.
"""
from __future__ import annotations

import logging
import signal
from datetime import datetime
from zoneinfo import ZoneInfo

from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from ..extensions import db
from . import outbox, services

logger = logging.getLogger(__name__)
LONDON = ZoneInfo("Europe/London")


def run_at(value: str) -> tuple[int, int]:
    """Parse REMINDERS_RUN_AT ("07:30") into hour and minute."""
    try:
        hour, minute = (int(part) for part in value.split(":"))
    except ValueError:
        raise ValueError(f"REMINDERS_RUN_AT must be HH:MM, not {value!r}") from None
    if not (0 <= hour < 24 and 0 <= minute < 60):
        raise ValueError(f"REMINDERS_RUN_AT must be HH:MM, not {value!r}")
    return hour, minute


def daily_job(app) -> None:
    """Queue and send today's reminders (London date), as `flask reminders run` does."""
    with app.app_context():
        try:
            today = datetime.now(LONDON).date()
            queued, sent = outbox.run(today)
            logger.info("Reminders %s: %s queued, %d sent in %d messages, %d failed, "
                        "%d withdrawn", today, queued["queued"], sent.sent, sent.messages,
                        sent.failed, sent.withdrawn)
        finally:
            db.session.remove()


def retry_job(app) -> None:
    """Send what is queued for retry (after a mail server outage), without queueing more."""
    with app.app_context():
        try:
            result = outbox.send_pending()
            if result.claimed:
                logger.info("Reminder retries: %d sent, %d failed", result.sent, result.failed)
        finally:
            db.session.remove()


def build_scheduler(app, scheduler_class=BlockingScheduler, *, now: bool = False):
    """A scheduler with the daily job (weekdays, Europe/London) and the retry job; with `now`,
    today's run also starts at once (after a missed morning, say)."""
    with app.app_context():
        hour, minute = run_at(str(services.setting("REMINDERS_RUN_AT")))
        retry_minutes = services.setting("REMINDERS_RETRY_EVERY_MINUTES")
    scheduler = scheduler_class(timezone=LONDON)
    scheduler.add_job(daily_job, CronTrigger(day_of_week="mon-fri", hour=hour, minute=minute,
                                             timezone=LONDON),
                      args=[app], id="reminders_daily", name="Daily reminders",
                      coalesce=True, max_instances=1, misfire_grace_time=3600,
                      replace_existing=True)
    scheduler.add_job(retry_job, IntervalTrigger(minutes=retry_minutes, timezone=LONDON),
                      args=[app], id="reminders_retry", name="Reminder retries",
                      coalesce=True, max_instances=1, replace_existing=True)
    if now:
        scheduler.add_job(daily_job, args=[app], id="reminders_now", name="Reminders now",
                          next_run_time=datetime.now(LONDON), max_instances=1)
    return scheduler


def finish_then_stop_on(scheduler, signals=(signal.SIGTERM, signal.SIGINT)) -> None:
    """On SIGTERM (what systemd and container stops send) or Ctrl+C: start nothing new, let
    the run under way finish, then stop.

    A run cut off part-way would leave digests the mail server had accepted but the outbox
    had not yet marked sent; they were sent again later (issue 15, finding 14). Give the
    service time to finish (systemd `TimeoutStopSec`, compose `stop_grace_period`).
    """
    def stop(signum, frame):
        logger.info("Stopping (%s): finishing the run under way first",
                    signal.Signals(signum).name)
        signal.signal(signum, signal.SIG_DFL)  # a second signal stops at once
        if scheduler.running:
            scheduler.shutdown(wait=True)

    for signum in signals:
        signal.signal(signum, stop)
