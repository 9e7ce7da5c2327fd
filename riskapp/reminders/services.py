"""Queue what is due into the outbox, and the bookkeeping of sending. Flush, never commit.

The caller commits: `flask reminders run`, the scheduler job and `outbox.send_pending` (which
commits once per digest, since a message that left cannot be rolled back).
"""
from __future__ import annotations

import logging
import os
from collections import defaultdict
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from flask import current_app
from sqlalchemy import Integer, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import ARRAY

from ..auth.models import User
from ..extensions import db
from ..rules import reminders as rules
from .models import FAILED, QUEUED, SENDING, SENT, WITHDRAWN, Reminder, ReminderAttempt  # noqa: F401
from .sources import SOURCES, chunks

logger = logging.getLogger(__name__)

#: Settings and their defaults; each can be set in config or as an environment variable.
DEFAULTS = {
    "REMINDERS_ESCALATE_AFTER_DAYS": 14,
    "REMINDERS_CHASE_EVERY": "week",
    "REMINDERS_PAPERS_NOTICE_DAYS": 7,
    "REMINDERS_GOVERNANCE_NOTICE_DAYS": 30,
    "REMINDERS_RUN_AT": "07:30",
    "REMINDERS_RETRY_BASE_SECONDS": 300,
    "REMINDERS_RETRY_CAP_SECONDS": 6 * 3600,
    "REMINDERS_MAX_ATTEMPTS": 12,
    "REMINDERS_CLAIM_LEASE_SECONDS": 900,
    "REMINDERS_RETRY_EVERY_MINUTES": 10,
    "SMTP_TIMEOUT": 30,
    #: SMTP connections used at once when sending digests.
    "SMTP_CONNECTIONS": 4,
}


def setting(name: str):
    """Return a reminders setting: app config, else the environment, else the default."""
    default = DEFAULTS[name]
    value = current_app.config.get(name, os.environ.get(name, default))
    return type(default)(value)


def policy() -> rules.Policy:
    return rules.Policy(escalate_after_days=setting("REMINDERS_ESCALATE_AFTER_DAYS"),
                        chase_every=setting("REMINDERS_CHASE_EVERY"),
                        papers_notice_days=setting("REMINDERS_PAPERS_NOTICE_DAYS"),
                        governance_notice_days=setting("REMINDERS_GOVERNANCE_NOTICE_DAYS"))


def absolute_link(endpoint: str, values: dict, _adapter=None, _base: str | None = None) -> str:
    """BASE_URL + the route's path: links never come from a request's Host header.

    `_adapter` and `_base` (from `link_builder`) save binding the URL map once per link.
    """
    values = dict(values)
    anchor = values.pop("_anchor", None)
    path = (_adapter or current_app.url_map.bind("localhost")).build(endpoint, values)
    base = _base if _base is not None else current_app.config["BASE_URL"].rstrip("/")
    return base + path + (f"#{anchor}" if anchor else "")


def link_builder():
    """`absolute_link` for many links: the URL map bound and BASE_URL read once."""
    adapter = current_app.url_map.bind("localhost")
    base = current_app.config["BASE_URL"].rstrip("/")
    return lambda endpoint, values: absolute_link(endpoint, values, adapter, base)


@dataclass(frozen=True)
class Found:
    """A due reminder and the link it carries."""
    due: rules.Due
    link: str


def find_due(today: date, pol: rules.Policy | None = None) -> list[Found]:
    """Everything every kind chases on `today`, for active recipients. Reads only."""
    pol = pol or policy()
    found: list[Found] = []
    link = link_builder()
    for kind, src in SOURCES.items():
        items = src.candidates(today, pol)
        by_id = {item.id: item for item in items}
        for due in rules.due_today(kind, items, today, pol):
            found.append(Found(due, link(*src.link(by_id[due.item_id]))))
    active = _active_user_ids({f.due.recipient_id for f in found})
    return [f for f in found if f.due.recipient_id in active]


def _active_user_ids(ids) -> set[int]:
    active = set()
    for part in chunks(sorted(ids)):
        active |= set(db.session.scalars(select(User.id).where(User.id.in_(part), User.active)))
    return active


def _insert_ignoring_duplicates(rows: list[dict],
                                claim_token: str | None) -> tuple[int, list[tuple]]:
    """INSERT ... ON CONFLICT DO NOTHING on the outbox key.

    Returns how many rows went in and, for rows claimed by `claim_token` (or on PostgreSQL
    always), their (id, kind, item_id, recipient_id, period).
    """
    dialect = db.session.get_bind().dialect.name
    table = Reminder.__table__
    returned = (table.c.id, table.c.kind, table.c.item_id, table.c.recipient_id, table.c.period)
    connection = db.session.connection()
    if dialect == "postgresql":
        inserted = _insert_postgresql(connection, rows, returned)
        return len(inserted), inserted
    if dialect != "sqlite":  # pragma: no cover
        raise RuntimeError(f"reminders need PostgreSQL or SQLite, not {dialect}")
    # sqlite3's executemany of one prepared statement, each value made by its column's bind
    # processor: SQLAlchemy's multi-row INSERT ... RETURNING spent most of a second on its
    # parameters for a run's 23,000 rows (issue 9). What went in: the count of changes, and
    # the rows holding this run's new claim token.
    names = list(rows[0])
    processors = [_bind_processor(table.c[name], connection.dialect) for name in names]
    params = [tuple(value if process is None else process(value)
                    for process, value in zip(processors, row.values())) for row in rows]
    count = connection.exec_driver_sql(
        f"INSERT INTO reminders ({', '.join(names)}) VALUES ({', '.join('?' * len(names))}) "
        "ON CONFLICT (kind, item_id, recipient_id, period) DO NOTHING", params).rowcount
    if claim_token is None:
        return count, []
    inserted = [tuple(row) for row in connection.execute(
        select(*returned).where(table.c.claim_token == claim_token, table.c.status == SENDING))]
    return count, inserted


def _bind_processor(column, dialect):
    """What SQLAlchemy makes of a Python value for `column` on `dialect` (None: as it is).

    The dialect's own type (SQLite's DATETIME, say), not the generic one, whose processor
    is None and would leave sqlite3 to write datetimes in a format of its own.
    """
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def _insert_postgresql(connection, rows: list[dict], returned) -> list[tuple]:
    """The insert on PostgreSQL: COPY into a temporary table, then one INSERT ... SELECT.

    An executemany took about 1 s for a run's 23,000 rows and cannot say which rows went in;
    arrays bound to an unnest() cost psycopg over 2 s to adapt element by element. COPY, its
    rows written by psycopg's C code, took about half the executemany's time (issue 9).
    """
    names = list(rows[0])
    column_list = ", ".join(names)
    connection.exec_driver_sql(
        f"CREATE TEMPORARY TABLE reminders_incoming ON COMMIT DROP AS "
        f"SELECT {column_list} FROM reminders WITH NO DATA")
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY reminders_incoming ({column_list}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(tuple(row.values()))
    inserted = [tuple(row) for row in connection.exec_driver_sql(
        f"INSERT INTO reminders ({column_list}) SELECT {column_list} FROM reminders_incoming "
        "ON CONFLICT (kind, item_id, recipient_id, period) DO NOTHING "
        f"RETURNING {', '.join(c.name for c in returned)}")]
    connection.exec_driver_sql("DROP TABLE reminders_incoming")
    return inserted


def queue_due_reminders(today: date, now: datetime, pol: rules.Policy | None = None) -> dict:
    """Put what is due on `today` in the outbox; a key already there (any status) is skipped."""
    counts, _ = _queue(today, now, pol, claim_token=None)
    return counts


def queue_and_claim(today: date, now: datetime, token: str,
                    pol: rules.Policy | None = None) -> tuple[dict, list["Pending"]]:
    """`queue_due_reminders`, the new rows going in already claimed by `token`; return them.

    The daily run sends what it has just found due without updating and re-reading every row
    to claim it (two of the four row writes a reminder cost, issue 9). Rows that a crash
    leaves claimed are taken over when the lease runs out, like any other claim.
    """
    return _queue(today, now, pol, claim_token=token)


def _queue(today: date, now: datetime, pol: rules.Policy | None,
           claim_token: str | None) -> tuple[dict, list["Pending"]]:
    found = find_due(today, pol)
    status = SENDING if claim_token else QUEUED
    rows = [dict(kind=f.due.kind, item_id=f.due.item_id, recipient_id=f.due.recipient_id,
                 period=f.due.period, as_of=today, text=f.due.text, note=f.due.note,
                 due_date=f.due.due_date, escalated=f.due.escalated, link=f.link,
                 status=status, attempts=0, created_at=now, claim_token=claim_token,
                 claimed_at=now if claim_token else None) for f in found]
    count, inserted = _insert_ignoring_duplicates(rows, claim_token) if rows else (0, [])
    db.session.flush()
    claimed_rows = _pending_from_found(found, inserted, today) if claim_token else []
    logger.info("Reminders for %s: %d due, %d newly queued", today, len(rows), count)
    return {"due": len(rows), "queued": count}, claimed_rows


def _pending_from_found(found: list[Found], inserted: list[tuple], today: date) -> list["Pending"]:
    """`Pending` rows for what this run inserted, from what it found: no re-read of the rows."""
    by_key = {f.due.key: f for f in found}
    people = {}
    for part in chunks(sorted({key[3] for key in inserted})):
        people.update((row[0], row[1:]) for row in db.session.execute(
            select(User.id, User.name, User.email, User.active).where(User.id.in_(part))))
    pending = []
    for reminder_id, *key in inserted:
        due, link = by_key[tuple(key)].due, by_key[tuple(key)].link
        pending.append(Pending(reminder_id, due.kind, due.item_id, due.recipient_id, due.period,
                               today, due.text, due.note, due.due_date, due.escalated, link, 0,
                               *people[due.recipient_id]))
    pending.sort(key=lambda row: (row.recipient_id, row.id))
    return pending


# --- Sending bookkeeping --------------------------------------------------------------------

def claim(token: str, now: datetime, lease_seconds: int | None = None) -> int:
    """Mark every sendable row as ours; return how many. The caller commits straight away."""
    return len(claim_ids(token, now, lease_seconds))


def claim_ids(token: str, now: datetime, lease_seconds: int | None = None) -> list[int]:
    """Mark every sendable row as ours; return their ids. The caller commits straight away.

    Sendable: queued and past its backoff, or claimed by a sender that died (lease expired).
    PostgreSQL locks the candidates FOR UPDATE SKIP LOCKED, so concurrent senders split rows
    and never wait; on SQLite the single UPDATE is atomic (one writer at a time), and whoever
    runs second finds the rows no longer queued.
    """
    lease = timedelta(seconds=lease_seconds if lease_seconds is not None
                      else setting("REMINDERS_CLAIM_LEASE_SECONDS"))
    sendable = (((Reminder.status == QUEUED)
                 & ((Reminder.next_attempt_at.is_(None)) | (Reminder.next_attempt_at <= now)))
                | ((Reminder.status == SENDING) & (Reminder.claimed_at < now - lease)))
    values = dict(status=SENDING, claim_token=token, claimed_at=now)
    if db.session.get_bind().dialect.name == "postgresql":
        ids = select(Reminder.id).where(sendable).with_for_update(skip_locked=True)
        stmt = update(Reminder).where(Reminder.id.in_(ids.scalar_subquery())).values(**values)
    else:
        stmt = update(Reminder).where(sendable).values(**values)
    return list(db.session.scalars(
        stmt.returning(Reminder.id).execution_options(synchronize_session=False)))


@dataclass(frozen=True)
class Pending:
    """A claimed outbox row as plain values: commits between digests never reload it."""
    id: int
    kind: str
    item_id: int
    recipient_id: int
    period: str
    as_of: date
    text: str
    note: str
    due_date: date | None
    escalated: bool
    link: str
    attempts: int
    recipient_name: str
    recipient_email: str
    recipient_active: bool

    def as_due(self) -> rules.Due:
        return rules.Due(self.kind, self.item_id, self.recipient_id, self.period, self.text,
                         self.due_date, self.note, self.escalated)


def claimed(token: str, ids: list[int] | None = None) -> list[Pending]:
    """The rows `token` holds (of `ids`, if given), with their recipients, by recipient."""
    stmt = (select(Reminder.id, Reminder.kind, Reminder.item_id, Reminder.recipient_id,
                   Reminder.period, Reminder.as_of, Reminder.text, Reminder.note,
                   Reminder.due_date, Reminder.escalated, Reminder.link, Reminder.attempts,
                   User.name, User.email, User.active)
            .join(User, Reminder.recipient_id == User.id)
            .where(Reminder.claim_token == token, Reminder.status == SENDING)
            .order_by(Reminder.recipient_id, Reminder.id))
    if ids is None:
        return [Pending(*row) for row in db.session.execute(stmt)]
    rows = [Pending(*row) for part in chunks(sorted(ids))
            for row in db.session.execute(stmt.where(Reminder.id.in_(part)))]
    rows.sort(key=lambda row: (row.recipient_id, row.id))
    return rows


def withdraw_stale(rows: list[Pending], pol: rules.Policy | None = None,
                   known_due: Collection[int] = ()) -> list[Pending]:
    """Withdraw rows no longer owed; return those still to send.

    Owed means the kind still chases that item with that person on the day it was queued: a
    completed, cancelled or reassigned action is not. Of several periods of one item for one
    person (a mail outage spanning a week), only the newest goes. `known_due`: ids of rows
    this run has just queued from the items as they are now, owed without loading them again.
    """
    pol = pol or policy()
    still: set[tuple] = set()
    by_kind: dict[str, list[Pending]] = defaultdict(list)
    for row in rows:
        if row.id in known_due:
            still.add((row.as_of, row.kind, row.item_id, row.recipient_id))
        else:
            by_kind[row.kind].append(row)
    from .messages import MESSAGE_KINDS
    for kind, kind_rows in by_kind.items():
        if kind in MESSAGE_KINDS:  # a single message: owed while its link can still be used
            still |= {(r.as_of, r.kind, r.item_id, r.recipient_id) for r in kind_rows
                      if MESSAGE_KINDS[kind].still_owed(r.item_id)}
            continue
        src = SOURCES.get(kind)
        if src is None:
            continue
        items = src.by_ids(sorted({r.item_id for r in kind_rows}))
        for as_of in {r.as_of for r in kind_rows}:
            still |= {(as_of, *d.target) for d in rules.due_today(kind, items, as_of, pol)}
    newest: dict[tuple, Pending] = {}
    for row in rows:
        target = (row.kind, row.item_id, row.recipient_id)
        if (row.as_of, *target) in still and (target not in newest
                                              or newest[target].as_of < row.as_of):
            newest[target] = row
    keep_ids = {row.id for row in newest.values()}
    keep, drop = [], defaultdict(list)
    for row in rows:
        if row.id in keep_ids and row.recipient_active:
            keep.append(row)
        elif row.id in keep_ids:
            drop["recipient is no longer active"].append(row.id)
        elif (row.as_of, row.kind, row.item_id, row.recipient_id) in still:
            drop["superseded by a later reminder"].append(row.id)
        else:
            drop["no longer due: completed, cancelled, reassigned or rescheduled"].append(row.id)
    for reason, ids in drop.items():
        for part in chunks(ids):
            db.session.execute(update(Reminder).where(Reminder.id.in_(part)).values(
                status=WITHDRAWN, withdrawn_reason=reason, claim_token=None)
                .execution_options(synchronize_session=False))
    db.session.flush()
    return keep


def record_sent_many(token: str, sent: list[tuple[list[Pending], str, datetime]]) -> None:
    """Mark the rows of accepted digests sent: [(rows, Message-ID, when), ...].

    The row itself is the record of the attempt that sent it (`sent_at`, `message_id`; see
    `Reminder.attempt_history`): a reminder is sent once, so no attempt row is written for a
    success. That and one UPDATE per digest rather than per row halve the writes of a run.
    """
    if db.session.get_bind().dialect.name == "postgresql":
        return _record_sent_postgresql(token, sent)
    # One prepared UPDATE run per row by sqlite3's executemany, the values made once a digest
    # by the columns' own bind processors: a statement per digest (an id list each) was
    # slower, and SQLAlchemy's parameter processing per row cost more than the UPDATEs.
    connection = db.session.connection()
    dialect = connection.dialect
    table = Reminder.__table__
    when = _bind_processor(table.c.sent_at, dialect) or (lambda value: value)
    params = []
    for rows, message_id, at in sent:
        at_value = when(at)
        params.extend((at_value, message_id, row.id, token) for row in rows)
    connection.exec_driver_sql(
        f"UPDATE reminders SET status = '{SENT}', sent_at = ?, message_id = ?, "
        "attempts = attempts + 1, last_error = NULL, claim_token = NULL "
        "WHERE id = ? AND claim_token = ?", params)


def _record_sent_postgresql(token: str, sent: list[tuple[list[Pending], str, datetime]]) -> None:
    """`record_sent_many` as one statement over arrays (unnest), whatever the number of rows.

    An executemany of 23,000 UPDATEs took over a second of a reminders run over 20,000
    actions on PostgreSQL, whose target is 5 s in all (issue 9).
    """
    table = Reminder.__table__
    ids, message_ids, ats = [], [], []
    for rows, message_id, at in sent:
        for row in rows:
            ids.append(row.id)
            message_ids.append(message_id)
            ats.append(at)
    done = func.unnest(
        bindparam("ids", ids, ARRAY(Integer)),
        bindparam("message_ids", message_ids, ARRAY(table.c.message_id.type)),
        bindparam("ats", ats, ARRAY(table.c.sent_at.type)),
    ).table_valued("id", "message_id", "at").render_derived()
    db.session.connection().execute(
        update(table).where(table.c.id == done.c.id, table.c.claim_token == token)
        .values(status=SENT, sent_at=done.c.at, message_id=done.c.message_id,
                attempts=table.c.attempts + 1, last_error=None, claim_token=None))


def record_sent(token: str, rows: list[Pending], now: datetime, message_id: str) -> None:
    record_sent_many(token, [(rows, message_id, now)])


def record_failure(token: str, rows: list[Pending], now: datetime, error: str) -> None:
    """Count a failed attempt; queue the rows again after the backoff, or give up at the limit."""
    base, cap = setting("REMINDERS_RETRY_BASE_SECONDS"), setting("REMINDERS_RETRY_CAP_SECONDS")
    limit = setting("REMINDERS_MAX_ATTEMPTS")
    by_attempts: dict[int, list[int]] = defaultdict(list)
    for row in rows:
        by_attempts[row.attempts + 1].append(row.id)
    for attempts, ids in by_attempts.items():
        wait = timedelta(seconds=rules.retry_delay(attempts, base, cap))
        db.session.execute(
            update(Reminder).where(Reminder.id.in_(ids), Reminder.claim_token == token)
            .values(status=FAILED if attempts >= limit else QUEUED, attempts=attempts,
                    next_attempt_at=now + wait, last_error=error[:2000], claim_token=None)
            .execution_options(synchronize_session=False))
    db.session.execute(insert(ReminderAttempt), [
        dict(reminder_id=r.id, at=now, ok=False, error=error[:2000]) for r in rows])
    db.session.flush()


def retry_failed(reminder: Reminder) -> bool:
    """Put a reminder that gave up back in the queue (the administrator's "Try again")."""
    if reminder.status != FAILED:
        return False
    reminder.status = QUEUED
    reminder.next_attempt_at = None
    db.session.flush()
    return True


def outbox_counts() -> dict[str, int]:
    rows = db.session.execute(select(Reminder.status, func.count()).group_by(Reminder.status))
    return dict(rows.all())


def already_in_outbox(found: list[Found]) -> set[tuple]:
    """Keys of `found` the outbox already holds (for the dry run)."""
    keys = {f.due.key for f in found}
    held: set[tuple] = set()
    by_kind: dict[str, set[int]] = defaultdict(set)
    for kind, item_id, _recipient, _period in keys:
        by_kind[kind].add(item_id)
    for kind, item_ids in by_kind.items():
        for part in chunks(sorted(item_ids)):
            held |= {tuple(row) for row in db.session.execute(
                select(Reminder.kind, Reminder.item_id, Reminder.recipient_id, Reminder.period)
                .where(Reminder.kind == kind, Reminder.item_id.in_(part)))}
    return keys & held

