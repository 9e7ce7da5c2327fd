"""riskapp: the risk register and governance app for NHS boards."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from flask import Flask, request, url_for
from sqlalchemy import event
from sqlalchemy.engine import Engine

from . import config as app_config
from .extensions import csrf, db, login_manager, migrate

LONDON = ZoneInfo("Europe/London")


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: configuration, extensions, blueprints and CLI groups."""
    app = Flask(__name__, instance_relative_config=True,
                template_folder="../templates", static_folder="../static")
    from .web_args import BoundedIntConverter, JsonRequest
    app.url_map.converters["int"] = BoundedIntConverter  # ids past the database's range: 404
    app.request_class = JsonRequest
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(app_config.Defaults)
    app.config.update(app_config.from_environment(app.instance_path))
    app.config.from_pyfile("config.py", silent=True)
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = app_config.load_secret_key(app.instance_path)

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    from .auth.session import TokenAwareSessionInterface
    app.session_interface = TokenAwareSessionInterface()
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to use riskapp."
    login_manager.login_message_category = "info"

    from . import models  # noqa: F401  (every model registered before use)
    from .audit import tracking  # noqa: F401  (the audit hook)
    _register_blueprints(app)
    _register_template_helpers(app)
    _register_error_pages(app)
    from . import security
    security.init_app(app)
    from .jobs import queue
    queue.init_app(app)
    from .auth import oidc
    oidc.init_app(app)
    return app


def _register_blueprints(app: Flask) -> None:
    from .actions import bp as actions_bp
    from .admin import bp as admin_bp
    from .api import bp as api_bp
    from .assurance import bp as assurance_bp
    from .auth import bp as auth_bp
    from .committees import bp as committees_bp
    from .demo import bp as demo_bp
    from .main import bp as main_bp
    from .meetings import bp as meetings_bp
    from .reminders import bp as reminders_bp
    from .reports import bp as reports_bp
    from .risks import bp as risks_bp
    from .settings import bp as settings_bp
    from .jobs import bp as jobs_bp

    for bp in (main_bp, auth_bp, risks_bp, actions_bp, settings_bp, admin_bp, api_bp, demo_bp,
               committees_bp, meetings_bp, reminders_bp, reports_bp, assurance_bp, jobs_bp):
        app.register_blueprint(bp)


def _register_template_helpers(app: Flask) -> None:
    from .main.navigation import nav_items
    from .rules.scoring import band_for, format_score

    @app.context_processor
    def inject_globals():
        from flask_login import current_user

        from .settings.organisation import header as organisation_header
        header = organisation_header()
        return {
            "nav_items": nav_items(current_user, request.endpoint or ""),
            "logout_url": url_for("auth.logout"),
            "login_url": url_for("auth.login"),
            "organisation_name": header.name,
            "organisation_logo_url": url_for("settings.logo", v=header.logo_version)
            if header.logo_version else None,
        }

    @app.template_filter("london")
    def london_time(value: datetime | None, fmt: str = "%d %b %Y %H:%M") -> str:
        """Show a stored UTC time in Europe/London."""
        if value is None:
            return ""
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(LONDON).strftime(fmt)

    @app.template_filter("day")
    def day(value) -> str:
        return value.strftime("%d %b %Y") if value else ""

    @app.template_global()
    def score_text(consequence, likelihood, bands) -> str:
        return format_score(consequence, likelihood, bands)

    from .main.colours import band_class
    app.add_template_global(band_class)

    from .words import plural
    app.add_template_global(plural)

    @app.template_global()
    def score_band(score, bands):
        return band_for(score, bands)


def _register_error_pages(app: Flask) -> None:
    from .main.errors import register_error_handlers
    register_error_handlers(app)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """Foreign keys on and write-ahead logging for SQLite, so readers don't block the writer."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


@event.listens_for(Engine, "savepoint")
def _sqlite_savepoint_inside_a_transaction(connection, name):
    """A SAVEPOINT on SQLite always nests inside a transaction.

    pysqlite (Python < 3.12) only opens a transaction before INSERT/UPDATE/DELETE, so a
    `session.begin_nested()` before any write sent SAVEPOINT in autocommit mode: SQLite then
    starts a transaction with the SAVEPOINT and its RELEASE commits it, and a later rollback
    of the request undoes nothing (a half-saved form). SQLAlchemy's documented pysqlite recipe
    (isolation_level=None plus an explicit BEGIN on every "begin") would fix it too, but it
    also moves the start of every transaction to its first SELECT, and under WAL a read
    snapshot that later writes fails at once with "database is locked" instead of waiting.
    So only here: begin the transaction pysqlite would have begun, just before the SAVEPOINT.
    """
    driver = connection.connection.driver_connection
    if type(driver).__module__.startswith("sqlite3") and not driver.in_transaction:
        driver.execute("BEGIN")


logging.getLogger(__name__).addHandler(logging.NullHandler())
