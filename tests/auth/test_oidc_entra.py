"""Single sign-on with an issuer that behaves as Microsoft Entra ID: no `email_verified` claim.

The real local provider (oidc-provider-mock) is given people whose claims are Entra's: an
email, a name, the tenant's object id, and no `email_verified`. riskapp trusts such an address
only when its domain is one of OIDC_TRUSTED_EMAIL_DOMAINS, or the token says `xms_edov`.
"""
from __future__ import annotations

import pytest

from riskapp import create_app
from riskapp.auth.models import Role, User
from riskapp.auth.oidc import email_is_verified
from riskapp.extensions import db as _db
from riskapp.record import versioning_paused
from riskapp.settings.models import Organisation
from tests.auth.test_oidc import BASE_URL, _at_provider, _callback, _start
from tests.conftest import TEST_DATABASE_URL, FreshContextClient, _empty_tables
from tests.factories import make_user
from tests.oidc_provider import provider


def entra_person(email: str, name: str, **extra) -> dict:
    """As Entra ID's ID token has them: no email_verified; oid and tid of the tenant."""
    return {"sub": f"pairwise-{email}", "claims": {
        "email": email, "name": name, "oid": f"oid-{email}", "tid": "tenant-1",
        "preferred_username": email, **extra}}


PEOPLE = [entra_person("anne.brierley@anytown.nhs.uk", "Anne Brierley"),
          entra_person("guest@elsewhere.example", "Guest Elsewhere"),
          entra_person("look.alike@anytown.nhs.uk.example", "Look Alike"),
          entra_person("owner.verified@elsewhere.example", "Owner Verified", xms_edov=True),
          entra_person("new.starter@anytown.nhs.uk", "New Starter")]


@pytest.fixture(scope="module")
def issuer():
    with provider(PEOPLE) as url:
        yield url


@pytest.fixture
def app(issuer):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "BASE_URL": BASE_URL,
        "OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": "riskapp", "OIDC_CLIENT_SECRET": "s3cret",
        "OIDC_PROVIDER_NAME": "NHSmail", "OIDC_TRUSTED_EMAIL_DOMAINS": "anytown.nhs.uk, nhs.net",
        "JOBS_RUN_AT_ONCE": True})
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        with versioning_paused():
            _empty_tables()
        _db.session.commit()
        _db.session.remove()
        for engine in _db.engines.values():
            engine.dispose()


def _sign_in(client, email: str):
    return _callback(client, _at_provider(_start(client), f"pairwise-{email}"))


def test_an_address_in_a_trusted_domain_signs_in_without_email_verified(client, db):
    anne = make_user(email="anne.brierley@anytown.nhs.uk", name="Anne Brierley")
    db.session.commit()
    response = _sign_in(client, "anne.brierley@anytown.nhs.uk")
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Signed in with NHSmail." in client.get("/auth/tokens").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, anne.id).sso_subject.endswith(
        " pairwise-anne.brierley@anytown.nhs.uk")


@pytest.mark.parametrize("email", ["guest@elsewhere.example",
                                   "look.alike@anytown.nhs.uk.example"])
def test_an_address_outside_the_trusted_domains_matches_nobody(client, db, email):
    make_user(email=email)
    db.session.commit()
    response = _sign_in(client, email)
    assert response.status_code == 403
    assert "did not give a verified email address" in response.get_data(as_text=True)
    assert client.get("/auth/tokens").status_code == 302  # not signed in
    assert db.session.scalar(User.by_email(email)).sso_subject is None


def test_entras_email_domain_owner_verified_claim_is_trusted(client, db):
    make_user(email="owner.verified@elsewhere.example")
    db.session.commit()
    assert _sign_in(client, "owner.verified@elsewhere.example").status_code == 302


def test_a_trusted_domain_lets_single_sign_on_create_the_account(client, db):
    db.session.add(Organisation(name="NHS Anytown", sso_creates_users=True))
    db.session.commit()
    assert _sign_in(client, "new.starter@anytown.nhs.uk").status_code == 302
    user = db.session.scalar(User.by_email("new.starter@anytown.nhs.uk"))
    assert (user.name, user.role) == ("New Starter", Role.STAFF)


@pytest.mark.parametrize("claims, verified", [
    ({"email": "a@anytown.nhs.uk", "email_verified": True}, True),
    ({"email": "a@anytown.nhs.uk"}, True),                     # a trusted domain
    ({"email": "A@AnyTown.NHS.uk"}, True),                     # whatever the case
    ({"email": "a@nhs.net"}, True),
    ({"email": "a@elsewhere.example"}, False),
    ({"email": "a@elsewhere.example", "email_verified": False}, False),
    ({"email": "a@elsewhere.example", "xms_edov": True}, True),
    ({"email": "a@elsewhere.example", "xms_edov": False}, False),
    ({"email": "a@sub.anytown.nhs.uk"}, False),                # a subdomain is not the domain
    ({"email": "a@anytown.nhs.uk.evil.example"}, False),
    ({"email": "a@b@anytown.nhs.uk"}, False),
    ({"email": ""}, False),
    ({}, False),
])
def test_which_addresses_are_taken_as_verified(claims, verified):
    assert email_is_verified(claims, {"anytown.nhs.uk", "nhs.net"}) is verified


def test_the_administrator_sees_which_domains_are_trusted(client, auth, db):
    auth.login(make_user("admin"))
    page = client.get("/settings/organisation").get_data(as_text=True)
    assert "when it ends in @anytown.nhs.uk or @nhs.net." in page


def _invitation(db, email: str) -> tuple[int, str]:
    from riskapp.auth import invites
    from riskapp.auth.models import PasswordLink, utcnow
    admin, user = make_user("admin"), make_user(email=email, name="Jo Francis")
    link, secret = invites._issue(user, PasswordLink.INVITE, invites.invite_lifetime(),
                                  utcnow(), admin)
    db.session.commit()
    return user.id, secret


def test_an_invitation_links_the_organisation_account_whatever_its_email(client, db):
    """Entra may give no checked address (or another one): the emailed invitation link has
    proved who this is, so the account they sign in with is linked to it."""
    user_id, secret = _invitation(db, "jo.francis@riskapp-only.example")
    page = client.get(f"/auth/set-password/{secret}").get_data(as_text=True)
    assert "Or use your organisation account" in page
    assert f'href="/auth/sso/start?invitation={secret}"' in page
    start = client.get(f"/auth/sso/start?invitation={secret}")
    assert start.status_code == 302 and start.headers["Referrer-Policy"] == "no-referrer"
    response = _callback(client, _at_provider(start.location, "pairwise-guest@elsewhere.example"))
    assert response.status_code == 302, response.get_data(as_text=True)
    assert "Jo Francis" in client.get("/auth/tokens").get_data(as_text=True)
    db.session.expire_all()
    user = db.session.get(User, user_id)
    assert user.sso_subject.endswith(" pairwise-guest@elsewhere.example")
    # Used up: the invitation cannot link or set a password again.
    client.post("/auth/logout")
    again = client.get(f"/auth/sso/start?invitation={secret}")
    assert again.status_code == 410 and "already been used" in again.get_data(as_text=True)
    assert client.get(f"/auth/set-password/{secret}").status_code == 410


def test_an_organisation_account_linked_to_someone_else_is_not_linked_again(client, db):
    make_user(email="other@anytown.nhs.uk", sso_subject=None)
    anne = make_user(email="anne.brierley@anytown.nhs.uk")
    db.session.commit()
    assert _sign_in(client, "anne.brierley@anytown.nhs.uk").status_code == 302  # Anne linked
    client.post("/auth/logout")
    _, secret = _invitation(db, "second.account@anytown.nhs.uk")
    start = client.get(f"/auth/sso/start?invitation={secret}")
    response = _callback(client, _at_provider(start.location,
                                              "pairwise-anne.brierley@anytown.nhs.uk"))
    assert response.status_code == 403
    assert "already linked to another riskapp account" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, anne.id).sso_subject is not None


def test_a_made_up_invitation_starts_nothing(client, db):
    response = client.get("/auth/sso/start?invitation=made-up")
    assert response.status_code == 404 and "This link is not right" in \
        response.get_data(as_text=True)
