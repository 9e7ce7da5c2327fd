"""Fixtures: an app on a fresh database per test, a client, a CLI runner, users and sign-in.

The suite runs on SQLite in memory by default and on PostgreSQL when
RISKAPP_TEST_DATABASE_URL is set (the test script starts one on 127.0.0.1).
"""
from __future__ import annotations

import os

import pytest
from flask.testing import FlaskClient
from sqlalchemy import exists, select, text

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


#: The demo's rows, table by table, as `load_demo` left them: taken by the first test of each
#: test process that asks for the demo, and copied into the fresh database of every later one.
_demo_rows: dict[str, list[dict]] | None = None


@pytest.fixture
def baf(app):
    """The BLMK demo data set, as `flask demo load` makes it. Loading it takes 1 s of CPU (7-12 s
    on a loaded machine) and about 370 tests ask for it; copying its 725 rows takes a few
    milliseconds. So each test process loads it once, for its first test, and later tests get
    a copy of exactly those rows, versions and transactions included, ids and all."""
    global _demo_rows
    empty = _empty()
    if _demo_rows is not None and empty:
        # Written as they were, not as new changes: no versions of their own on top of the
        # versions being copied.
        with versioning_paused():
            for table in _db.metadata.sorted_tables:
                if _demo_rows[table.name]:
                    _db.session.execute(table.insert(), _demo_rows[table.name])
            if is_postgres():
                _follow_sequences()
        _db.session.commit()
        return _db
    # The first time, or on top of rows the test made first (`load_demo` merges with them).
    from riskapp.demo.loader import load_demo
    load_demo()
    _db.session.commit()
    if _demo_rows is None and empty:
        _demo_rows = {table.name: [dict(row._mapping) for row in
                                   _db.session.execute(select(table))]
                      for table in _db.metadata.sorted_tables}
    return _db


def _empty() -> bool:
    """Whether no table holds a row yet (one statement)."""
    tables = _db.metadata.sorted_tables
    return not any(_db.session.execute(
        select(*[exists(select(1).select_from(table)) for table in tables])).one())


def _follow_sequences() -> None:
    """Rows copied with their ids leave PostgreSQL's id sequences behind: set each to the
    largest id, so the next row made gets the id it would after `load_demo`."""
    for table in _db.metadata.sorted_tables:
        if _demo_rows[table.name] and "id" in table.c and table.c.id.autoincrement is not False:
            _db.session.execute(
                text("SELECT setval(pg_get_serial_sequence(:table, 'id'), "
                     f'(SELECT max(id) FROM "{table.name}"))'), {"table": f'"{table.name}"'})


@pytest.fixture
def db_backend():
    return "postgresql" if is_postgres() else "sqlite"


def pytest_report_header(config):
    return f"riskapp test database: {TEST_DATABASE_URL.split('@')[-1]}"


def pytest_collection_modifyitems(config, items):
    """The live load test (minutes of work on a 5,000-risk register) goes first: run in
    parallel (scripts/test.sh has pytest-xdist hand out test files in this order), it then
    overlaps the rest of the suite instead of being the last thing everyone waits for."""
    items[:] = sorted(items, key=lambda item: item.get_closest_marker("live_load") is None)
