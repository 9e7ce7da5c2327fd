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
