"""Derived figures are worked out once per change to their tables, and never shown stale."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select, text, update

from riskapp import create_app
from riskapp.derived import DataVersion, computed_once, written_tables
from riskapp.extensions import db as _db
from riskapp.risks.models import Risk

from .conftest import TEST_DATABASE_URL, is_postgres
from .factories import PASSWORD, make_register, make_risk, make_user


def versions() -> dict[str, int]:
    _db.session.rollback()
    return dict(_db.session.execute(select(DataVersion.table_name, DataVersion.version)).all())


@pytest.mark.parametrize("statement, tables", [
    ("INSERT INTO risks (title) VALUES (?)", {"risks"}),
    ('INSERT INTO "audit_entries" (at) VALUES (%(at)s)', {"audit_entries"}),
    ("insert or replace into login_throttles values (1)", {"login_throttles"}),
    ("UPDATE risks SET title=? WHERE risks.id = ?", {"risks"}),
    ("DELETE FROM risk_committees WHERE risk_id = ?", {"risk_committees"}),
    ("WITH sent AS (SELECT 1) UPDATE reminders SET status = 'sent' FROM sent", {"reminders"}),
    ("  update actions set status = 'Complete'", {"actions"}),
    ("SELECT * FROM risks WHERE title = 'UPDATE users'", set()),
    ("INSERT INTO data_versions (table_name, version) VALUES (?, ?)", set()),
    ("INSERT INTO reminders (kind) VALUES (?) ON CONFLICT (kind) DO UPDATE SET kind = 1",
     {"reminders"}),
    ("UPDATE reminders SET status = 'sending' WHERE id IN (SELECT id FROM reminders "
     "WHERE status = 'queued' FOR UPDATE SKIP LOCKED)", {"reminders"}),
])
def test_the_tables_a_statement_writes_are_read_from_its_sql(statement, tables):
    assert written_tables(statement) == tables


def test_a_commit_gives_every_table_it_wrote_a_new_version(app, db):
    risk = make_risk(make_user())
    db.session.commit()
    first = versions()
    assert {"users", "risks", "score_records", "registers"} <= set(first)

    risk = db.session.get(Risk, risk.id)
    risk.title = "Retitled"
    db.session.commit()
    second = versions()
    assert second["risks"] != first["risks"]
    assert second["users"] == first["users"]  # not written: its answers still hold

    # Core statements and plain SQL count as much as the ORM.
    db.session.execute(update(Risk).values(title="Core"))
    db.session.commit()
    third = versions()
    assert third["risks"] != second["risks"]
    db.session.connection().execute(text("UPDATE users SET name = 'Plain SQL'"))
    db.session.commit()
    assert versions()["users"] != third["users"]


def test_reading_and_rolling_back_change_no_version(app, db):
    make_risk(make_user())
    db.session.commit()
    before = versions()
    db.session.scalars(select(Risk)).all()
    db.session.commit()
    db.session.execute(update(Risk).values(title="Never saved"))
    db.session.rollback()
    assert versions() == before


def test_an_answer_is_reused_until_its_tables_change(app, db):
    make_risk(make_user())
    db.session.commit()
    worked_out = []

    def count():
        worked_out.append(1)
        return db.session.scalar(select(func.count()).select_from(Risk))

    assert computed_once("count", None, ("risks",), count) == 1
    assert computed_once("count", None, ("risks",), count) == 1
    assert len(worked_out) == 1
    # Another key, another answer.
    computed_once("count", "other", ("risks",), count)
    assert len(worked_out) == 2

    make_risk(make_user())
    # Not yet committed: worked out afresh, so the request sees its own change...
    assert computed_once("count", None, ("risks",), count) == 2
    db.session.commit()
    # ...and once committed, the new answer is kept.
    assert computed_once("count", None, ("risks",), count) == 2
    assert computed_once("count", None, ("risks",), count) == 2
    assert len(worked_out) == 4


def test_switched_off_every_call_works_it_out(app, db):
    app.config["DERIVED_CACHE"] = False
    calls = []
    for _ in range(3):
        computed_once("n", None, ("risks",), lambda: calls.append(1))
    assert len(calls) == 3


@pytest.fixture
def two_workers(app, tmp_path):
    """Two apps (as two gunicorn workers) on one database."""
    if is_postgres():
        url = TEST_DATABASE_URL
        first = app
    else:
        url = f"sqlite:///{tmp_path / 'shared.db'}"
        first = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=url))
        with first.app_context():
            _db.create_all()
    second = create_app(dict(app.config, SQLALCHEMY_DATABASE_URI=url))
    yield first, second
    for worker in {first, second} - {app}:
        with worker.app_context():
            _db.session.remove()
            for engine in _db.engines.values():
                engine.dispose()


def _signed_in(worker, user):
    client = worker.test_client()
    response = client.post("/auth/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def test_a_score_changed_in_one_worker_shows_at_once_in_the_other(two_workers):
    first, second = two_workers
    with first.app_context():
        owner = make_user()
        register = make_register()
        risk = make_risk(owner, register=register, current_consequence=4, current_likelihood=4)
        _db.session.commit()
        reference, version = risk.reference, risk.version
        owner_email = owner.email
    with second.app_context():
        owner = _db.session.scalar(select(type(owner)).where(type(owner).email == owner_email))
        reader = _signed_in(second, owner)
        _db.session.remove()
    # The second worker works out the heatmap and the list, and keeps them.
    assert "1 risk" in reader.get("/risks/").get_data(as_text=True)
    before = reader.get("/reports/heatmap").get_data(as_text=True)
    assert reader.get("/reports/heatmap").get_data(as_text=True) == before

    with first.app_context():
        writer = _signed_in(first, owner)
        response = writer.post(f"/risks/{reference}/review", data={
            "consequence": "2", "likelihood": "3", "rationale": "Fell", "version": version})
        assert response.status_code == 302
        _db.session.remove()

    after = reader.get("/reports/heatmap").get_data(as_text=True)
    assert after != before
    assert f"/risks/{reference}" in after
    # Its position moved: the list filtered to the old cell is empty, the new cell has it.
    old_cell = reader.get("/risks/?consequence=4&likelihood=4").get_data(as_text=True)
    new_cell = reader.get("/risks/?consequence=2&likelihood=3").get_data(as_text=True)
    assert "No risks match these filters" in old_cell
    assert reference in new_cell


def test_a_request_that_wrote_nothing_ends_with_commit_and_one_that_wrote_is_rolled_back(app, db):
    """psycopg forgets its prepared statements on ROLLBACK: read-only requests COMMIT."""
    from sqlalchemy import event
    risk = make_risk(make_user(), title="Kept")
    db.session.commit()
    ended = []
    engine = db.engine
    on_commit, on_rollback = (lambda conn: ended.append("commit")), (
        lambda conn: ended.append("rollback"))
    event.listen(engine, "commit", on_commit)
    event.listen(engine, "rollback", on_rollback)
    try:
        with app.app_context():  # a request's context: its own session
            assert db.session.get(Risk, risk.id).title == "Kept"
        assert ended == ["commit"]
        ended.clear()
        with app.app_context():
            db.session.execute(update(Risk).values(title="Never saved"))
        assert "commit" not in ended and "rollback" in ended
        ended.clear()
        with app.app_context():
            db.session.get(Risk, risk.id).title = "Pending, never flushed"
        assert "commit" not in ended
    finally:
        event.remove(engine, "commit", on_commit)
        event.remove(engine, "rollback", on_rollback)
    db.session.expire_all()
    assert db.session.get(Risk, risk.id).title == "Kept"


def test_answers_are_kept_within_the_cache_size_and_a_huge_one_is_used_not_kept(app, db):
    from riskapp import derived
    cache, _ = derived._cache()
    for n in range(40):
        computed_once("big", n, ("risks",), lambda: "x" * (derived.CACHE_BYTES // 20))
    assert cache.currsize <= derived.CACHE_BYTES
    assert len(cache) < 40  # the oldest went
    calls = []
    huge = "y" * (derived.CACHE_BYTES + 1)
    assert computed_once("huge", None, ("risks",), lambda: calls.append(1) or huge) == huge
    computed_once("huge", None, ("risks",), lambda: calls.append(1) or huge)
    assert len(calls) == 2
