"""`flask reminders run|send|scheduler` and the demo check of issue 6."""
from __future__ import annotations

import json
import re
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func, select

from riskapp.reminders.models import Reminder
from riskapp.reminders.scheduler import LONDON, build_scheduler, daily_job, run_at
from tests.factories import make_action, make_risk, make_user

SOURCE = Path(__file__).parents[2] / "riskapp" / "demo" / "data" / "blmk_baf_2023.json"
REPORT_DAY = date(2023, 11, 29)


def source_actions():
    baf = json.loads(SOURCE.read_text())
    return [(risk["ref"], a) for risk in baf["risks"] for a in risk["actions"]]


def listed_actions(output: str) -> set[str]:
    return set(re.findall(r"^  - \[Overdue risk actions\] (.+)$", output, flags=re.M))


def test_demo_dry_run_lists_exactly_the_actions_overdue_on_the_report_day(baf, runner, smtp):
    result = runner.invoke(args=["reminders", "run", "--date", "2023-11-29", "--dry-run"])
    assert result.exit_code == 0, (result.output, result.exception)

    overdue = {f"{ref}: {a['detail']}" for ref, a in source_actions()
               if a["target_date"] and date.fromisoformat(a["target_date"]) < REPORT_DAY
               and a["status"] != "Complete"}
    assert len(overdue) == 6
    assert listed_actions(result.output) == overdue
    complete = [f"{ref}: {a['detail']}" for ref, a in source_actions() if a["status"] == "Complete"]
    due_later = [f"{ref}: {a['detail']}" for ref, a in source_actions()
                 if date.fromisoformat(a["target_date"]) >= REPORT_DAY]
    assert complete and due_later
    assert not any(text in result.output for text in complete + due_later)

    # Per recipient, with the due date; escalations to the owner after 14 days.
    francesca = result.output.split("Francesca Cummings <francesca.cummings@example.org>")[1]
    francesca = francesca.split("\n\n")[0]
    assert "BAF0001: Protecting Electives through winter resilience" in francesca
    assert "due 2023-11-15: 14 days overdue" in francesca
    dean = result.output.split("Dean Westcott <dean.westcott@example.org>")[1].split("\n\n")[0]
    assert "BAF0006: Development and implementation" in dean and "[ESCALATED]" in dean

    # Nothing written, nothing sent.
    assert runner.app.extensions["sqlalchemy"].session.scalar(
        select(func.count()).select_from(Reminder)) == 0
    assert smtp.received == []


def quiet_risk(owner):
    """A risk whose own review is not due, so only its actions are chased."""
    risk = make_risk(owner)
    risk.next_review_date = date(2099, 1, 1)
    return risk


def test_run_queues_and_sends_and_reports(app, db, runner, smtp):
    owner = make_user(name="Olive", email="olive@example.org")
    risk = quiet_risk(owner)
    make_action(risk, owner, detail="Late thing", target_date=REPORT_DAY - timedelta(days=1))
    db.session.commit()

    result = runner.invoke(args=["reminders", "run", "--date", "2023-11-29"])

    assert result.exit_code == 0, result.output
    assert "2023-11-29: 1 reminders due, 1 newly queued." in result.output
    assert "Sent 1 reminders in 1 messages" in result.output
    [mail] = smtp.received
    assert "Late thing" in mail.text
    again = runner.invoke(args=["reminders", "run", "--date", "2023-11-29"])
    assert "0 newly queued" in again.output and len(smtp.received) == 1
    dry = runner.invoke(args=["reminders", "run", "--date", "2023-11-29", "--dry-run"])
    assert "Late thing" in dry.output and "(already in the outbox for this period)" in dry.output


def test_run_shows_a_progress_bar_when_sending_many(app, db, runner, smtp):
    owner = make_user()
    risk = quiet_risk(owner)
    for n in range(25):
        make_action(risk, make_user(), detail=f"Action {n}", target_date=date(2023, 11, 1))
    db.session.commit()
    result = runner.invoke(args=["reminders", "run", "--date", "2023-11-29"])
    assert result.exit_code == 0, result.output
    assert "Sending digests" in result.output
    assert len(smtp.received) == 26  # 25 assignees and the owner (escalation)


def test_send_retries_what_is_queued_without_queueing_more(app, db, runner, smtp):
    owner = make_user(email="olive@example.org")
    risk = quiet_risk(owner)
    make_action(risk, owner, target_date=REPORT_DAY - timedelta(days=1))
    db.session.commit()
    app.config["REMINDERS_RETRY_BASE_SECONDS"] = 0  # retry at once, for the test
    smtp.stop()
    down = runner.invoke(args=["reminders", "run", "--date", "2023-11-29"])
    assert "1 failed (queued for retry)" in down.output
    assert "error: ConnectionRefusedError" in down.output
    smtp.start()
    result = runner.invoke(args=["reminders", "send"])
    assert "Sent 1 reminders in 1 messages" in result.output
    assert len(smtp.received) == 1


def test_dry_run_rejects_a_bad_date(runner):
    result = runner.invoke(args=["reminders", "run", "--date", "29/11/2023"])
    assert result.exit_code != 0 and "Invalid value for '--date'" in result.output


def test_scheduler_runs_weekday_mornings_in_london(app):
    app.config["REMINDERS_RUN_AT"] = "06:45"
    scheduler = build_scheduler(app)
    daily = scheduler.get_job("reminders_daily")
    # From Saturday 25 Nov 2023 the next run is Monday 27 Nov, 06:45 London (GMT).
    nxt = daily.trigger.get_next_fire_time(None, datetime(2023, 11, 25, 12, tzinfo=LONDON))
    assert nxt == datetime(2023, 11, 27, 6, 45, tzinfo=LONDON)
    assert nxt.utcoffset() == timedelta(0)
    # Across the clocks going forward: Monday 1 April 2024, 06:45 BST = 05:45 UTC.
    nxt = daily.trigger.get_next_fire_time(None, datetime(2024, 3, 29, 9, tzinfo=LONDON))
    assert nxt == datetime(2024, 4, 1, 6, 45, tzinfo=LONDON)
    assert nxt.utcoffset() == timedelta(hours=1)
    assert daily.max_instances == 1 and daily.coalesce
    assert scheduler.get_job("reminders_retry") is not None


def test_run_at_must_be_a_time():
    assert run_at("07:30") == (7, 30)
    for bad in ("7.30", "25:00", "07:60", "morning"):
        try:
            run_at(bad)
        except ValueError:
            continue
        raise AssertionError(bad)


def test_the_scheduled_job_sends_today_s_reminders(app, db, smtp):
    owner = make_user(email="olive@example.org")
    risk = quiet_risk(owner)
    today = datetime.now(LONDON).date()
    make_action(risk, owner, detail="Due yesterday", target_date=today - timedelta(days=1))
    db.session.commit()
    daily_job(app)
    [mail] = smtp.received
    assert "Due yesterday" in mail.text
