"""Sign-in throttling, sessions, password changes and tokens (ASVS V2, V3)."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from riskapp.audit.models import AuditEntry
from riskapp.auth.models import ApiToken, LoginThrottle, User, utcnow
from tests.factories import PASSWORD, make_user

NEW = "kettle otter lantern meadow"


def _login(client, email, password):
    return client.post("/auth/login", data={"email": email, "password": password})


def _entries(db, operation):
    return db.session.scalars(select(AuditEntry).where(AuditEntry.operation == operation)).all()


def test_failures_lock_the_address_whether_or_not_it_has_an_account(client, db):
    user = make_user()
    db.session.commit()
    for email in (user.email, "nobody@example.org"):
        for _ in range(5):
            assert _login(client, email, "wrong password").status_code == 422
        locked = _login(client, email, PASSWORD if email == user.email else "x")
        assert locked.status_code == 422
        assert "Too many failed attempts. Wait 1 minutes" in locked.get_data(as_text=True)
    # The right password is refused while locked: guessing cannot go on.
    assert _login(client, user.email.upper(), PASSWORD).status_code == 422
    row = db.session.scalar(select(LoginThrottle).where(LoginThrottle.email == user.email))
    assert row.failures == 5
    # Once the lock has passed, the right password works and the count starts again.
    row.locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert _login(client, user.email, PASSWORD).status_code == 302
    db.session.expire_all()
    assert db.session.get(LoginThrottle, row.id).failures == 0


def test_sign_ins_and_failures_are_on_the_audit_trail(client, db):
    user = make_user()
    db.session.commit()
    _login(client, user.email, "wrong password")
    _login(client, "nobody@example.org", "wrong password")
    _login(client, user.email, PASSWORD)
    failures = _entries(db, "login_fail")
    assert [(e.object_id, e.new_value.split(" ")[0]) for e in failures] == [
        (user.id, user.email), (0, "nobody@example.org")]
    assert [(e.user_id, e.object_id) for e in _entries(db, "login")] == [(user.id, user.id)]


def test_a_refusal_is_on_the_audit_trail(client, auth, db):
    user = make_user()
    auth.login(user)
    assert client.get("/admin/users").status_code == 403
    refused = _entries(db, "refused")
    assert [(e.user_id, e.field, e.new_value) for e in refused] == [
        (user.id, "admin.users", "/admin/users")]


def test_per_address_limit_answers_429(app, client, db):
    app.config["RATELIMIT_LOGIN"] = "3 per minute"
    for _ in range(3):
        assert _login(client, f"a{_}@example.org", "x").status_code == 422
    assert _login(client, "b@example.org", "x").status_code == 429
    assert client.get("/auth/login").status_code == 200  # only attempts are limited


def test_session_renewed_at_login_and_cookie_flags(app, client, db):
    user = make_user()
    db.session.commit()
    with client.session_transaction() as session:
        session["planted"] = "by an attacker"
    response = _login(client, user.email, PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Expires=" in cookie
    assert "Secure" not in cookie
    with client.session_transaction() as session:
        assert "planted" not in session and session.permanent
    app.config["SESSION_COOKIE_SECURE"] = True
    assert "Secure" in client.get("/risks/").headers["Set-Cookie"]


def test_idle_session_ends(app, client, db, monkeypatch):
    import itsdangerous.timed
    user = make_user()
    db.session.commit()
    _login(client, user.email, PASSWORD)
    assert client.get("/risks/").status_code == 200
    idle = app.config["PERMANENT_SESSION_LIFETIME"] + timedelta(minutes=1)
    real = itsdangerous.timed.TimestampSigner.get_timestamp
    monkeypatch.setattr(itsdangerous.timed.TimestampSigner, "get_timestamp",
                        lambda self: real(self) + int(idle.total_seconds()))
    response = client.get("/risks/")
    assert response.status_code == 302 and "/auth/login" in response.location


@pytest.mark.parametrize("target", ["//evil.example", "https://evil.example/", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example", "\\\\evil"])
def test_next_never_leaves_the_app(client, db, target):
    user = make_user()
    db.session.commit()
    response = client.post("/auth/login", query_string={"next": target},
                           data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302 and response.location == "/"


def test_password_change_needs_the_current_password_and_a_good_new_one(client, auth, db):
    user = make_user()
    auth.login(user)
    for data, message in [
        ({"current_password": "wrong", "new_password": NEW, "confirm": NEW},
         "Your current password is not right"),
        ({"current_password": PASSWORD, "new_password": "password1234",
          "confirm": "password1234"}, "too common"),
        ({"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
         "12 characters or more"),
        ({"current_password": PASSWORD, "new_password": NEW, "confirm": NEW + "x"},
         "not the same"),
    ]:
        response = client.post("/auth/password", data=data)
        page = response.get_data(as_text=True)
        assert response.status_code == 422 and message in page and "Error: " in page
    db.session.expire_all()
    assert db.session.get(User, user.id).check_password(PASSWORD)


def test_password_change_ends_other_sessions_and_tokens(app, client, auth, db):
    user = make_user()
    token, secret = ApiToken.issue(user, 30)
    db.session.add(token)
    auth.login(user)
    other = app.test_client()
    assert _login(other, user.email, PASSWORD).status_code == 302
    bearer = {"Authorization": f"Bearer {secret}"}
    api = app.test_client()  # no cookie: the token alone
    assert api.get("/api/v1/risks", headers=bearer).status_code == 200
    response = client.post("/auth/password", data={"current_password": PASSWORD,
                                                    "new_password": NEW, "confirm": NEW})
    assert response.status_code == 302
    assert client.get("/risks/").status_code == 200          # this session goes on
    assert other.get("/risks/").status_code == 302           # the other one has ended
    assert api.get("/api/v1/risks", headers=bearer).status_code == 401
    assert _login(app.test_client(), user.email, NEW).status_code == 302
    assert [e.field for e in _entries(db, "update") if e.object_type == "users"] == ["password"]


def test_tokens_page_creates_after_password_and_revokes_own_only(app, client, auth, db):
    user, someone = make_user(), make_user()
    theirs, _ = ApiToken.issue(someone, 30)
    db.session.add(theirs)
    auth.login(user)
    assert client.post("/auth/tokens", data={"current_password": "wrong"}).status_code == 422
    assert db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)).all() == []
    response = client.post("/auth/tokens", data={"current_password": PASSWORD})
    assert response.status_code == 201
    page = response.get_data(as_text=True)
    secret = page.split('id="new-token">')[1].split("<")[0]
    bearer = {"Authorization": f"Bearer {secret}"}
    api = app.test_client()
    assert api.get("/api/v1/risks", headers=bearer).status_code == 200
    mine = db.session.scalar(select(ApiToken).where(ApiToken.user_id == user.id))
    assert secret not in client.get("/auth/tokens").get_data(as_text=True)  # shown once
    assert client.post(f"/auth/tokens/{theirs.id}/revoke").status_code == 404
    assert client.post(f"/auth/tokens/{mine.id}/revoke").status_code == 302
    assert api.get("/api/v1/risks", headers=bearer).status_code == 401
    db.session.expire_all()
    assert db.session.get(ApiToken, theirs.id).revoked_at is None


def test_expired_token_is_refused(client, db):
    user = make_user()
    token, secret = ApiToken.issue(user, 1)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.add(token)
    db.session.commit()
    assert client.get("/api/v1/risks",
                      headers={"Authorization": f"Bearer {secret}"}).status_code == 401


def test_your_account_opens_on_the_account_not_on_api_tokens(client, auth, db):
    user = make_user(name="Avery Account")
    auth.login(user)
    page = client.get("/risks/mine").get_data(as_text=True)
    assert re.search(r'href="/auth/account"[^>]*>\s*Your account', page)
    account = client.get("/auth/account").get_data(as_text=True)
    assert "<h1>Your account</h1>" in account and "Avery Account" in account
    assert "Change your password" in account and "Manage your API tokens" in account
    assert "You have no tokens in use." in account
