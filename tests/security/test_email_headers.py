"""Email header injection: user text (names, risk titles, action details) never adds a header
or a recipient to a reminder, through a real SMTP server (aiosmtpd) on 127.0.0.1.

Subjects are fixed wording with a count: no user text reaches them. Names reach the To header
(on one line, encoded), titles and details the body only. A stored address that could not go
into a header as it is (a line break, a blank) is refused for that recipient alone: the run
goes on for everyone else, and nothing is sent twice.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from riskapp.reminders import outbox
from riskapp.reminders.models import Reminder
from tests.factories import make_action, make_risk, make_user
from tests.reminders.conftest import smtp  # noqa: F401 - the real SMTP server fixture
from tests.reminders.test_sending import NOW, TODAY, clock

HEADERS = {"Content-Type", "MIME-Version", "Subject", "From", "To", "Message-ID"}
INJECTED = "Bcc: victim@attacker.example"

NAMES = [
    f"Eve Example\r\n{INJECTED}",
    f"Eve Example\n{INJECTED}",
    f"Eve Example\r{INJECTED}",
    "Eve Example\r\n\r\nInjected body\r\n.\r\nMAIL FROM:<x@attacker.example>",
    f"Eve Example\u2028{INJECTED}",  # Unicode line separator
    f"Eve Example\x85{INJECTED}",  # NEL
    "=?utf-8?q?Eve=0D=0ABcc:_victim@attacker.example?=",  # an encoded word typed as a name
    'Eve "the boss" <boss@attacker.example>, victim@attacker.example',
]


def due_for(person, *, title="Elective recovery", detail="Agree the winter plan"):
    risk = make_risk(person, title=title)
    risk.next_review_date = date(2099, 1, 1)
    make_action(risk, person, detail=detail, target_date=TODAY - timedelta(days=1))


def assert_clean(mail, address: str) -> None:
    assert mail.rcpt_tos == [address]
    assert set(mail.message.keys()) - {"Date"} == HEADERS, mail.message.keys()
    assert len(mail.message.keys()) == len(set(mail.message.keys()))  # none given twice
    assert mail.message["Bcc"] is None and mail.message["Cc"] is None
    assert str(mail.message["Subject"]) == "riskapp: 1 item needs your attention"
    assert "attacker.example" not in str(mail.message["From"])
    to = mail.message["To"]
    assert to.addresses[0].addr_spec == address and len(to.addresses) == 1
    assert "\n" not in str(to) and "\r" not in str(to)


@pytest.mark.parametrize("name", NAMES)
def test_a_name_cannot_add_a_header_or_a_recipient(app, db, smtp, name):
    person = make_user(name=name, email="eve@example.org")
    due_for(person)
    db.session.commit()
    outbox.run(TODAY, now=clock())
    [mail] = smtp.received
    assert_clean(mail, "eve@example.org")
    assert " ".join(name.split()) in str(mail.message["To"].addresses[0].display_name)


def test_titles_and_details_stay_in_the_body(app, db, smtp):
    person = make_user(name="Olive Owner", email="olive@example.org")
    due_for(person, title=f"Workforce\r\n{INJECTED}\r\nSubject: Urgent",
            detail=f"Review rota\r\n{INJECTED}\r\n\r\n<script>alert(1)</script>")
    db.session.commit()
    outbox.run(TODAY, now=clock())
    [mail] = smtp.received
    assert_clean(mail, "olive@example.org")
    assert "Review rota" in mail.text
    assert "<script>" not in mail.html and "&lt;script&gt;" in mail.html


@pytest.mark.parametrize("address", [
    f"mallory@example.org\r\n{INJECTED}",
    f"mallory@example.org\n{INJECTED}",
    "mallory@example.org victim@attacker.example",
    "mallory@example.org\t",  # (a NUL cannot even be stored on PostgreSQL)
])
def test_an_unusable_stored_address_fails_alone_and_the_run_goes_on(app, db, smtp, address):
    """Addresses are checked when typed; one stored some other way must not stop the run."""
    due_for(make_user(name="Mallory", email=address))
    due_for(make_user(name="Alice Assignee", email="alice@example.org"))
    db.session.commit()
    queued, result = outbox.run(TODAY, now=clock())
    assert result.sent == 1 and result.failed == 1
    [mail] = smtp.received
    assert_clean(mail, "alice@example.org")
    assert all("attacker.example" not in r for m in smtp.received for r in m.rcpt_tos)
    statuses = Counter((r.recipient_id is not None, r.status)
                       for r in db.session.scalars(select(Reminder)))
    assert statuses[(True, "sent")] == 1
    # Nothing sent twice: a second run sends nothing more to Alice.
    outbox.run(TODAY, now=clock(NOW + timedelta(hours=2)))
    assert len(smtp.to("alice@example.org")) == 1
