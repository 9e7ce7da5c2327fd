"""Figures derived from many rows, computed once per change to the tables they come from.

The heatmap counts every risk of a register; the risk list counts the risks its filters
choose and lists everyone who owns or leads one. At a large trust's size that is most of
those pages' time (issue 9), yet the answers only change when a risk or a person does, and
a board reads the same heatmap many times between two score changes. So each process keeps
the answers it worked out, keyed by the *versions* of the tables they were read from.

A table's version is a row in `data_versions`. Every transaction that writes to a table
gives its row a new random version, in the same transaction, just before it commits: a
hook on every SQLAlchemy connection sees each INSERT, UPDATE and DELETE (ORM flushes, Core
statements and text alike), so no view, service, import or CLI command can forget it, and
another process (the second gunicorn worker, the scheduler) sees the new version exactly
when it sees the new data. Random rather than counting up: a restored backup or another
database can never bring back a version this process has answers for. The bump is the last
statement before COMMIT, so the row lock it takes is held for no time and cannot take part
in a deadlock.

A request reads every version in one small statement (once, unless it commits) and works
anything out afresh while its own transaction has unsaved or uncommitted writes. Data
changed behind the app's back (psql, the sqlite3 shell) is seen only after the next change
through the app or a restart.
"""
from __future__ import annotations

import re
import secrets
import threading
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from cachetools import LRUCache
from flask import current_app, g, has_app_context
from sqlalchemy import BigInteger, String, event, inspect, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Mapped, mapped_column

from .extensions import db

T = TypeVar("T")

#: About how many bytes of answers a process keeps (least recently used go first): drawn
#: parts of pages are 5 to 70 KB at 5,000 risks.
CACHE_BYTES = 32 * 1024 * 1024

#: The connection's tables written in its current transaction.
_WRITTEN = "riskapp.derived.written"

#: Whether the connection's database has the `data_versions` table.
_HAS_TABLE = "riskapp.derived.has_table"

#: The table a statement writes to: INSERT [OR ...] INTO t, UPDATE t, DELETE FROM t (also
#: after a WITH clause), but not the UPDATE of ON CONFLICT DO UPDATE or SELECT FOR UPDATE.
_DML = re.compile(r'\b(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|(?<!DO )(?<!FOR )UPDATE|DELETE\s+FROM)'
                  r'\s+"?(\w+)"?', re.IGNORECASE)


class DataVersion(db.Model):
    """The current version of a table's data (see the module's docstring)."""
    __tablename__ = "data_versions"
    table_name: Mapped[str] = mapped_column(String(63), primary_key=True)
    version: Mapped[int] = mapped_column(BigInteger)


_BUMP = text("INSERT INTO data_versions (table_name, version) VALUES (:table_name, :version) "
             "ON CONFLICT (table_name) DO UPDATE SET version = excluded.version")

_MISSING = object()

#: Bookkeeping tables, not data anything is derived from.
_NOT_DATA = {"data_versions", "alembic_version"}

#: Commits this process made: a request re-reads the versions after it commits.
_commits = 0
_commits_lock = threading.Lock()


def written_tables(statement: str) -> set[str]:
    """The tables an SQL statement writes to (none for a SELECT)."""
    if not statement.lstrip()[:6].upper().startswith(("INSERT", "UPDATE", "DELETE", "WITH")):
        return set()
    return {name.lower() for name in _DML.findall(statement)} - _NOT_DATA


@event.listens_for(Engine, "begin")
def _begin(conn) -> None:
    conn.info[_WRITTEN] = set()


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, cursor, statement, parameters, context, executemany) -> None:
    tables = written_tables(statement)
    if tables:
        conn.info.setdefault(_WRITTEN, set()).update(tables)
    elif statement.lstrip()[:6].upper().startswith(("DROP", "CREATE", "ALTER")):
        # A migration may have made or dropped the table: look again before the next bump.
        conn.info.pop(_HAS_TABLE, None)


def _has_versions_table(conn) -> bool:
    # Remembered once seen; looked for again until then (only before the migration that
    # creates it, or in a database made without it).
    if not conn.info.get(_HAS_TABLE):
        conn.info[_HAS_TABLE] = inspect(conn).has_table(DataVersion.__tablename__)
    return conn.info[_HAS_TABLE]


@event.listens_for(Engine, "commit")
def _bump_before_commit(conn) -> None:
    global _commits
    tables = conn.info.pop(_WRITTEN, None)
    if tables and _has_versions_table(conn):
        # Sorted, so two transactions take the row locks in the same order.
        conn.execute(_BUMP, [{"table_name": name, "version": secrets.randbits(62)}
                             for name in sorted(tables)])
    with _commits_lock:
        _commits += 1


@event.listens_for(Engine, "rollback")
def _forget_writes(conn) -> None:
    conn.info.pop(_WRITTEN, None)


def _versions() -> dict[str, int]:
    """Every table's version, read once a request (again after this process commits)."""
    memo = g.get("_data_versions")
    if memo is None or memo[0] != _commits:
        rows = db.session.execute(select(DataVersion.table_name, DataVersion.version)).all()
        memo = g._data_versions = (_commits, dict(rows))
    return memo[1]


def has_unsaved_writes(session) -> bool:
    """Whether `session` holds changes not yet committed (pending, or written to the database)."""
    if session.new or session.dirty or session.deleted:
        return True
    if not session.in_transaction():
        return False
    return bool(session.connection().info.get(_WRITTEN))


def _writing() -> bool:
    return has_unsaved_writes(db.session())  # the request's Session (db.session is a proxy)


def approximate_size(answer) -> int:
    """Bytes an answer holds, roughly: its text, or a flat guess for data (rows, choices)."""
    if isinstance(answer, str):
        return len(answer) + 100
    if isinstance(answer, (tuple, list)) and len(answer) < 10:
        return sum(approximate_size(part) for part in answer) + 100
    return 20_000


def _cache() -> tuple[LRUCache, threading.Lock]:
    # One a Flask app: each test's app (and database) starts empty.
    return current_app.extensions.setdefault(
        "riskapp.derived", (LRUCache(CACHE_BYTES, getsizeof=approximate_size), threading.Lock()))


def computed_once(name: str, key: Hashable, tables: Iterable[str], compute: Callable[[], T]) -> T:
    """`compute()`, or its answer from when `tables` last held the data they hold now.

    `name` and `key` say what is computed (a heatmap, and its filters and view); `tables` are
    every table `compute` reads. The answer is shared by every request of this process, so it
    must not be changed by the caller, and must not depend on who is asking.
    """
    if not has_app_context() or not current_app.config["DERIVED_CACHE"] or _writing():
        return compute()
    versions = _versions()
    stamp = (name, key, tuple((t, versions.get(t)) for t in sorted(tables)))
    cache, lock = _cache()
    with lock:  # a threaded server (the browser tests') shares the cache between threads
        answer = cache.get(stamp, _MISSING)
    if answer is _MISSING:
        answer = compute()
        with lock:
            try:
                cache[stamp] = answer
            except ValueError:  # larger than the whole cache: used once, not kept
                pass
    return answer
