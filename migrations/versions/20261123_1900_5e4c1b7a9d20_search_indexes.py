"""Search indexes: the risk list's text search reads an index, not every risk (issue 9).

PostgreSQL: GIN trigram indexes (pg_trgm) on reference, title and description, which the
planner uses for ILIKE '%term%'. SQLite: an FTS5 trigram table of the three fields,
ASCII-lowercased, kept in step with `risks` by triggers (riskapp/risks/search.py says why
it is shaped so). The statements are copied here, not imported, so this migration keeps
doing what it did when the module changes.

Revision ID: 5e4c1b7a9d20
Revises: a1d7e3c90b52
Create Date: 2026-11-23 19:00:00

"""
from alembic import op

revision = '5e4c1b7a9d20'
down_revision = 'a1d7e3c90b52'
branch_labels = None
depends_on = None

_ROW = "new.id, lower(new.reference), lower(new.title), lower(new.description)"
_INSERT = f"INSERT INTO risk_search(rowid, reference, title, description) VALUES ({_ROW});"
_DELETE = "DELETE FROM risk_search WHERE rowid = old.id;"

SQLITE_UPGRADE = (
    "CREATE VIRTUAL TABLE risk_search USING fts5("
    "reference, title, description, tokenize='trigram case_sensitive 1')",
    f"CREATE TRIGGER risk_search_insert AFTER INSERT ON risks BEGIN {_INSERT} END",
    "CREATE TRIGGER risk_search_update AFTER UPDATE OF id, reference, title, description "
    f"ON risks BEGIN {_DELETE} {_INSERT} END",
    f"CREATE TRIGGER risk_search_delete AFTER DELETE ON risks BEGIN {_DELETE} END",
    "INSERT INTO risk_search(rowid, reference, title, description) "
    "SELECT id, lower(reference), lower(title), lower(description) FROM risks",
)
SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS risk_search_insert",
    "DROP TRIGGER IF EXISTS risk_search_update",
    "DROP TRIGGER IF EXISTS risk_search_delete",
    "DROP TABLE IF EXISTS risk_search",
)

COLUMNS = ("reference", "title", "description")


def upgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_UPGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        # A trusted extension from PostgreSQL 13: the database's owner may create it.
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        for name in COLUMNS:
            op.execute(f"CREATE INDEX ix_risks_{name}_trgm ON risks USING gin ({name} gin_trgm_ops)")


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == "sqlite":
        for statement in SQLITE_DOWNGRADE:
            op.execute(statement)
    elif dialect == "postgresql":
        for name in COLUMNS:
            op.execute(f"DROP INDEX IF EXISTS ix_risks_{name}_trgm")
        # pg_trgm stays: other objects in the database may use it, and it costs nothing.
