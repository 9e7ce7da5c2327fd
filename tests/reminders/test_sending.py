"""The outbox end to end over a real SMTP server: digests, escalation, withdrawal, outages."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import func, select

from riskapp.reminders import outbox, services
from riskapp.reminders.models import Reminder, ReminderAttempt
from riskapp.auth.models import Role
from tests.factories import make_action, make_risk, make_user

from .conftest import BASE_URL

TODAY = date(2023, 11, 29)  # Wednesday, ISO week 48: the BLMK report's date
NOW = datetime(2023, 11, 29, 7, 30, tzinfo=timezone.utc)


def clock(at=NOW):
    return lambda: at


def rows(db, **where):
    return db.session.scalars(select(Reminder).filter_by(**where).order_by(Reminder.id)).all()


def setup_register(db):
    owner = make_user(name="Olive Owner", email="olive.owner@example.org")
    alice = make_user(name="Alice Assignee", email="alice@example.org")
    bob = make_user(name="Bob Assignee", email="bob@example.org")
    risk = make_risk(owner, title="Elective recovery")
    a1 = make_action(risk, alice, detail="Winter plan <script>alert(1)</script> & co",
                     target_date=TODAY - timedelta(days=20))  # escalated: 20 > 14
    a2 = make_action(risk, alice, detail="Theatre utilisation review",
                     target_date=TODAY - timedelta(days=3))
    a3 = make_action(risk, bob, detail="Exactly fourteen days late",
                     target_date=TODAY - timedelta(days=14))  # not escalated: 14 is not > 14
    done = make_action(risk, bob, detail="Finished one", target_date=TODAY - timedelta(days=30),
                       status="Complete")
    later = make_action(risk, bob, detail="Not yet due", target_date=TODAY)
    risk.next_review_date = TODAY + timedelta(days=10)
    db.session.commit()
    return dict(owner=owner, alice=alice, bob=bob, risk=risk, a1=a1, a2=a2, a3=a3, done=done,
                later=later)


def test_one_digest_per_person_listing_their_items_and_escalation_to_the_owner(app, db, smtp):
    s = setup_register(db)
    queued, result = outbox.run(TODAY, now=clock())

    assert queued == {"due": 4, "queued": 4}
    assert (result.sent, result.messages, result.failed) == (4, 3, 0)
    assert sorted(r for m in smtp.received for r in m.rcpt_tos) == [
        "alice@example.org", "bob@example.org", "olive.owner@example.org"]

    [alice_mail] = smtp.to("alice@example.org")
    assert alice_mail.message["To"] == "Alice Assignee <alice@example.org>"
    assert alice_mail.message["From"] == "riskapp@example.nhs.uk"
    assert "2 items need your attention" in alice_mail.message["Subject"]
    text = alice_mail.text
    assert "Winter plan <script>alert(1)</script> & co" in text  # plain text is not HTML
    assert "Theatre utilisation review" in text
    assert "20 days overdue" in text and "3 days overdue" in text
    assert f"{BASE_URL}/actions/{s['a1'].id}/progress" in text
    assert "Exactly fourteen" not in text and "Finished one" not in text
    html = alice_mail.html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in html
    assert "<script>" not in html
    assert f'href="{BASE_URL}/actions/{s["a1"].id}/progress"' in html
    # Soonest due first within the digest.
    assert text.index("Winter plan") < text.index("Theatre utilisation")

    [owner_mail] = smtp.to("olive.owner@example.org")
    assert "Winter plan" in owner_mail.text
    assert "escalated to you as risk owner, assigned to Alice Assignee" in owner_mail.text
    assert "Theatre utilisation" not in owner_mail.text  # only 3 days late
    assert "Exactly fourteen" not in owner_mail.text

    [bob_mail] = smtp.to("bob@example.org")
    assert "Exactly fourteen days late" in bob_mail.text
    assert "Finished one" not in bob_mail.text and "Not yet due" not in bob_mail.text

    sent = rows(db, status="sent")
    assert len(sent) == 4 and all(r.sent_at and r.message_id for r in sent)
    assert {r.period for r in sent} == {"2023-W48"}
    escalated = [r for r in sent if r.escalated]
    assert [(r.recipient_id, r.item_id) for r in escalated] == [(s["owner"].id, s["a1"].id)]
    # Each reminder's history shows the one attempt that sent it, in the digest it went in.
    for r in sent:
        [attempt] = r.attempt_history
        assert (attempt.ok, attempt.at, attempt.message_id) == (True, r.sent_at, r.message_id)


def test_sent_once_per_period_then_chased_again_next_period(app, db, smtp):
    setup_register(db)
    outbox.run(TODAY, now=clock())
    assert len(smtp.received) == 3
    outbox.run(TODAY, now=clock())  # the same day again: nothing new
    assert len(smtp.received) == 3

    # Friday, same ISO week: only what became due since goes, nothing is repeated.
    outbox.run(TODAY + timedelta(days=2), now=clock(NOW + timedelta(days=2)))
    new = smtp.received[3:]
    assert sorted(r for m in new for r in m.rcpt_tos) == ["bob@example.org",
                                                         "olive.owner@example.org"]
    [bob_mail] = [m for m in new if "bob@example.org" in m.rcpt_tos]
    assert "Not yet due" in bob_mail.text and "Exactly fourteen" not in bob_mail.text
    [owner_mail] = [m for m in new if "olive.owner@example.org" in m.rcpt_tos]
    assert "Exactly fourteen days late" in owner_mail.text  # now 16 days: escalated
    assert "Winter plan" not in owner_mail.text

    # Monday, week 49: everything still overdue is chased again, one digest each.
    queued, result = outbox.run(TODAY + timedelta(days=5), now=clock(NOW + timedelta(days=5)))
    assert queued["queued"] == 6 and result.messages == 3
    assert len(smtp.received) == 8


def test_chase_period_is_configurable(app, db, smtp):
    app.config["REMINDERS_CHASE_EVERY"] = "day"
    setup_register(db)
    outbox.run(TODAY, now=clock())
    outbox.run(TODAY + timedelta(days=1), now=clock(NOW + timedelta(days=1)))
    assert len(smtp.received) == 6
    assert {r.period for r in rows(db)} == {"2023-11-29", "2023-11-30"}
    assert all("Winter plan" in m.text for m in smtp.to("alice@example.org"))


def test_escalation_days_are_configurable(app, db, smtp):
    app.config["REMINDERS_ESCALATE_AFTER_DAYS"] = 2
    s = setup_register(db)
    outbox.run(TODAY, now=clock())
    [owner_mail] = smtp.to("olive.owner@example.org")
    for detail in ("Winter plan", "Theatre utilisation", "Exactly fourteen"):
        assert detail in owner_mail.text
    assert len(rows(db, recipient_id=s["owner"].id, escalated=True)) == 3


def test_a_queued_reminder_whose_action_was_completed_or_cancelled_is_withdrawn(app, db, smtp):
    s = setup_register(db)
    services.queue_due_reminders(TODAY, NOW)
    db.session.commit()
    s["a1"].status = "Complete"
    s["a3"].status = "Cancelled"
    db.session.commit()

    result = outbox.send_pending(now=clock())

    assert result.withdrawn == 3  # a1 to Alice and to the owner, a3 to Bob
    assert smtp.to("olive.owner@example.org") == [] and smtp.to("bob@example.org") == []
    [alice_mail] = smtp.to("alice@example.org")
    assert "Theatre utilisation" in alice_mail.text and "Winter plan" not in alice_mail.text
    withdrawn = rows(db, status="withdrawn")
    assert {r.item_id for r in withdrawn} == {s["a1"].id, s["a3"].id}
    assert all(r.withdrawn_reason.startswith("no longer due") for r in withdrawn)


def test_a_reassigned_action_is_withdrawn_for_the_old_assignee_and_chased_with_the_new(
        app, db, smtp):
    s = setup_register(db)
    carol = make_user(name="Carol New", email="carol@example.org")
    services.queue_due_reminders(TODAY, NOW)
    db.session.commit()
    s["a3"].assignee_id = carol.id
    db.session.commit()

    outbox.send_pending(now=clock())
    assert smtp.to("bob@example.org") == []
    assert smtp.to("carol@example.org") == []

    outbox.run(TODAY, now=clock())  # the next run picks up the new assignee
    [carol_mail] = smtp.to("carol@example.org")
    assert "Exactly fourteen days late" in carol_mail.text
    assert smtp.to("bob@example.org") == []


def test_an_action_on_a_closed_risk_or_an_inactive_person_is_not_chased(app, db, smtp):
    s = setup_register(db)
    s["bob"].active = False
    db.session.commit()
    outbox.run(TODAY, now=clock())
    assert smtp.to("bob@example.org") == []
    assert len(smtp.to("alice@example.org")) == 1

    other = make_risk(s["owner"], title="Closed one", status="Closed")
    make_action(other, s["alice"], detail="On a closed risk", target_date=TODAY - timedelta(days=9))
    db.session.commit()
    outbox.run(TODAY + timedelta(days=7), now=clock(NOW + timedelta(days=7)))
    assert all("On a closed risk" not in m.text for m in smtp.received)


def test_risk_reviews_due_go_to_owner_and_lead(app, db, smtp):
    owner = make_user(name="Olive Owner", email="olive.owner@example.org")
    lead = make_user(name="Larry Lead", email="larry.lead@example.org")
    due = make_risk(owner, title="Review me", lead_id=lead.id)
    due.next_review_date = TODAY - timedelta(days=2)
    not_yet = make_risk(owner, title="Not yet")
    not_yet.next_review_date = TODAY + timedelta(days=1)
    db.session.commit()

    outbox.run(TODAY, now=clock())

    for address in ("olive.owner@example.org", "larry.lead@example.org"):
        [mail] = smtp.to(address)
        assert f"{due.reference}: Review me" in mail.text
        assert "review 2 days overdue" in mail.text
        assert f"{BASE_URL}/risks/{due.reference}" in mail.text
        assert "Not yet" not in mail.text
        assert "Risk reviews due" in mail.text


def test_smtp_down_nothing_sent_nothing_lost_then_exactly_once_when_back(app, db, smtp):
    setup_register(db)
    smtp.stop()

    queued, result = outbox.run(TODAY, now=clock())

    assert queued["queued"] == 4
    assert (result.sent, result.failed) == (0, 4)
    assert "ConnectionRefusedError" in result.errors[0]
    waiting = rows(db, status="queued")
    assert len(waiting) == 4
    assert all(r.attempts == 1 and "Connection refused" in r.last_error for r in waiting)
    first_retry = waiting[0].next_attempt_at.replace(tzinfo=timezone.utc)
    assert first_retry == NOW + timedelta(seconds=300)  # the backoff's first step
    assert db.session.scalar(select(func.count()).select_from(ReminderAttempt)
                             .where(ReminderAttempt.ok.is_(False))) == 4

    smtp.start()
    # Before the backoff is up nothing is tried, even with the server back.
    assert outbox.send_pending(now=clock(NOW + timedelta(seconds=60))).claimed == 0
    assert smtp.received == []

    later = NOW + timedelta(minutes=6)
    result = outbox.send_pending(now=clock(later))
    assert (result.sent, result.messages) == (4, 3)
    outbox.run(TODAY, now=clock(later))
    outbox.send_pending(now=clock(later + timedelta(hours=1)))
    assert sorted(r for m in smtp.received for r in m.rcpt_tos) == [
        "alice@example.org", "bob@example.org", "olive.owner@example.org"]
    assert all(r.status == "sent" and r.attempts == 2 for r in rows(db))
    # The history keeps the failed try and shows the one that sent it, per reminder.
    for r in rows(db):
        failed, ok = r.attempt_history
        assert not failed.ok and "Connection refused" in failed.error
        assert ok.ok and ok.message_id == r.message_id and ok.at == r.sent_at


def test_backoff_doubles_and_gives_up_at_the_attempt_limit(app, db, smtp):
    app.config.update(REMINDERS_MAX_ATTEMPTS=3, REMINDERS_RETRY_BASE_SECONDS=60)
    s = setup_register(db)
    smtp.stop()
    services.queue_due_reminders(TODAY, NOW)
    db.session.commit()
    at = NOW
    waits = []
    for _ in range(3):
        outbox.send_pending(now=clock(at))
        row = rows(db, recipient_id=s["bob"].id)[0]
        db.session.refresh(row)
        nxt = row.next_attempt_at.replace(tzinfo=timezone.utc)
        waits.append((nxt - at).total_seconds())
        at = nxt
    assert waits == [60, 120, 240]
    assert {r.status for r in rows(db)} == {"failed"}
    assert outbox.send_pending(now=clock(at + timedelta(days=1))).claimed == 0


def test_a_refused_recipient_is_retried_while_the_others_are_sent(app, db, smtp):
    setup_register(db)
    smtp.handler.refuse.add("bob@example.org")

    _, result = outbox.run(TODAY, now=clock())

    assert (result.messages, result.failed) == (2, 1)
    [bob_row] = rows(db, status="queued")
    assert "451" in bob_row.last_error and bob_row.attempts == 1
    smtp.handler.refuse.clear()
    outbox.send_pending(now=clock(NOW + timedelta(hours=1)))
    assert len(smtp.to("bob@example.org")) == 1
    assert len(smtp.received) == 3


def test_a_claim_abandoned_by_a_dead_sender_is_taken_over_after_the_lease(app, db, smtp):
    setup_register(db)
    services.queue_due_reminders(TODAY, NOW)
    services.claim("deadbeef", NOW)  # a sender that claimed and then died
    db.session.commit()
    assert outbox.send_pending(now=clock(NOW + timedelta(minutes=5))).claimed == 0
    result = outbox.send_pending(now=clock(NOW + timedelta(minutes=16)))
    assert result.sent == 4 and len(smtp.received) == 3


def test_header_injection_in_a_name_is_neutralised(app, db, smtp):
    owner = make_user(name="Eve\r\nBcc: victim@example.org", email="eve@example.org",
                      role=Role.STAFF)
    risk = make_risk(owner)
    make_action(risk, owner, target_date=TODAY - timedelta(days=1))
    db.session.commit()
    outbox.run(TODAY, now=clock())
    [mail] = smtp.received
    assert mail.rcpt_tos == ["eve@example.org"]
    assert mail.message["Bcc"] is None


def test_a_name_outside_ascii_is_encoded_in_the_header_and_kept_in_the_body(app, db, smtp):
    owner = make_user(name="Zoë Ñúñez", email="zoe@example.org")
    risk = make_risk(owner)
    risk.next_review_date = date(2099, 1, 1)
    make_action(risk, owner, detail="Café rota – review", target_date=TODAY - timedelta(days=1))
    db.session.commit()
    outbox.run(TODAY, now=clock())
    [mail] = smtp.received
    assert str(mail.message["To"]) == "Zoë Ñúñez <zoe@example.org>"
    assert "Dear Zoë Ñúñez" in mail.text and "Café rota – review" in mail.html


def test_text_with_tabs_line_breaks_and_backslashes_is_queued_and_sent_as_typed(app, db, smtp):
    # PostgreSQL queues through COPY, whose text format gives these characters a meaning.
    s = setup_register(db)
    typed = "Split\tthe ward\\theatre list\r\nthen \\N report back"
    s["a2"].detail = typed
    db.session.commit()

    outbox.run(TODAY, now=clock())

    [reminder] = rows(db, item_id=s["a2"].id)
    assert typed in reminder.text and reminder.status == "sent"
    assert "\\N report back" in smtp.to("alice@example.org")[0].text


def test_bodies_go_quoted_printable_in_short_crlf_lines_and_read_back_as_written(app, db, smtp):
    s = setup_register(db)
    typed = "Zoë's ward = 95% full; " + "a long line of text without a break " * 5
    s["a2"].detail = typed
    db.session.commit()

    outbox.run(TODAY, now=clock())

    [received] = smtp.to("alice@example.org")
    for part in (received.message.get_body(("plain",)), received.message.get_body(("html",))):
        assert part["Content-Transfer-Encoding"] == "quoted-printable"
        raw = part.get_payload(decode=False)
        assert all(len(line) <= 76 for line in raw.splitlines())
    assert typed in received.text
    assert "Zoë&#39;s ward = 95% full;" in received.html or "Zoë's ward = 95% full;" in received.html
