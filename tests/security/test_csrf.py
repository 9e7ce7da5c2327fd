"""CSRF on every form and every cookie-authenticated API write (ASVS 4.2.2, 3.5.3)."""
from __future__ import annotations

import re

from riskapp.extensions import db as _db
from tests.factories import PASSWORD, make_user
from tests.security.test_route_matrix import MATRIX, _rules, _snapshot, _url

#: Routes a browser cannot be tricked into with a cookie: no session is used.
NO_SESSION = {"committees.user_feed", "committees.committee_feed"}


def _signed_in(app, user):
    client = app.test_client()
    assert client.post("/auth/login", data={"email": user.email,
                                            "password": PASSWORD}).status_code == 302
    return client


def test_every_write_without_the_token_is_refused_and_changes_nothing(app, world):
    users, ids = world
    clients = {role: _signed_in(app, user) for role, user in users.items()}
    app.config["WTF_CSRF_ENABLED"] = True
    before = _snapshot()
    wrong = []
    for rule, method in _rules(app):
        if method == "GET" or rule.endpoint in NO_SESSION:
            continue
        allowed = MATRIX[(rule.endpoint, method)][0] - {"anonymous"}
        role = sorted(allowed)[0] if allowed else "staff"
        url = _url(app, rule, ids)
        body = {"json": {}} if rule.rule.startswith("/api/") else {"data": {}}
        response = clients[role].open(url, method=method, **body)
        if response.status_code != 400:
            wrong.append(f"{method} {url} as {role}: {response.status_code}")
    _db.session.expire_all()
    assert _snapshot() == before
    assert not wrong, "\n".join(wrong)


def test_sign_in_form_is_protected_too(app, client, db):
    """Login CSRF: a forged sign-in into the attacker's account is refused."""
    user = make_user()
    db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    page = client.get("/auth/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD,
                                                "csrf_token": token})
    assert response.status_code == 302


def test_api_write_with_cookie_needs_the_header_and_with_a_token_does_not(app, world):
    from riskapp.auth.models import ApiToken
    users, ids = world
    client = _signed_in(app, users["secretariat"])
    token, secret = ApiToken.issue(users["secretariat"], 30)
    _db.session.add(token)
    _db.session.commit()
    app.config["WTF_CSRF_ENABLED"] = True
    url = f"/api/v1/meetings/{ids['meeting_id']}/items"
    refused = client.post(url, json={"title": "Forged"})
    assert refused.status_code == 400 and "CSRF" in refused.get_json()["message"]
    page = client.get("/auth/tokens").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    with_header = client.post(url, json={"title": "Typed"}, headers={"X-CSRFToken": csrf})
    assert "CSRF" not in str(with_header.get_json())  # past the check: now the fields
    bearer = app.test_client().post(url, json={"title": "By token"},
                                    headers={"Authorization": f"Bearer {secret}"})
    assert "CSRF" not in str(bearer.get_json()) and bearer.status_code != 403


def test_every_form_on_every_page_carries_the_token(app, world):
    users, ids = world
    app.config["WTF_CSRF_ENABLED"] = True
    missing = []
    for role in ("risk_manager", "secretariat", "admin", "owner"):
        client = app.test_client()
        page = client.get("/auth/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        client.post("/auth/login", data={"email": users[role].email, "password": PASSWORD,
                                         "csrf_token": token})
        for rule, method in _rules(app):
            if method != "GET" or rule.rule.startswith(("/api/", "/static")):
                continue
            response = client.get(_url(app, rule, ids))
            if response.mimetype != "text/html":
                continue
            html = response.get_data(as_text=True)
            for form in re.findall(r"<form\b[^>]*>.*?</form>", html, flags=re.S | re.I):
                if re.search(r'method="post"', form, re.I) and not re.search(r'name="[^"]*csrf_token"', form):
                    missing.append(f"{rule.endpoint} as {role}: {form[:120]}")
    assert not missing, "\n".join(missing)
