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

    # a bad day: risks and their history lost (the record's history is the version store)
    _db.session.execute(text("DELETE FROM risks_version"))
    _db.session.execute(text("UPDATE risks SET title = 'overwritten'"))
    _db.session.commit()
    _db.session.remove()
    result = runner.invoke(args=["backup", "restore", "--yes", str(tmp_path / "copy.sqlite")])
    assert result.exit_code == 0, result.output
    titles = _db.session.scalars(select(Risk.title)).all()
    assert len(titles) == 11 and "overwritten" not in titles
    assert _db.session.scalar(select(func.count()).select_from(text("risks_version"))) >= 11


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


def test_the_backup_carries_the_meeting_papers_files(file_app, tmp_path):
    """The papers' files go beside the database copy, and restore puts back those lost;
    a paper uploaded after the backup is not in it (its row is not either)."""
    from riskapp.meetings import papers
    from riskapp.meetings.models import AgendaItem
    from tests.meetings.cycle import pdf_bytes
    file_app.config["RISKAPP_PAPERS_DIR"] = str(tmp_path / "live-papers")
    item = _db.session.scalar(select(AgendaItem).order_by(AgendaItem.id))
    paper = papers.add_paper(item, "finance.pdf", pdf_bytes("Finance paper text"))
    _db.session.commit()
    kept = papers.paper_path(paper)
    content = kept.read_bytes()
    runner = file_app.test_cli_runner()
    backup = tmp_path / "copy.sqlite"
    result = runner.invoke(args=["backup", "create", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Copied 1 paper file to" in result.output
    folder = tmp_path / "copy.sqlite.papers"
    assert (folder / paper.stored_name).read_bytes() == content
    assert (folder / paper.stored_name).stat().st_mode & 0o077 == 0
    later = papers.add_paper(item, "later.pdf", pdf_bytes("Uploaded after the backup"))
    _db.session.commit()
    assert not (folder / later.stored_name).exists()

    kept.unlink()  # a bad day: the papers folder lost a file
    _db.session.remove()
    result = runner.invoke(args=["backup", "restore", "--yes", str(backup)])
    assert result.exit_code == 0, result.output
    assert "Put back 1 paper file from" in result.output
    assert kept.read_bytes() == content


def test_papers_are_copied_for_a_postgresql_backup_too(file_app, tmp_path):
    from riskapp.meetings import papers
    from riskapp.meetings.models import AgendaItem
    from tests.meetings.cycle import docx_bytes
    file_app.config["RISKAPP_PAPERS_DIR"] = str(tmp_path / "live-papers")
    item = _db.session.scalar(select(AgendaItem).order_by(AgendaItem.id))
    paper = papers.add_paper(item, "estates.docx", docx_bytes())
    _db.session.commit()
    result = file_app.test_cli_runner().invoke(args=["backup", "papers",
                                                     str(tmp_path / "dump.papers")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dump.papers" / paper.stored_name).read_bytes() == \
        papers.paper_path(paper).read_bytes()
