"""Security in one place: response headers, request ids, session lifetime, login rate limits.

`init_app(app)` is called once from `create_app`. Each setting is a config key with a safe
default, so production changes them through the environment (riskapp/config.py):

- a strict Content Security Policy: no inline script or style anywhere (band colours come
  from /bands.css as classes), no framing, forms post only to this app;
- a request id per request (from a trusted proxy's `X-Request-ID` when it is a plain token,
  else a new one), on every log line, in the `X-Request-ID` response header and on error pages;
- a permanent session with an idle timeout (`SESSION_IDLE_MINUTES`): sign-in makes the session
  permanent and each request renews it; Flask refuses a cookie signed longer ago than that;
  the session is also a row on the server (riskapp.auth.models.UserSession), which signing
  out, a new password or a disabled account end, and which ends after the idle time and
  `SESSION_LONGEST_HOURS` (12) from sign-in however busy it is;
- cookies HttpOnly and SameSite=Lax always, Secure when `SESSION_COOKIE_SECURE` (set it when
  served over HTTPS; `RISKAPP_HTTPS=1`);
- per-address limits on sign-in, and per-person limits on BAF packs, register exports and
  imports (`RATELIMIT_PACKS`, `_EXPORTS`, `_IMPORTS`), with Flask-Limiter, counted in the
  database by default (riskapp.ratelimits) so every worker and host shares them;
  `RATELIMIT_STORAGE_URI` may point at Redis instead (`redis://...`).
"""
from __future__ import annotations

import logging
import os
import re
import uuid
from datetime import timedelta

from flask import Flask, g, has_request_context, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

logger = logging.getLogger(__name__)

#: Sources are this app only; nothing inline, nothing framed, no plugins, forms post here only.
CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
])

HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=(), usb=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}

LOG_FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")

limiter = Limiter(key_func=get_remote_address, default_limits=[],
                  headers_enabled=False, strategy="fixed-window")

#: Sign-in attempts per client address (POST only); the per-account throttle is in the database.
LOGIN_LIMIT_DEFAULT = "30 per 5 minutes"


class RequestIdFilter(logging.Filter):
    """Put the request id (or "-") on every log record, for the `%(request_id)s` format field."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def request_id() -> str:
    return g.get("request_id", "-") if has_request_context() else "-"


def init_app(app: Flask) -> None:
    """Headers, request ids, idle timeout and rate limits for `app`."""
    env = os.environ
    app.config.setdefault("SESSION_IDLE_MINUTES", int(env.get("RISKAPP_SESSION_IDLE_MINUTES", "30")))
    # However busy, a session ends this long after sign-in (ASVS 3.3.2): sign in again.
    app.config.setdefault("SESSION_LONGEST_HOURS", int(env.get("RISKAPP_SESSION_MAX_HOURS", "12")))
    app.config["SESSION_LONGEST"] = timedelta(hours=app.config["SESSION_LONGEST_HOURS"])
    app.config.setdefault("SESSION_COOKIE_SECURE",
                          env.get("RISKAPP_HTTPS", "").lower() in ("1", "true", "yes"))
    app.config.setdefault("PROXY_HOPS", int(env.get("RISKAPP_PROXY_HOPS", "0")))
    if env.get("RATELIMIT_STORAGE_URI"):
        app.config.setdefault("RATELIMIT_STORAGE_URI", env["RATELIMIT_STORAGE_URI"])
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(minutes=app.config["SESSION_IDLE_MINUTES"])
    app.config.setdefault("SESSION_REFRESH_EACH_REQUEST", True)
    app.config["REMEMBER_COOKIE_HTTPONLY"] = True
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    if app.config["PROXY_HOPS"]:
        # Behind a reverse proxy: the client's address and scheme come from its headers.
        from werkzeug.middleware.proxy_fix import ProxyFix
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config.setdefault("SESSION_COOKIE_SAMESITE", "Lax")
    # Counters in the app's database by default, so every worker and host shares them.
    from . import ratelimits  # noqa: F401 (registers riskapp+database://)
    app.config.setdefault("RATELIMIT_STORAGE_URI", "riskapp+database://")
    app.config.setdefault("RATELIMIT_LOGIN", LOGIN_LIMIT_DEFAULT)
    # Per person: BAF packs, register exports and imports (riskapp.ratelimits.per_person).
    ratelimits.init_work_limits(app)
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    # Requests for any other host are refused (400): the Host header is never trusted, and
    # every absolute URL the app writes comes from BASE_URL (`absolute_url`).
    if app.config.get("TRUSTED_HOSTS") is None:  # Flask's default is None: any host
        app.config["TRUSTED_HOSTS"] = trusted_hosts(app.config.get("BASE_URL", ""),
                                                    env.get("RISKAPP_TRUSTED_HOSTS", ""))
    from .reminders.services import absolute_link

    @app.template_global()
    def absolute_url(endpoint: str, **values) -> str:
        """RISKAPP_BASE_URL + the route's path (never the request's Host)."""
        return absolute_link(endpoint, values)
    limiter.init_app(app)
    from .backup import backup_cli
    app.cli.add_command(backup_cli)

    handler_filter = RequestIdFilter()
    root = logging.getLogger()
    if not root.handlers and not app.testing:
        # gunicorn and `flask run` leave the root logger bare: one line per record, with the id.
        logging.basicConfig(level=logging.INFO, format=LOG_FORMAT)
    for handler in root.handlers + app.logger.handlers:
        if not any(isinstance(f, RequestIdFilter) for f in handler.filters):
            handler.addFilter(handler_filter)

    @app.before_request
    def _start():
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _REQUEST_ID.match(incoming) else uuid.uuid4().hex

    @app.after_request
    def _headers(response):
        return apply_headers(response)

    @app.after_request
    def _audit_refusal(response):
        if response.status_code == 403:
            _record_refusal()
        return response

    @app.context_processor
    def _request_id():
        return {"request_id": request_id()}


def apply_headers(response):
    """The security headers and the request id, on every answer (error pages too)."""
    from flask import current_app
    for name, value in HEADERS.items():
        response.headers.setdefault(name, value)
    response.headers["X-Request-ID"] = request_id()
    if has_request_context() and (request.is_secure
                                  or current_app.config.get("SESSION_COOKIE_SECURE")):
        response.headers.setdefault("Strict-Transport-Security",
                                    "max-age=31536000; includeSubDomains")
    if response.mimetype == "text/html" or (has_request_context()
                                            and request.path.startswith("/api/")):
        # Pages and API answers hold board business: never kept by shared caches.
        response.headers.setdefault("Cache-Control", "no-store")
    return response


def trusted_hosts(base_url: str, extra: str) -> list[str]:
    """The host of RISKAPP_BASE_URL, any in RISKAPP_TRUSTED_HOSTS (comma separated), and the
    loopback names a health check on the machine itself uses."""
    from urllib.parse import urlsplit
    hosts = [urlsplit(base_url).hostname or ""] + [h.strip() for h in extra.split(",")]
    return sorted({h for h in hosts if h} | {"127.0.0.1", "localhost", "[::1]", "::1"})


def _record_refusal() -> None:
    """Put a 403 on the audit trail (ASVS 7.2.2), in its own transaction."""
    from flask_login import current_user

    from .auth.services import record_refusal
    from .extensions import db
    user = current_user if current_user and current_user.is_authenticated else None
    try:
        db.session.rollback()  # nothing of a refused request is kept
        record_refusal(user, request.endpoint, request.full_path.rstrip("?"))
        db.session.commit()
    except Exception:  # the refusal stands even if the trail cannot be written
        db.session.rollback()
        logger.exception("Could not record a refusal on the audit trail")
    logger.info("Refused %s %s to user %s", request.method, request.path,
                getattr(user, "id", None))
