"""The administrator manages users and roles."""
import pytest
from sqlalchemy import select

from riskapp.audit.models import AuditEntry
from riskapp.auth.models import LoginThrottle, Role, User
from tests.factories import PASSWORD, make_user


def test_admin_adds_a_user_who_can_sign_in(client, auth, db):
    auth.login(make_user("admin"))
    response = client.post("/admin/users/new", data={
        "name": "Sam Secretary", "email": "Sam.Secretary@example.org", "role": "secretariat",
        "active": "y", "password": "a long enough passphrase"})
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "sam.secretary@example.org"))
    assert user.role == Role.SECRETARIAT
    trail = db.session.execute(select(AuditEntry.operation, AuditEntry.field,
                                      AuditEntry.new_value)
                               .where(AuditEntry.object_type == "users",
                                      AuditEntry.object_id == user.id,
                                      AuditEntry.field.in_(("role", "active")))
                               .order_by(AuditEntry.field)).all()
    assert [tuple(t) for t in trail] == [("create", "active", "True"),
                                         ("create", "role", "secretariat")]
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
    admin = make_user("admin")
    auth.login(admin)
    response = client.post(f"/admin/users/{user.id}", data={
        "name": user.name, "email": user.email, "role": "board", "current_password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert user.role == Role.BOARD and user.active is False
    # Both changes on the trail: who made them, from what, to what.
    trail = db.session.execute(
        select(AuditEntry.user_id, AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value)
        .where(AuditEntry.object_type == "users", AuditEntry.object_id == user.id,
               AuditEntry.operation == "update").order_by(AuditEntry.field)).all()
    assert [tuple(t) for t in trail] == [(admin.id, "active", "True", "False"),
                                         (admin.id, "role", "staff", "board")]


@pytest.mark.parametrize("change", [
    {"role": "risk_manager", "active": "y"},  # a new role
    {"role": "staff"},  # deactivated (no "active" in the form)
])
@pytest.mark.parametrize("typed, message", [
    ("", "Enter your password to change this person&#39;s role or whether they can sign in"),
    ("not my password at all", "Your current password is not right"),
])
def test_role_or_access_change_needs_the_admins_own_password(client, auth, db, change, typed,
                                                              message):
    user = make_user(name="Pat Person")
    admin = make_user("admin")
    auth.login(admin)
    response = client.post(f"/admin/users/{user.id}", data={
        "name": "Pat Person-Typed", "email": user.email, "job_title": "Typed title",
        "current_password": typed, **change})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in page and 'href="#current_password"' in page  # beside it and in the summary
    assert 'value="Pat Person-Typed"' in page and 'value="Typed title"' in page
    assert 'value="not my password' not in page  # a password is never sent back
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.name, user.role, user.active) == ("Pat Person", Role.STAFF, True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.object_type == "users",
                                                      AuditEntry.object_id == user.id)) is None
    failures = db.session.scalar(select(LoginThrottle.failures)
                                 .where(LoginThrottle.email == admin.email))
    assert failures == (1 if typed else None)  # a wrong password counts as a failed sign-in


def test_other_details_change_without_a_password(client, auth, db):
    user = make_user(name="Pat Person")
    auth.login(make_user("admin"))
    response = client.post(f"/admin/users/{user.id}", data={
        "name": "Pat Person-Smith", "email": user.email, "role": "staff", "active": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).name == "Pat Person-Smith"


def test_the_password_box_is_on_the_edit_page_only(client, auth, db):
    user = make_user()
    auth.login(make_user("admin"))
    assert 'name="current_password"' in client.get(f"/admin/users/{user.id}").get_data(
        as_text=True)
    assert 'name="current_password"' not in client.get("/admin/users/new").get_data(
        as_text=True)
