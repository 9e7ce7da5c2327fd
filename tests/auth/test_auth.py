"""Signing in and out, the users CLI, sessions that end when the password changes."""
from sqlalchemy import select

from riskapp.auth.models import Role, User
from riskapp.auth.views import safe_next
from tests.factories import PASSWORD, make_user


def test_login_and_logout(client, auth, db):
    user = make_user(name="Anne Brierley")
    db.session.commit()
    response = auth.login(user)
    assert response.location == "/"
    assert "Anne Brierley" in client.get("/risks/").get_data(as_text=True)
    auth.logout()
    assert client.get("/risks/").status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_message(client, db):
    user = make_user()
    db.session.commit()
    wrong = client.post("/auth/login", data={"email": user.email, "password": "nope"})
    unknown = client.post("/auth/login", data={"email": "who@example.org", "password": "nope"})
    for response in (wrong, unknown):
        assert response.status_code == 422
        page = response.get_data(as_text=True)
        assert "The email address or password is not right" in page
    assert f'value="{user.email}"' in wrong.get_data(as_text=True)  # the email is kept


def test_inactive_user_cannot_sign_in(client, db):
    user = make_user(active=False)
    db.session.commit()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 422


def test_next_only_to_a_path_of_this_app(client, db):
    user = make_user()
    db.session.commit()
    response = client.post("/auth/login?next=/risks/mine",
                           data={"email": user.email, "password": PASSWORD})
    assert response.location == "/risks/mine"
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example", "javascript:x"):
        assert safe_next(target) is None


def test_password_change_ends_other_sessions(client, auth, db):
    user = make_user()
    db.session.commit()
    auth.login(user)
    assert client.get("/risks/").status_code == 200
    user.set_password("a brand new passphrase")
    db.session.commit()
    assert client.get("/risks/").status_code == 302


def test_users_create_from_stdin(runner, db):
    result = runner.invoke(args=["users", "create", "new.person@example.org", "--name",
                                 "New Person", "--role", "secretariat", "--password-stdin"],
                           input="long enough password\n")
    assert result.exit_code == 0, result.output
    user = db.session.scalar(select(User).where(User.email == "new.person@example.org"))
    assert user.role == Role.SECRETARIAT and user.check_password("long enough password")
    again = runner.invoke(args=["users", "create", "new.person@example.org", "--name", "X",
                                "--password-stdin"], input="long enough password\n")
    assert again.exit_code != 0 and "already exists" in again.output
    short = runner.invoke(args=["users", "create", "b@example.org", "--name", "B",
                                "--password-stdin"], input="short\n")
    assert short.exit_code != 0


def test_csrf_is_enforced_on_forms(app, db):
    app.config["WTF_CSRF_ENABLED"] = True
    user = make_user()
    db.session.commit()
    client = app.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (400, 422)
    assert "session" not in response.headers.get("Set-Cookie", "") or response.status_code != 302


def test_health(client, db):
    assert client.get("/health").get_json() == {"status": "ok"}
