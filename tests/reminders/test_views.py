"""The outbox page (administrators) and "reminders sent to me" (everyone)."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import event

from riskapp.auth.models import Role
from riskapp.reminders.models import Reminder
from tests.factories import make_user

NOW = datetime(2023, 11, 29, 7, 30, tzinfo=timezone.utc)


def reminder(db, recipient, n=0, **overrides):
    values = dict(kind="risk_action_overdue", item_id=100 + n, recipient=recipient,
                  period="2023-W48", as_of=date(2023, 11, 29), text=f"BAF0001: Action {n}",
                  note="3 days overdue", due_date=date(2023, 11, 26),
                  link=f"https://riskapp.example.nhs.uk/actions/{100 + n}/progress",
                  status="sent", sent_at=NOW, attempts=1, created_at=NOW)
    values.update(overrides)
    row = Reminder(**values)
    db.session.add(row)
    db.session.flush()
    return row


@pytest.fixture
def people(db):
    people = {role: make_user(role) for role in Role}
    db.session.commit()
    return people


def test_mine_lists_only_reminders_sent_to_me(client, auth, db, people):
    me, other = people[Role.STAFF], people[Role.BOARD]
    reminder(db, me, 1, text="Mine <b>bold</b>", escalated=True)
    reminder(db, me, 2, text="Still queued", status="queued", sent_at=None)
    reminder(db, other, 3, text="Someone else's")
    db.session.commit()
    auth.login(me)
    page = client.get("/reminders/").get_data(as_text=True)
    assert "Mine &lt;b&gt;bold&lt;/b&gt;" in page and "<b>bold</b>" not in page
    assert "Escalated" in page
    assert "Still queued" not in page and "Someone else" not in page
    assert "Reminder outbox" not in page  # no link for non-administrators


@pytest.mark.parametrize("role", [Role.RISK_MANAGER, Role.SECRETARIAT, Role.BOARD, Role.STAFF])
def test_only_administrators_see_the_outbox_or_retry(client, auth, db, people, role):
    row = reminder(db, people[Role.STAFF], status="failed", sent_at=None)
    db.session.commit()
    auth.login(people[role])
    assert client.get("/reminders/outbox").status_code == 403
    assert client.post(f"/reminders/outbox/{row.id}/retry").status_code == 403
    db.session.refresh(row)
    assert row.status == "failed"


def test_signed_out_people_are_sent_to_sign_in(client):
    for url in ("/reminders/", "/reminders/outbox"):
        assert client.get(url).status_code == 302
    assert client.post("/reminders/outbox/1/retry").status_code == 302


def test_outbox_shows_each_status_with_its_error_and_filters(client, auth, db, people):
    staff = people[Role.STAFF]
    reminder(db, staff, 1, text="Went fine")
    reminder(db, staff, 2, text="Waiting", status="queued", sent_at=None, attempts=2,
             last_error="ConnectionRefusedError: [Errno 111] Connection refused",
             next_attempt_at=NOW + timedelta(minutes=10))
    reminder(db, staff, 3, text="Gave up", status="failed", sent_at=None, attempts=12,
             last_error="SMTPRecipientsRefused: 550 <no such user>")
    reminder(db, staff, 4, text="Done already", status="withdrawn", sent_at=None,
             withdrawn_reason="no longer due: completed, cancelled, reassigned or rescheduled")
    db.session.commit()
    auth.login(people[Role.ADMIN])

    page = client.get("/reminders/outbox").get_data(as_text=True)
    for text in ("Went fine", "Waiting", "Gave up", "Done already", "Connection refused",
                 "550 &lt;no such user&gt;", "No longer due", "run of 29 Nov 2023"):
        assert text in page, text
    failed = client.get("/reminders/outbox?status=failed").get_data(as_text=True)
    assert "Gave up" in failed and "Went fine" not in failed and "Try again" in failed
    assert "Gave up" in client.get("/reminders/outbox?status=nonsense").get_data(as_text=True)


def test_retry_puts_a_failed_reminder_back_in_the_queue(client, auth, db, people):
    row = reminder(db, people[Role.STAFF], status="failed", sent_at=None, attempts=12,
                   next_attempt_at=NOW + timedelta(hours=6), last_error="gave up")
    sent = reminder(db, people[Role.STAFF], 2)
    db.session.commit()
    auth.login(people[Role.ADMIN])
    response = client.post(f"/reminders/outbox/{row.id}/retry")
    assert response.status_code == 302
    db.session.refresh(row)
    assert (row.status, row.next_attempt_at) == ("queued", None)
    # A sent reminder is not sent again by "retry".
    assert client.post(f"/reminders/outbox/{sent.id}/retry").status_code == 409
    db.session.refresh(sent)
    assert sent.status == "sent"
    assert client.post("/reminders/outbox/99999/retry").status_code == 404


def count_queries(db, fn):
    statements = []

    def listener(conn, cursor, statement, *args):
        statements.append(statement)

    engine = db.engine
    event.listen(engine, "before_cursor_execute", listener)
    try:
        fn()
    finally:
        event.remove(engine, "before_cursor_execute", listener)
    return len(statements)


@pytest.mark.parametrize("url", ["/reminders/outbox", "/reminders/"])
def test_pages_cost_the_same_queries_for_3_rows_and_30(client, auth, db, people, url):
    admin = people[Role.ADMIN]
    recipients = [make_user() for _ in range(30)]
    auth.login(admin)
    for n in range(3):
        reminder(db, recipients[n] if "outbox" in url else admin, n)
    db.session.commit()
    few = count_queries(db, lambda: client.get(url))
    for n in range(3, 30):
        reminder(db, recipients[n] if "outbox" in url else admin, n)
    db.session.commit()
    many = count_queries(db, lambda: client.get(url))
    assert many == few
