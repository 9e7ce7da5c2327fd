"""Issue 15, finding 3: a session ends on the server (ASVS 3.3.1, 3.3.2).

Before the fix a session was only a signed cookie: a copy taken before signing out still read
and wrote afterwards, and a busy session never ended. Each test here failed then.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select, update

from riskapp.auth.models import Role, User, UserSession, utcnow
from riskapp.extensions import db
from riskapp.risks.models import Risk
from tests import factories
from tests.security.formdata import form_fields


def _copy_of(client, app):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    cookie = client.get_cookie("session")
    thief.set_cookie("session", cookie.value)
    return thief


def _signed_in(client) -> bool:
    response = client.get("/risks/")
    return response.status_code == 200


def test_3_a_cookie_copied_before_sign_out_no_longer_reads_or_writes(app, client, auth):
    owner = factories.make_user(Role.RISK_MANAGER)
    risk = factories.make_risk(owner, title="Elective recovery")
    db.session.commit()
    auth.login(owner)
    thief = _copy_of(client, app)
    assert _signed_in(thief)  # the copy works while the session lives
    fields = form_fields(client.get(f"/risks/{risk.reference}/edit").get_data(as_text=True))

    auth.logout()

    assert not _signed_in(client)
    assert not _signed_in(thief)
    fields["title"] = "Changed with a stolen cookie"
    response = thief.post(f"/risks/{risk.reference}/edit", data=fields)
    assert response.status_code == 302 and "/auth/login" in response.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).title == "Elective recovery"
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == owner.id))
    assert row.ended_because == UserSession.SIGNED_OUT


def test_3_a_busy_session_ends_after_its_longest_lifetime(app, client, auth):
    user = factories.make_user(Role.BOARD)
    db.session.commit()
    auth.login(user)
    assert _signed_in(client)
    # Busy all along (seen a moment ago), but signed in 12 hours ago.
    db.session.execute(update(UserSession).values(
        started_at=utcnow() - app.config["SESSION_LONGEST"], last_seen_at=utcnow()))
    db.session.commit()
    assert not _signed_in(client)


def test_3_the_idle_time_is_kept_on_the_server_not_only_in_the_cookie(app, client, auth):
    user = factories.make_user(Role.BOARD)
    db.session.commit()
    auth.login(user)
    assert _signed_in(client)
    # The cookie itself is fresh (a copy replayed now), but the session was last used long ago.
    db.session.execute(update(UserSession).values(
        last_seen_at=utcnow() - app.config["PERMANENT_SESSION_LIFETIME"] - timedelta(minutes=2)))
    db.session.commit()
    assert not _signed_in(client)


def test_3_a_session_in_use_moves_its_last_seen_time_on(app, client, auth):
    user = factories.make_user(Role.BOARD)
    db.session.commit()
    auth.login(user)
    long_ago = utcnow() - timedelta(minutes=20)
    db.session.execute(update(UserSession).values(last_seen_at=long_ago))
    db.session.commit()
    assert _signed_in(client)
    db.session.expire_all()
    seen = db.session.scalar(select(UserSession.last_seen_at))
    assert seen.replace(tzinfo=None) > long_ago.replace(tzinfo=None) + timedelta(minutes=19)


def test_3_changing_your_password_ends_your_other_sessions(app, client, auth):
    user = factories.make_user(Role.BOARD, email="olive.ross@example.org", name="Olive Ross")
    db.session.commit()
    other = app.test_client()
    auth.login(user)
    assert other.post("/auth/login", data={"email": user.email,
                                           "password": factories.PASSWORD}).status_code == 302
    assert _signed_in(other)
    response = client.post("/auth/password", data={
        "current_password": factories.PASSWORD, "new_password": "a quiet harbour at dusk",
        "confirm": "a quiet harbour at dusk"})
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    assert _signed_in(client)  # this browser carries on
    assert not _signed_in(other)


def test_3_disabling_an_account_ends_its_sessions_at_once(app, client, auth):
    admin = factories.make_user(Role.ADMIN)
    person = factories.make_user(Role.BOARD)
    db.session.commit()
    theirs = app.test_client()
    assert theirs.post("/auth/login", data={"email": person.email,
                                            "password": factories.PASSWORD}).status_code == 302
    assert _signed_in(theirs)
    auth.login(admin)
    fields = form_fields(client.get(f"/admin/users/{person.id}").get_data(as_text=True))
    fields.pop("active", None)  # the box unticked
    fields["current_password"] = factories.PASSWORD
    response = client.post(f"/admin/users/{person.id}", data=fields)
    assert response.status_code == 302, response.get_data(as_text=True)[:1500]
    db.session.expire_all()
    assert db.session.get(User, person.id).active is False
    assert not _signed_in(theirs)
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == person.id))
    assert row.ended_because == UserSession.ACCOUNT_DISABLED
