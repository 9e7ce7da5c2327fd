"""`flask backup create` copies SQLite while the app writes; `restore` brings it back."""
from __future__ import annotations

import sqlite3
import threading

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, select, text

from riskapp import create_app
from riskapp.extensions import db as _db


# These back up an SQLite file of their own whatever the suite's database, so one pass is
# enough: scripts/test.sh deselects them in the PostgreSQL pass (PostgreSQL uses pg_dump).
pytestmark = pytest.mark.sqlite_only


@pytest.fixture
def file_app(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite'}",
                      "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000"})
    with app.app_context():
        upgrade()
        from riskapp.demo.loader import load_demo
        load_demo()
        _db.session.commit()
        yield app
        _db.session.remove()
        _db.engine.dispose()


def _risk_count(path):
    connection = sqlite3.connect(path)
    try:
        return connection.execute("SELECT count(*) FROM risks").fetchone()[0]
    finally:
        connection.close()


def test_backup_while_writing_then_restore(file_app, tmp_path):
    from riskapp.risks.models import Risk
    runner = file_app.test_cli_runner()
    stop = threading.Event()

    def keep_writing():  # another process's writes, through a connection of its own
        connection = sqlite3.connect(tmp_path / "live.sqlite", timeout=10)
        while not stop.is_set():
            with connection:
                connection.execute("UPDATE risks SET title = title WHERE id = 1")
        connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        result = runner.invoke(args=["backup", "create", str(tmp_path / "copy.sqlite")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert _risk_count(tmp_path / "copy.sqlite") == 11
    assert (tmp_path / "copy.sqlite").stat().st_mode & 0o077 == 0

    # a bad day: risks lost
    _db.session.execute(text("DELETE FROM audit_entries"))
    _db.session.execute(text("UPDATE risks SET title = 'overwritten'"))
    _db.session.commit()
    _db.session.remove()
    result = runner.invoke(args=["backup", "restore", "--yes", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 0, result.output
    titles = _db.session.scalars(select(Risk.title)).all()
    assert len(titles) == 11 and "overwritten" not in titles
    assert _db.session.scalar(select(func.count()).select_from(text("audit_entries"))) > 0


def test_restore_refuses_a_file_that_is_not_a_riskapp_backup(file_app, tmp_path):
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"not a database" * 100)
    other = tmp_path / "other.sqlite"
    sqlite3.connect(other).execute("CREATE TABLE t (x)").connection.close()
    runner = file_app.test_cli_runner()
    for path in (junk, other):
        result = runner.invoke(args=["backup", "restore", "--yes", str(path)])
        assert result.exit_code != 0 and ("not a" in result.output)
    assert _risk_count(tmp_path / "live.sqlite") == 11


def test_postgres_gets_pg_dump_guidance(tmp_path):
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://u@127.0.0.1:1/x"})
    result = app.test_cli_runner().invoke(args=["backup", "create"])
    assert result.exit_code == 2 and "pg_dump --format=custom" in result.output
