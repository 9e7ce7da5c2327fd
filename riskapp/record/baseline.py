"""First versions for rows the version store has not seen: rows that existed before it (the
migration that introduced it) and rows bulk-loaded without the ORM (`flask demo scale`).

Nothing better being known, a risk is taken as held from the day it was opened, its controls,
gaps, assurances, actions and committee links from the same day, a review from the day it was
held and a progress note from the day it was noted; a meeting or terms of reference from the
day it was made in riskapp, a membership from the day of appointment, a committee from today;
a meeting's items, attendance, declarations, officers and the risks its items discussed from
the day the meeting was made, a vote, paper, action, highlight report or chair's action from
the day it was recorded.
One versioning transaction per such day, stamped at the start of that day (Europe/London),
so as-at reads treat these rows exactly like rows versioned as they were written.

Reads the tables by reflection, not through the models, so the migration can call it.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, and_, exists, insert, literal, select

LONDON = ZoneInfo("Europe/London")

#: table -> how its day is found: a column of its own, or its risk's opened_on.
RISK_FAMILY = {
    "risks": "opened_on",
    "score_records": "recorded_on",
    "controls": "risk",
    "gaps": "risk",
    "assurances": "risk",
    "actions": "risk",
    "risk_committees": "risk",
    "action_progress": "noted_on",
    "assurance_controls": "assurance",
}
#: Versioned since migration 0877ffa2ea7a; None: no date of its own (taken as today).
GOVERNANCE = {
    "committees": None,
    "terms_of_reference": "created_at",
    "committee_members": "appointed_on",
    "meetings": "created_at",
}
#: Versioned since migration 5b1e0c7d9a24: "meeting" is its meeting's created_at, "item" its
#: item's meeting's.
MEETING_PARTS = {
    "agenda_items": "meeting",
    "attendances": "meeting",
    "declarations": "meeting",
    "meeting_officers": "meeting",
    "agenda_item_risks": "item",
    "votes": "recorded_at",
    "meeting_actions": "created_at",
    "papers": "uploaded_at",
    "highlight_reports": "created_at",
    "chairs_actions": "recorded_at",
}
DAYS = {**RISK_FAMILY, **GOVERNANCE, **MEETING_PARTS}
KEYS = {"risk_committees": ("risk_id", "committee_id"),
        "assurance_controls": ("assurance_id", "control_id"),
        "agenda_item_risks": ("item_id", "risk_id")}


def _start_of(day) -> datetime:
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    if isinstance(day, datetime):
        day = day.date()
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(timezone.utc) \
        .replace(tzinfo=None)


def version_new_rows(connection, chunk: int = 5000, tables=None) -> int:
    """Give every row of the versioned tables (`tables`, default all) with no version yet its
    first version; returns how many rows were versioned. A migration names the tables whose
    version tables exist at its revision."""
    days = {name: DAYS[name] for name in (tables or DAYS)}
    meta = MetaData()
    names = set(days) | {f"{n}_version" for n in days} | {"risks", "assurances"}
    if set(days) & set(MEETING_PARTS):
        names |= {"meetings", "agenda_items"}
    meta.reflect(bind=connection, only=sorted(names))
    risks = meta.tables["risks"]
    # The transaction table as Continuum declares it, not as reflected: its id comes from the
    # sequence `transaction_id_seq` on PostgreSQL, which a table made by create_all (the
    # tests) has as no column default, so a reflected insert would send no id.
    from sqlalchemy_continuum import versioning_manager
    tx = versioning_manager.transaction_cls.__table__
    pending: list[tuple[str, dict, object]] = []
    for name, day_of in days.items():
        table, versions = meta.tables[name], meta.tables[f"{name}_version"]
        keys = KEYS.get(name, ("id",))
        seen = exists().where(and_(*[versions.c[k] == table.c[k] for k in keys]))
        if day_of == "risk":
            stmt = (select(table, risks.c.opened_on.label("_day"))
                    .join(risks, risks.c.id == table.c.risk_id))
        elif day_of == "assurance":
            assurances = meta.tables["assurances"]
            stmt = (select(table, risks.c.opened_on.label("_day"))
                    .join(assurances, assurances.c.id == table.c.assurance_id)
                    .join(risks, risks.c.id == assurances.c.risk_id))
        elif day_of in ("meeting", "item"):
            meetings = meta.tables["meetings"]
            if day_of == "meeting":
                stmt = (select(table, meetings.c.created_at.label("_day"))
                        .join(meetings, meetings.c.id == table.c.meeting_id))
            else:
                items = meta.tables["agenda_items"]
                stmt = (select(table, meetings.c.created_at.label("_day"))
                        .join(items, items.c.id == table.c.item_id)
                        .join(meetings, meetings.c.id == items.c.meeting_id))
        elif day_of is None:
            stmt = select(table, literal(date.today()).label("_day"))
        else:
            stmt = select(table, table.c[day_of].label("_day"))
        for row in connection.execute(stmt.where(~seen)).mappings():
            values = {k: v for k, v in row.items() if k != "_day" and k in versions.c}
            pending.append((name, values, row["_day"]))
    if not pending:
        return 0
    tx_of_day = {}
    for day in sorted({_start_of(d) for _, _, d in pending}):
        tx_of_day[day] = connection.execute(
            insert(tx).values(issued_at=day).returning(tx.c.id)).scalar_one()
    by_table: dict[str, list[dict]] = {}
    for name, values, day in pending:
        by_table.setdefault(name, []).append(
            {**values, "transaction_id": tx_of_day[_start_of(day)], "end_transaction_id": None,
             "operation_type": 0})
    for name, rows in by_table.items():
        versions = meta.tables[f"{name}_version"]
        for start in range(0, len(rows), chunk):
            connection.execute(insert(versions), rows[start:start + chunk])
    return len(pending)
