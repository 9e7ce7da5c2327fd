"""Fixtures: an app on a fresh database per test, a client, a CLI runner, users and sign-in.

The suite runs on SQLite in memory by default and on PostgreSQL when
RISKAPP_TEST_DATABASE_URL is set (the test script starts one on 127.0.0.1).
"""
from __future__ import annotations

import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import text

from riskapp import create_app
from riskapp.extensions import db as _db
from riskapp.record import versioning_paused

from . import factories



def _database_of_this_worker(url: str) -> str:
    """Under pytest-xdist each worker empties its tables after every test, so on PostgreSQL
    each has a database of its own (riskapp_test_gw0, ...), made on first use. Tests that read
    the URL from the environment (e.g. to start a process) see this worker's too."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker or not url.startswith("postgresql"):
        return url
    from sqlalchemy import create_engine, make_url
    parsed = make_url(url)
    name = f"{parsed.database}_{worker}"
    admin = create_engine(parsed, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        if not connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"),
                                 {"name": name}):
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = parsed.set(database=name).render_as_string(hide_password=False)
    os.environ["RISKAPP_TEST_DATABASE_URL"] = url
    return url


TEST_DATABASE_URL = _database_of_this_worker(os.environ.get("RISKAPP_TEST_DATABASE_URL", "sqlite://"))


def is_postgres() -> bool:
    return TEST_DATABASE_URL.startswith("postgresql")


class FreshContextClient(FlaskClient):
    """Run each request in its own app context, as a server does: a fresh `g` and session.

    Without this, requests share the test's app context, so Flask-Login's cached user and
    anything else in `g` would leak from one request into the next.
    """

    def open(self, *args, **kwargs):
        with self.application.app_context():
            return super().open(*args, **kwargs)


@pytest.fixture
def app(tmp_path):
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test",
        "SQLALCHEMY_DATABASE_URI": TEST_DATABASE_URL,
        "WTF_CSRF_ENABLED": False,
        "SERVER_NAME": "localhost",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        "JOBS_RUN_AT_ONCE": True,  # each job runs as it is asked for (Huey's immediate mode)
    })
    app.test_client_class = FreshContextClient
    with app.app_context():
        _db.create_all()
        yield app
        _db.session.remove()
        # Emptying the tables is far quicker than dropping them on PostgreSQL; restarting the
        # id sequences there makes each test start as on a new database, as SQLite does.
        with versioning_paused():  # a raw clean-up, not a change anyone made
            _empty_tables()
        _db.session.commit()
        _db.session.remove()
        for engine in _db.engines.values():
            engine.dispose()  # close pooled connections: each test's app has its own engine


def _empty_tables():
    if is_postgres():
        names = ", ".join(f'"{t.name}"' for t in _db.metadata.sorted_tables)
        _db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(_db.metadata.sorted_tables):
            _db.session.execute(table.delete())


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class Auth:
    """Sign in as a user through the real login form."""

    def __init__(self, client):
        self.client = client

    def login(self, user, password: str = factories.PASSWORD):
        _db.session.commit()  # the request runs in its own session: it must see the test's data
        response = self.client.post("/auth/login", data={"email": user.email,
                                                         "password": password})
        assert response.status_code == 302, response.get_data(as_text=True)[:2000]
        return response

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def baf(app):
    """The BLMK demo data set, loaded as `flask demo load` does."""
    from riskapp.demo.loader import load_demo
    load_demo()
    _db.session.commit()
    return _db


@pytest.fixture
def db_backend():
    return "postgresql" if is_postgres() else "sqlite"


def pytest_report_header(config):
    return f"riskapp test database: {TEST_DATABASE_URL.split('@')[-1]}"

