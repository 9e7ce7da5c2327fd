"""The administrator manages users and roles."""
from sqlalchemy import select

from riskapp.auth.models import Role, User
from tests.factories import make_user


def test_admin_adds_a_user_who_can_sign_in(client, auth, db):
    auth.login(make_user("admin"))
    response = client.post("/admin/users/new", data={
        "name": "Sam Secretary", "email": "Sam.Secretary@example.org", "role": "secretariat",
        "active": "y", "password": "a long enough passphrase"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "sam.secretary@example.org"))
    assert user.role == Role.SECRETARIAT
    auth.logout()
    signed_in = client.post("/auth/login", data={"email": "sam.secretary@example.org",
                                                 "password": "a long enough passphrase"})
    assert signed_in.status_code == 302


def test_duplicate_email_is_refused_keeping_input(client, auth, db):
    existing = make_user(email="taken@example.org")
    auth.login(make_user("admin"))
    response = client.post("/admin/users/new", data={
        "name": "Typed Name", "email": "TAKEN@example.org", "role": "staff",
        "password": "a long enough passphrase"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Someone already has this email address" in page and 'value="Typed Name"' in page
    assert db.session.scalar(select(User).where(User.name == "Typed Name")) is None
    assert existing.id


def test_admin_changes_a_role_and_deactivates(client, auth, db):
    user = make_user()
    auth.login(make_user("admin"))
    response = client.post(f"/admin/users/{user.id}", data={
        "name": user.name, "email": user.email, "role": "board"})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.role == Role.BOARD and user.active is False
