"""Security headers, request ids, errors without stack traces, Host header (ASVS V14, V7)."""
from __future__ import annotations

import logging
import re

import pytest

from riskapp import create_app
from riskapp.extensions import db as _db
from riskapp.security import CONTENT_SECURITY_POLICY
from tests.conftest import TEST_DATABASE_URL
from tests.factories import make_user


def test_pages_carry_a_strict_csp_and_the_other_headers(client, auth, db):
    auth.login(make_user())
    for url in ("/auth/login", "/risks/", "/api/v1/risks", "/health", "/bands.css"):
        headers = client.get(url).headers
        csp = headers["Content-Security-Policy"]
        assert csp == CONTENT_SECURITY_POLICY
        assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["X-Frame-Options"] == "DENY"
        assert headers["Referrer-Policy"] == "same-origin"
        assert re.fullmatch(r"[0-9a-f]{32}", headers["X-Request-ID"])
    assert client.get("/risks/").headers["Cache-Control"] == "no-store"


def test_no_inline_script_or_style_in_pages(client, auth, baf):
    from riskapp.auth.models import Role, User
    from sqlalchemy import select
    from riskapp.demo.loader import DEMO_PASSWORD
    auth.login(_db.session.scalar(select(User).where(User.role == Role.RISK_MANAGER)),
               DEMO_PASSWORD)
    for url in ("/risks/", "/risks/BAF0001", "/reports/heatmap", "/committees/", "/meetings/"):
        html = client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\sstyle=|<style|\son[a-z]+=", html, re.I), url


def test_hsts_only_over_https(app, client):
    assert "Strict-Transport-Security" not in client.get("/health").headers
    secure = client.get("/health", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_a_trusted_request_id_is_kept_and_a_hostile_one_replaced(client):
    assert client.get("/health", headers={"X-Request-ID": "lb-1234abcd"}).headers[
        "X-Request-ID"] == "lb-1234abcd"
    hostile = client.get("/health", headers={"X-Request-ID": "<script>x</script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", hostile.headers["X-Request-ID"])


@pytest.fixture
def production_app(tmp_path):
    """An app as served: TESTING off, so unexpected errors get the friendly page."""
    app = create_app({"SECRET_KEY": "t", "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
                      "WTF_CSRF_ENABLED": False, "SERVER_NAME": "localhost",
                      "BASE_URL": "https://risks.example.nhs.uk"})

    @app.route("/boom")
    def boom():
        raise RuntimeError("SELECT secret FROM users -- Traceback detail")

    @app.route("/api/v1/boom")
    def api_boom():
        raise RuntimeError("SELECT secret FROM users")
    yield app
    # Close its pooled connections now: left to the garbage collector, PostgreSQL's warn
    # "deleted while still open" during whichever test runs then.
    with app.app_context():
        for engine in _db.engines.values():
            engine.dispose()


def test_an_error_shows_a_reference_not_a_trace_and_logs_it(production_app, caplog):
    client = production_app.test_client()
    with production_app.app_context(), caplog.at_level(logging.ERROR):
        response = client.get("/boom")
    page = response.get_data(as_text=True)
    request_id = response.headers["X-Request-ID"]
    assert response.status_code == 500
    assert request_id in page and "Traceback" not in page and "SELECT" not in page
    record = next(r for r in caplog.records if "Unhandled error" in r.getMessage())
    assert record.request_id == request_id and record.exc_info
    with production_app.app_context():
        api = client.get("/api/v1/boom")
    assert api.status_code == 500 and "SELECT" not in api.get_data(as_text=True)


def test_email_links_come_from_the_base_url_never_the_host_header(production_app):
    from riskapp.reminders.services import absolute_link
    with production_app.test_request_context("/", headers={"Host": "evil.example"}):
        link = absolute_link("risks.detail", {"reference": "BAF0001"})
    assert link == "https://risks.example.nhs.uk/risks/BAF0001"


def test_unknown_host_header_does_not_reach_links(client, auth, db):
    """A forged Host is refused outright (TRUSTED_HOSTS, issue 15), and pages link by path."""
    auth.login(make_user())
    response = client.get("/risks/", headers={"Host": "evil.example"})
    assert response.status_code == 400
    assert "evil.example" not in response.get_data(as_text=True)
