"""Single sign-on with OpenID Connect against a real provider on 127.0.0.1 (issue 16).

The browser's part (following redirects, choosing who signs in at the provider) is done here
with `requests` and the test client; tests/browser/test_sso.py does it in Chromium.
"""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from sqlalchemy import select

from riskapp import create_app
from riskapp.auth.models import Role, User
from riskapp.extensions import db as _db
from riskapp.settings.models import Organisation
from riskapp.record import versioning_paused
from tests.conftest import TEST_DATABASE_URL, FreshContextClient, _empty_tables
from tests.factories import make_user
from tests.oidc_provider import person, provider

BASE_URL = "https://riskapp.example.nhs.uk"
PEOPLE = [person("anne.brierley@example.nhs.uk", "Anne Brierley"),
          person("new.starter@example.nhs.uk", "New Starter"),
          person("unverified@example.nhs.uk", "Not Verified", verified=False)]


@pytest.fixture(scope="module")
def issuer():
    with provider(PEOPLE) as url:
        yield url


@pytest.fixture
def app(issuer, tmp_path):
    app = create_app({
        "TESTING": True, "SECRET_KEY": "test", "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "BASE_URL": BASE_URL,
        "OIDC_ISSUER": issuer, "OIDC_CLIENT_ID": "riskapp", "OIDC_CLIENT_SECRET": "s3cret",
        "OIDC_PROVIDER_NAME": "NHSmail", "JOBS_RUN_AT_ONCE": True})
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        with versioning_paused():  # as tests/conftest.py's app fixture
            _empty_tables()
        _db.session.commit()
        _db.session.remove()
        for engine in _db.engines.values():
            engine.dispose()


def _start(client) -> str:
    """Press "Sign in with NHSmail": the address riskapp sends the browser to."""
    response = client.get("/auth/sso/start")
    assert response.status_code == 302, response.get_data(as_text=True)
    return response.location


def _at_provider(authorize_url: str, sub: str) -> str:
    """Choose `sub` on the provider's page: the callback address it sends the browser back to."""
    response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=10)
    assert response.status_code == 302, response.text
    return response.headers["Location"]


def _callback(client, location: str):
    parts = urlsplit(location)
    assert f"{parts.scheme}://{parts.netloc}" == BASE_URL  # the redirect URI is from BASE_URL
    return client.get(parts.path + "?" + parts.query)


def test_the_authorization_request_carries_pkce_state_and_nonce(client, db):
    query = parse_qs(urlsplit(_start(client)).query)
    assert query["client_id"] == ["riskapp"]
    assert query["response_type"] == ["code"]
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) >= 43
    assert len(query["state"][0]) >= 20 and len(query["nonce"][0]) >= 20
    assert query["redirect_uri"] == [BASE_URL + "/auth/sso/callback"]
    assert set(query["scope"][0].split()) == {"openid", "email", "profile"}


def test_an_existing_account_signs_in_by_verified_email(client, db):
    anne = make_user(email="anne.brierley@example.nhs.uk", name="Anne Brierley")
    db.session.commit()
    response = _callback(client, _at_provider(_start(client), "sub-anne.brierley@example.nhs.uk"))
    assert response.status_code == 302, response.get_data(as_text=True)
    page = client.get("/auth/tokens").get_data(as_text=True)
    assert "Anne Brierley" in page and "Signed in with NHSmail." in page
    db.session.expire_all()
    assert db.session.get(User, anne.id).sso_subject.endswith(" sub-anne.brierley@example.nhs.uk")


def test_a_state_this_browser_did_not_start_is_refused(client, db):
    make_user(email="anne.brierley@example.nhs.uk")
    db.session.commit()
    location = _at_provider(_start(client), "sub-anne.brierley@example.nhs.uk")
    tampered = location.replace("state=", "state=x")
    response = _callback(client, tampered)
    assert response.status_code == 400
    assert "This sign-in did not start from this browser" in response.get_data(as_text=True)
    assert client.get("/auth/tokens").status_code == 302  # not signed in


def test_a_code_issued_to_another_application_is_refused(client, db):
    """A code (and so an ID token) for another client of the same issuer is not accepted."""
    make_user(email="anne.brierley@example.nhs.uk")
    db.session.commit()
    authorize = _start(client).replace("client_id=riskapp", "client_id=another-app")
    response = _callback(client, _at_provider(authorize, "sub-anne.brierley@example.nhs.uk"))
    assert response.status_code == 400
    assert "could not be trusted" in response.get_data(as_text=True)
    assert client.get("/auth/tokens").status_code == 302


def test_an_id_token_for_another_audience_fails_verification(app, issuer, db):
    """A real ID token from the issuer, signed with its key, but for another application."""
    from riskapp.auth.oidc import _client
    authorize = (f"{issuer}/oauth2/authorize?client_id=another-app&response_type=code"
                 "&scope=openid+email&redirect_uri=https://another.example/cb&nonce=n1&state=s1")
    code = parse_qs(urlsplit(_at_provider(authorize, "sub-anne.brierley@example.nhs.uk"))
                    .query)["code"][0]
    token = requests.post(f"{issuer}/oauth2/token", data={
        "grant_type": "authorization_code", "code": code,
        "redirect_uri": "https://another.example/cb", "client_id": "another-app",
        "client_secret": "x"}, timeout=10).json()
    from joserfc import jwt as jose_jwt
    from joserfc.jwk import KeySet
    keys = KeySet.import_key_set(requests.get(f"{issuer}/jwks", timeout=10).json())
    assert jose_jwt.decode(token["id_token"], keys).claims["aud"] in ("another-app",
                                                                     ["another-app"])
    # Signed by the issuer, right nonce, but not for riskapp: refused (Authlib reports the
    # audience without riskapp as a missing authorised party, "azp").
    with pytest.raises(Exception, match="aud|azp"):
        _client().parse_id_token(token, nonce="n1")


def test_no_account_and_no_creation_is_refused_plainly(client, db):
    response = _callback(client, _at_provider(_start(client), "sub-new.starter@example.nhs.uk"))
    assert response.status_code == 403
    assert "There is no riskapp account for new.starter@example.nhs.uk" in \
        response.get_data(as_text=True)
    assert db.session.scalar(User.by_email("new.starter@example.nhs.uk")) is None


def test_an_account_is_created_with_the_staff_role_when_switched_on(client, db):
    db.session.add(Organisation(name="NHS Anytown", sso_creates_users=True))
    db.session.commit()
    response = _callback(client, _at_provider(_start(client), "sub-new.starter@example.nhs.uk"))
    assert response.status_code == 302
    user = db.session.scalar(User.by_email("new.starter@example.nhs.uk"))
    assert (user.name, user.role, user.password_hash) == ("New Starter", Role.STAFF, None)


def test_an_unverified_email_matches_nobody(client, db):
    make_user(email="unverified@example.nhs.uk")
    db.session.add(Organisation(name="NHS Anytown", sso_creates_users=True))
    db.session.commit()
    response = _callback(client, _at_provider(_start(client), "sub-unverified@example.nhs.uk"))
    assert response.status_code == 403
    assert "did not give a verified email address" in response.get_data(as_text=True)


def test_passwords_off_for_all_but_the_break_glass_administrator(client, auth, db):
    from tests.factories import PASSWORD
    admin, anne = make_user("admin"), make_user(email="anne.brierley@example.nhs.uk")
    db.session.add(Organisation(name="NHS Anytown", passwords_allowed=False,
                                break_glass_user_id=admin.id))
    db.session.commit()
    refused = client.post("/auth/login", data={"email": anne.email, "password": PASSWORD})
    assert refused.status_code == 422
    assert "Passwords are switched off: sign in with your organisation account" in \
        refused.get_data(as_text=True)
    auth.login(admin)  # the break-glass administrator still can
    auth.logout()
    page = client.get("/auth/login").get_data(as_text=True)
    assert "Sign in with NHSmail" in page and "Administrator sign-in with a password" in page
    assert "Forgotten your password?" not in page
    # And single sign-on still works for Anne.
    assert _callback(client, _at_provider(
        _start(client), "sub-anne.brierley@example.nhs.uk")).status_code == 302


def test_an_administrator_cannot_switch_passwords_off_without_a_break_glass_account(
        client, auth, db):
    auth.login(make_user("admin"))
    response = client.post("/settings/sign-in", data={"sso_creates_users": "y"})
    assert response.status_code == 422
    assert "Choose a break-glass administrator before switching passwords off" in \
        response.get_data(as_text=True)
    assert db.session.scalar(select(Organisation)) is None
