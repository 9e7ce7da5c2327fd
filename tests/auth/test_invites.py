"""Invitations and password resets by email (issue 16), through a real SMTP server."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from riskapp.auth.models import ApiToken, PasswordLink, User, utcnow
from riskapp.reminders.models import SENT, Reminder
from tests.factories import PASSWORD, make_user

from .conftest import BASE_URL

NEW_PASSWORD = "plum orchard lantern ferry"


def _link(received) -> str:
    match = re.search(re.escape(BASE_URL) + r"/auth/set-password/[A-Za-z0-9_-]+", received.text)
    assert match, received.text
    assert match[0] in received.html
    return match[0]


def _path(link: str) -> str:
    return link.removeprefix(BASE_URL)


def test_an_invitation_sets_a_password_once(client, auth, db, smtp):
    auth.login(make_user("admin"))
    response = client.post("/admin/users/invite", data={
        "name": "Priya Shah", "email": "Priya.Shah@example.nhs.uk", "job_title": "Head of Risk",
        "role": "risk_manager"})
    assert response.status_code == 302
    [mail] = smtp.to("priya.shah@example.nhs.uk")
    assert mail.message["Subject"] == "You are invited to riskapp"
    assert "Dear Priya Shah" in mail.text and "72 hours" in mail.text
    link = _link(mail)  # from BASE_URL (https://riskapp.example.nhs.uk), not the request's
    assert "localhost" not in mail.text + mail.html
    # The outbox shows it, sent.
    row = db.session.scalar(select(Reminder).where(Reminder.kind == "invite"))
    assert row.status == SENT
    auth.logout()

    page = client.get(_path(link)).get_data(as_text=True)
    assert "Set your password" in page and "priya.shah@example.nhs.uk" in page
    response = client.post(_path(link), data={"new_password": "short", "confirm": "short"})
    assert response.status_code == 422
    response = client.post(_path(link), data={"new_password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    assert response.location.startswith("/auth/login")
    user = db.session.scalar(User.by_email("priya.shah@example.nhs.uk"))
    db.session.refresh(user)
    assert user.check_password(NEW_PASSWORD)
    # Used once: the same link now says so, and sets nothing.
    again = client.post(_path(link), data={"new_password": "another long password here",
                                           "confirm": "another long password here"})
    assert again.status_code == 410
    assert "This link has already been used" in again.get_data(as_text=True)
    auth.login(user, NEW_PASSWORD)


def test_an_expired_invitation_says_so(client, auth, db, smtp):
    auth.login(make_user("admin"))
    client.post("/admin/users/invite", data={"name": "Late Starter",
                                             "email": "late@example.nhs.uk", "role": "staff"})
    link = _link(smtp.to("late@example.nhs.uk")[0])
    row = db.session.scalar(select(PasswordLink))
    row.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    response = client.get(_path(link))
    assert response.status_code == 410
    assert "This invitation has expired: invitations work for 72 hours" in \
        response.get_data(as_text=True)


def test_a_new_invitation_retires_the_old_link(client, auth, db, smtp):
    auth.login(make_user("admin"))
    client.post("/admin/users/invite", data={"name": "Sam Lee", "email": "sam@example.nhs.uk",
                                             "role": "staff"})
    page = client.get("/admin/users").get_data(as_text=True)
    assert "Invitation sent to sam@example.nhs.uk. The link in it works for 72 hours." in page
    assert "Invited</strong>" in page
    first = _link(smtp.to("sam@example.nhs.uk")[0])
    sam = db.session.scalar(User.by_email("sam@example.nhs.uk"))
    assert client.post(f"/admin/users/{sam.id}/invite").status_code == 302
    second = _link(smtp.to("sam@example.nhs.uk")[1])
    assert first != second
    assert client.get(_path(first)).status_code == 410
    assert client.get(_path(second)).status_code == 200


def test_a_reset_gives_the_same_answer_for_any_address(client, db, smtp):
    user = make_user(email="anne.brierley@example.nhs.uk")
    db.session.commit()
    known = client.post("/auth/forgot-password", data={"email": "anne.brierley@example.nhs.uk"})
    unknown = client.post("/auth/forgot-password", data={"email": "nobody@example.nhs.uk"})
    assert known.status_code == unknown.status_code == 200

    def answer(response, email):
        text = response.get_data(as_text=True)
        return text[text.index("<main"):].replace(email, "EMAIL")
    assert answer(known, "anne.brierley@example.nhs.uk") == \
        answer(unknown, "nobody@example.nhs.uk")
    assert smtp.to("nobody@example.nhs.uk") == []
    [mail] = smtp.to("anne.brierley@example.nhs.uk")
    assert mail.message["Subject"] == "Reset your riskapp password"
    assert "60 minutes" in mail.text
    token = ApiToken.issue(user, 30)[0]
    db.session.add(token)
    db.session.commit()

    link = _link(mail)
    response = client.post(_path(link), data={"new_password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(NEW_PASSWORD)
    # Every API token of the account ends with the old password.
    assert db.session.get(ApiToken, token.id).revoked_at is not None
    assert client.get(_path(link)).status_code == 410


def test_a_reset_link_expires_after_60_minutes(client, db, smtp):
    make_user(email="slow@example.nhs.uk")
    db.session.commit()
    client.post("/auth/forgot-password", data={"email": "slow@example.nhs.uk"})
    link = _link(smtp.to("slow@example.nhs.uk")[0])
    row = db.session.scalar(select(PasswordLink))
    assert timedelta(minutes=59) < (row.expires_at - row.created_at) <= timedelta(minutes=60)
    row.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(_path(link), data={"new_password": NEW_PASSWORD,
                                              "confirm": NEW_PASSWORD})
    assert response.status_code == 410
    assert "This link has expired: reset links work for 60 minutes" in \
        response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(User.by_email("slow@example.nhs.uk")).check_password(PASSWORD)


def test_a_made_up_link_is_not_found(client, db):
    response = client.get("/auth/set-password/not-a-real-link")
    assert response.status_code == 404
    assert "This link is not right" in response.get_data(as_text=True)


def test_a_reset_while_the_mail_server_is_down_waits_in_the_outbox(client, db, smtp, app):
    make_user(email="patient@example.nhs.uk")
    db.session.commit()
    smtp.stop()
    assert client.post("/auth/forgot-password",
                       data={"email": "patient@example.nhs.uk"}).status_code == 200
    row = db.session.scalar(select(Reminder).where(Reminder.kind == "password_reset"))
    db.session.refresh(row)
    assert row.status == "queued" and row.attempts == 1
    smtp.start()
    from riskapp.reminders.outbox import send_pending
    row.next_attempt_at = None
    db.session.commit()
    result = send_pending()
    assert result.sent == 1
    assert len(smtp.to("patient@example.nhs.uk")) == 1


def test_no_reset_link_for_someone_who_must_use_single_sign_on(client, db, smtp):
    from riskapp.settings.models import Organisation
    admin = make_user("admin")
    make_user(email="sso.only@example.nhs.uk")
    db.session.add(Organisation(name="NHS Anytown", passwords_allowed=False,
                                break_glass_user_id=admin.id))
    db.session.commit()
    assert client.post("/auth/forgot-password",
                       data={"email": "sso.only@example.nhs.uk"}).status_code == 200
    assert smtp.to("sso.only@example.nhs.uk") == []
