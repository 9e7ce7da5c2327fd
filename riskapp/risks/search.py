"""The risk list's text search: risks whose reference, title or description contains a term,
ignoring case, with an index that serves substring search on each database (issue 9).

What matches is the same on both paths of each database: a case-insensitive substring of any
of the three fields. `%` and `_` in a term mean themselves (someone searching "95%" wants
"95%", not every 95), as does every other character.

PostgreSQL: the search is `ILIKE '%term%'`; GIN trigram indexes (pg_trgm) on the three
columns let the planner answer it with bitmap index scans when the term is rare, and keep
the sequential or sorted scan when most risks match (it has statistics to tell which).

SQLite: its planner can use no index for `LIKE '%term%'`, so an FTS5 table with the trigram
tokenizer holds each risk's three fields, ASCII-lowercased by SQLite's lower() and matched
case-sensitively. That is exactly SQLite's LIKE: it ignores the case of ASCII letters only
(the tokenizer's own case folding would also fold letters such as 'É', which LIKE does not).
Triggers on `risks` keep the table in step with every write (ORM, bulk inserts, imports, the
scale generator). A phrase of fewer than three characters has no trigram to look up, so those
still use LIKE.

Both are created by the migration `search_indexes` and, for databases made by
`db.create_all()` (the tests), by the listeners at the bottom of this module. A future
migration that rebuilds `risks` on SQLite (batch_alter_table) drops its triggers: it must
create them again (`SQLITE_TRIGGERS`) and rebuild the table (`SQLITE_REBUILD`).
"""
from __future__ import annotations

from sqlalchemy import DDL, column, event, literal_column, or_, select, table
from sqlalchemy.sql.elements import ColumnElement

from ..extensions import db
from .models import Risk

#: The FTS5 table and its shadow tables (FTS5 makes these), which models do not describe.
SQLITE_TABLE = "risk_search"
SQLITE_TABLES = frozenset({SQLITE_TABLE} | {f"{SQLITE_TABLE}_{part}" for part in
                                            ("data", "idx", "content", "docsize", "config")})
POSTGRESQL_INDEXES = frozenset({"ix_risks_reference_trgm", "ix_risks_title_trgm",
                                "ix_risks_description_trgm"})

SQLITE_CREATE = (f"CREATE VIRTUAL TABLE {SQLITE_TABLE} USING fts5("
                 "reference, title, description, tokenize='trigram case_sensitive 1')")
_ROW = "new.id, lower(new.reference), lower(new.title), lower(new.description)"
_INSERT = f"INSERT INTO {SQLITE_TABLE}(rowid, reference, title, description) VALUES ({_ROW});"
_DELETE = f"DELETE FROM {SQLITE_TABLE} WHERE rowid = old.id;"
SQLITE_TRIGGERS = (
    f"CREATE TRIGGER risk_search_insert AFTER INSERT ON risks BEGIN {_INSERT} END",
    f"CREATE TRIGGER risk_search_update AFTER UPDATE OF id, reference, title, description "
    f"ON risks BEGIN {_DELETE} {_INSERT} END",
    f"CREATE TRIGGER risk_search_delete AFTER DELETE ON risks BEGIN {_DELETE} END",
)
SQLITE_REBUILD = (f"DELETE FROM {SQLITE_TABLE}",
                  f"INSERT INTO {SQLITE_TABLE}(rowid, reference, title, description) "
                  "SELECT id, lower(reference), lower(title), lower(description) FROM risks")
SQLITE_DROP = f"DROP TABLE IF EXISTS {SQLITE_TABLE}"  # its triggers go with `risks`

POSTGRESQL_CREATE = ("CREATE EXTENSION IF NOT EXISTS pg_trgm",) + tuple(
    f"CREATE INDEX {name} ON risks USING gin ({name.split('_')[2]} gin_trgm_ops)"
    for name in sorted(POSTGRESQL_INDEXES))

#: Shortest term the trigram table can look up.
TRIGRAM = 3

_search = table(SQLITE_TABLE, column("rowid"))
_MATCH = literal_column(SQLITE_TABLE)  # `risk_search MATCH phrase`: any of its columns
_ASCII_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


#: LIKE's escape character here: `%` and `_` typed in a search mean themselves ("95%").
ESCAPE = "\\"


def like_literal(term: str) -> str:
    """`term` as a LIKE pattern that matches exactly it (with ESCAPE)."""
    return term.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")


def is_search_index(name: str | None) -> bool:
    """Whether `name` is a table or index of the search, which the models leave out (for
    comparing migrations with models)."""
    return name in SQLITE_TABLES or name in POSTGRESQL_INDEXES


def risk_matches(q: str) -> ColumnElement[bool]:
    """The condition that a risk's reference, title or description contains `q` (stripped),
    ignoring case."""
    term = q.strip()
    pattern = f"%{like_literal(term)}%"
    columns = (Risk.reference, Risk.title, Risk.description)
    if db.engine.dialect.name != "sqlite":
        return or_(*(c.ilike(pattern, escape=ESCAPE) for c in columns))
    if len(term) < TRIGRAM:
        # Plain LIKE, not ilike(): that compiles to lower(column) LIKE lower(pattern) on
        # SQLite, which lowercased every description; LIKE ignores ASCII case itself.
        return or_(*(c.like(pattern, escape=ESCAPE) for c in columns))
    phrase = '"' + term.translate(_ASCII_LOWER).replace('"', '""') + '"'
    # `id + 0`: SQLite would otherwise read the matches first and sort them all, 3.5 ms for a
    # term most risks contain; this way it keeps walking the list's order and checks each
    # risk against the matches, read once (1.7 ms for such a term, 0.3 for a rare one).
    return (Risk.id + 0).in_(select(_search.c.rowid).where(_MATCH.op("MATCH")(phrase)))


def _create(target, connection, **kw) -> None:
    statements = {"sqlite": (SQLITE_CREATE,) + SQLITE_TRIGGERS,
                  "postgresql": POSTGRESQL_CREATE}.get(connection.dialect.name, ())
    for statement in statements:
        connection.execute(DDL(statement))


def _drop(target, connection, **kw) -> None:
    if connection.dialect.name == "sqlite":
        connection.execute(DDL(SQLITE_DROP))


event.listen(Risk.__table__, "after_create", _create)
event.listen(Risk.__table__, "before_drop", _drop)
