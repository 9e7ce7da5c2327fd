"""Migrations go from empty to head, match the models exactly, and come back down to base."""
from __future__ import annotations

import os
import uuid

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from riskapp import create_app
from riskapp.extensions import db
from riskapp.risks.search import is_search_index

TEST_URL = os.environ.get("RISKAPP_TEST_DATABASE_URL", "sqlite://")


@pytest.fixture
def empty_database_url(tmp_path):
    """A database of its own: a file for SQLite, a fresh database on the PostgreSQL server."""
    if not TEST_URL.startswith("postgresql"):
        yield f"sqlite:///{tmp_path / 'migrations.sqlite'}"
        return
    url = make_url(TEST_URL)
    name = f"riskapp_migrations_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    yield url.set(database=name).render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()


def _described_by_models(name, type_, parent_names) -> bool:
    """Everything but the search's FTS5 table and trigram indexes, which no model describes."""
    return not is_search_index(name)


def test_upgrade_matches_models_and_downgrades_to_base(empty_database_url):
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": empty_database_url})
    with app.app_context():
        upgrade()
        with db.engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={
                "compare_type": True, "include_name": _described_by_models})
            differences = compare_metadata(context, db.metadata)
        assert differences == [], f"models and migrations differ: {differences}"
        downgrade(revision="base")
        left = set(inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert left == set()
        upgrade()  # and up again, so a downgrade leaves nothing behind that breaks it
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_sqlite_downgrade_past_the_meeting_version_keeps_the_data(tmp_path):
    """Issue 15, finding 15: with meetings and rows pointing at them, going down past the
    meeting-version migration works and leaves no `_alembic_tmp_meetings` behind."""
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        upgrade(revision="4330545429df")
        _insert(db.engine, "committees", id=1)
        _insert(db.engine, "meetings", id=1, committee_id=1, version=3, status="Held")
        _insert(db.engine, "agenda_items", id=1, meeting_id=1)
        downgrade(revision="6ed3f6133534")
        names = set(inspect(db.engine).get_table_names())
        assert "_alembic_tmp_meetings" not in names
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM meetings")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM agenda_items")).scalar() == 1
            assert "version" not in {c["name"] for c in inspect(db.engine).get_columns("meetings")}
        db.engine.dispose()


def _insert(engine, table: str, **given) -> None:
    """One row of `table` as the schema stands: `given` values, a plain value for the rest
    of the columns that must have one."""
    plain = {"INTEGER": 1, "BOOLEAN": 0, "DATETIME": "2024-05-16 10:00:00", "DATE": "2024-05-16",
             "FLOAT": 1.0}
    values = dict(given)
    for column in inspect(engine).get_columns(table):
        if column["name"] in values or column["nullable"] or column.get("default") is not None:
            continue
        kind = str(column["type"]).split("(")[0].upper()
        values[column["name"]] = plain.get(kind, "x")
    names = ", ".join(f'"{name}"' for name in values)  # quoted: meeting_actions has "update"
    marks = ", ".join(f":{name}" for name in values)
    with engine.begin() as connection:
        connection.execute(text(f"INSERT INTO {table} ({names}) VALUES ({marks})"), values)


@pytest.mark.sqlite_only
def test_audit_entries_from_before_the_version_store_stay_readable(tmp_path):
    """Issue 14: the version store becomes the only writer of the risk family's trail; a
    database that had only the old audit entries keeps them on the risk's trail, and going
    down removes only the marker."""
    from riskapp.record.trail import risk_trail
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        upgrade(revision="b8bb6d3579cd")  # before the version store
        _insert(db.engine, "users", id=1, name="Olive Owner", email="olive@example.org")
        _insert(db.engine, "registers", id=1, name="Board Assurance Framework", prefix="BAF")
        _insert(db.engine, "risks", id=1, register_id=1, number=1, reference="BAF0001",
                opened_on="2022-01-10", status="Closed", owner_id=1)
        _insert(db.engine, "audit_entries", id=1, at="2022-06-01 09:00:00.000000", user_id=1,
                object_type="risks", object_id=1, risk_id=1, operation="update",
                field="status", old_value="Open", new_value="Closed")
        upgrade()
        trail = risk_trail(1)
        closed = [(e.field, e.was, e.now, e.who, e.at.date().isoformat()) for e in trail
                  if e.field == "Status"]
        assert closed == [("Status", "Open", "Closed", "Olive Owner", "2022-06-01")]
        db.session.remove()
        downgrade(revision="a7d3c1e0f417")
        assert "audit_trail_handover" not in inspect(db.engine).get_table_names()
        with db.engine.connect() as connection:
            assert connection.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 1
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_a_meetings_parts_get_versions_and_keep_their_old_audit_entries(tmp_path):
    """Issue 14: a meeting's items, attendance, declarations, votes and actions join the
    version store; existing rows get a first version dated from their meeting, their old
    audit entries stay on the meeting's trail, and going down drops only what was added."""
    from riskapp.record.trail import meeting_trail
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        upgrade(revision="3f1c2a9d7e41")  # before meetings and their parts were versioned
        _insert(db.engine, "users", id=1, name="Sam Secretary", email="sam@example.org")
        _insert(db.engine, "committees", id=1, name="Audit Committee")
        _insert(db.engine, "committee_members", id=1, committee_id=1, user_id=1,
                positions='["Chair"]', appointed_on="2023-04-01")
        _insert(db.engine, "meetings", id=1, committee_id=1, status="Held",
                starts_at="2023-11-16 10:00:00.000000", created_at="2023-10-01 09:00:00.000000")
        _insert(db.engine, "agenda_items", id=1, meeting_id=1, number="3", title="Finance report",
                outcome="Noted the report")
        _insert(db.engine, "attendances", id=1, meeting_id=1, member_id=1, status="present")
        _insert(db.engine, "meeting_actions", id=1, meeting_id=1, detail="Write to the provider",
                status="Open", created_at="2023-11-16 12:00:00.000000")
        _insert(db.engine, "audit_entries", id=1, at="2023-11-17 09:00:00.000000", user_id=1,
                object_type="agenda_items", object_id=1, operation="update",
                field="outcome", old_value="Noted", new_value="Noted the report")
        upgrade()
        with db.engine.connect() as connection:
            for table in ("agenda_items", "attendances", "meeting_actions"):
                assert connection.execute(text(
                    f"SELECT count(*) FROM {table}_version")).scalar() == 1, table
            handed = set(connection.execute(text(
                "SELECT object_type FROM audit_trail_handover")).scalars())
        assert {"agenda_items", "attendances", "meeting_actions"} <= handed
        assert "votes" not in handed  # votes never wrote audit entries
        trail = meeting_trail(1)
        old = [(e.record, e.field, e.was, e.now, e.who) for e in trail
               if e.at.date().isoformat() == "2023-11-17"]
        assert old == [("Meeting 16 Nov 2023, item 3: decision", "Decision", "Noted",
                        "Noted the report", "Sam Secretary")]
        # The store's given first version of the item is not shown: the old entries tell of it.
        assert not [e for e in trail if e.record == "Meeting 16 Nov 2023, item 3"
                    and e.change == "Added"]
        assert any(e.record == 'Meeting 16 Nov 2023, action "Write to the provider"'
                   and e.change == "Added" for e in trail)
        db.session.remove()
        downgrade(revision="0877ffa2ea7a")
        names = set(inspect(db.engine).get_table_names())
        assert "agenda_items_version" not in names and "votes_version" not in names
        with db.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT count(*) FROM audit_trail_handover WHERE object_type = "
                "'agenda_items'")).scalar() == 0
            assert connection.execute(text("SELECT count(*) FROM audit_entries")).scalar() == 1
            assert connection.execute(text("SELECT count(*) FROM agenda_items")).scalar() == 1
        upgrade()  # and up again
        db.engine.dispose()


@pytest.mark.sqlite_only
def test_packs_already_made_by_the_worker_are_carried_into_drawn_packs(tmp_path):
    """Issue 18: the cover paper's "since" reads drawn_packs; the packs made as jobs before it
    existed are carried over, the failed ones and other kinds of job are not."""
    import json
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.sqlite'}"})
    with app.app_context():
        upgrade(revision="749fb06089bb")
        _insert(db.engine, "users", id=1, email="a@example.org")
        _insert(db.engine, "registers", id=1, prefix="BAF", name="BAF")
        for n, (kind, state, params) in enumerate([
                ("pack", "done", {"register": 1, "as_of": "2023-11-29"}),
                ("pack", "done", {"register": 1}),
                ("pack", "failed", {"register": 1, "as_of": "2023-12-29"}),
                ("register", "done", {"register": 1})], start=1):
            _insert(db.engine, "jobs", id=n, user_id=1, kind=kind, state=state, key=str(n),
                    params=json.dumps(params), finished_at="2024-01-05 10:00:00")
        upgrade()
        with db.engine.connect() as connection:
            rows = connection.execute(text(
                "SELECT register_id, as_of, via, drawn_by_id FROM drawn_packs ORDER BY id")).all()
        assert [tuple(r) for r in rows] == [(1, "2023-11-29", "download", 1),
                                            (1, "2024-01-05", "download", 1)]
        downgrade(revision="749fb06089bb")
        assert "drawn_packs" not in inspect(db.engine).get_table_names()
        db.engine.dispose()


def test_corrections_made_before_their_transaction_was_kept_are_carried(tmp_path):
    """Issue 14: a correction keeps the version store's transaction that made it; corrections
    already held keep no transaction (the trail finds theirs by record and time) and survive
    going down and up again."""
    app = create_app({"TESTING": True, "SECRET_KEY": "t",
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'c.sqlite'}"})
    with app.app_context():
        upgrade(revision="e4a91c7d2b55")  # before corrections kept their transaction
        _insert(db.engine, "committees", id=1, name="Audit Committee")
        _insert(db.engine, "meetings", id=1, committee_id=1, status="Held",
                starts_at="2023-11-16 10:00:00.000000", created_at="2023-10-01 09:00:00.000000")
        _insert(db.engine, "minute_corrections", id=1, meeting_id=1, record="attendance",
                record_id=1, what="Attendance of Jane Smith", field="attendance",
                old_text="Apologies", new_text="Present in person", reason="Minuted wrongly",
                corrected_at="2024-01-18 11:00:00.000000")
        upgrade()
        with db.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT reason, transaction_id FROM minute_corrections")).one() == (
                "Minuted wrongly", None)
        db.session.remove()
        downgrade(revision="e4a91c7d2b55")
        with db.engine.connect() as connection:
            assert connection.execute(text(
                "SELECT reason FROM minute_corrections")).scalar() == "Minuted wrongly"
        assert "transaction_id" not in {c["name"] for c in inspect(db.engine).get_columns(
            "minute_corrections")}
        upgrade()
        db.engine.dispose()
