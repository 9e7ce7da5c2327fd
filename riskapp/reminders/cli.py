"""`flask reminders run|send|scheduler`."""
from __future__ import annotations

import gc
from contextlib import contextmanager
from datetime import date, datetime
from zoneinfo import ZoneInfo

import click

from . import bp, outbox, services

LONDON = ZoneInfo("Europe/London")

#: Above this many recipients `run` shows a progress bar while sending.
PROGRESS_FROM = 20


def _send_with_progress(send):
    """Call `send(progress=...)` under a click progress bar sized once the count is known."""
    state = {"bar": None}

    def progress(done: int, total: int):
        if total < PROGRESS_FROM:
            return
        if state["bar"] is None:
            state["bar"] = click.progressbar(length=total, label="Sending digests")
            state["bar"].__enter__()
        state["bar"].update(1)

    try:
        return send(progress=progress)
    finally:
        if state["bar"] is not None:
            state["bar"].__exit__(None, None, None)


@contextmanager
def _fewer_collections():
    """A run makes hundreds of thousands of short-lived objects (rows, reminders, digests):
    with the default thresholds the cyclic collector ran 800 times, 0.4 s of a run over 20,000
    actions (issue 9). The app's own objects are frozen out of its sight (as riskapp.serving
    does for web workers) and it runs far less often; all as before afterwards (the tests run
    this command in their own process)."""
    thresholds = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(70_000, 10, 10)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _report(result) -> None:
    click.echo(f"Sent {result.sent} reminders in {result.messages} messages; "
               f"{result.failed} failed (queued for retry), {result.withdrawn} withdrawn.")
    for error in dict.fromkeys(result.errors):
        click.echo(f"  error: {error}", err=True)


@bp.cli.command("run")
@click.option("--date", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Run as if today were this day (YYYY-MM-DD). Default: today in London.")
@click.option("--dry-run", is_flag=True,
              help="Print, per recipient, what would be sent; write and send nothing.")
def run_command(on: datetime | None, dry_run: bool):
    """Queue today's reminders in the outbox and send them, one digest per person."""
    today = on.date() if on else datetime.now(LONDON).date()
    if dry_run:
        _dry_run(today)
        return
    with _fewer_collections():
        queued, result = _send_with_progress(
            lambda progress: outbox.run(today, progress=progress))
    click.echo(f"{today}: {queued['due']} reminders due, {queued['queued']} newly queued.")
    _report(result)


def _dry_run(today: date) -> None:
    from ..extensions import db
    from ..rules.reminders import KINDS
    from ..auth.models import User
    from sqlalchemy import select

    found = services.find_due(today)
    held = services.already_in_outbox(found)
    by_recipient: dict[int, list] = {}
    for f in found:
        by_recipient.setdefault(f.due.recipient_id, []).append(f)
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(list(by_recipient))))}
    click.echo(f"Dry run for {today}: {len(found)} reminders for {len(by_recipient)} people "
               "(nothing written, nothing sent).")
    for recipient_id in sorted(by_recipient, key=lambda i: users[i].name):
        user = users[recipient_id]
        click.echo(f"\n{user.name} <{user.email}>")
        items = sorted(by_recipient[recipient_id],
                       key=lambda f: (KINDS[f.due.kind].order, f.due.due_date or date.max,
                                      f.due.text))
        for f in items:
            due = f.due.due_date.isoformat() if f.due.due_date else "no date"
            flags = " [ESCALATED]" if f.due.escalated else ""
            flags += " (already in the outbox for this period)" if f.due.key in held else ""
            click.echo(f"  - [{KINDS[f.due.kind].label}] {f.due.text}")
            click.echo(f"    due {due}: {f.due.note}{flags}")
            click.echo(f"    {f.link}")
    db.session.rollback()


@bp.cli.command("send")
def send_command():
    """Send what is queued (retries after an outage) without queueing anything new."""
    _report(_send_with_progress(lambda progress: outbox.send_pending(progress=progress)))


@bp.cli.command("scheduler")
@click.option("--now", is_flag=True,
              help="Also run today's reminders at once (after a missed morning run).")
def scheduler_command(now: bool):
    """Run the reminder scheduler in this process (one per deployment): weekdays, London."""
    from flask import current_app

    # Only this command needs APScheduler: importing it for every `flask reminders run`
    # cost ~0.1 s of a run that must finish in 5 s (issue 9).
    from .scheduler import build_scheduler, finish_then_stop_on
    scheduler = build_scheduler(current_app._get_current_object(), now=now)
    for job in scheduler.get_jobs():
        click.echo(f"{job.name}: {job.trigger}")
    click.echo("Scheduler running; Ctrl+C to stop.")
    # systemd and container stops send SIGTERM: start nothing new, finish the run under way.
    finish_then_stop_on(scheduler)
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        pass
