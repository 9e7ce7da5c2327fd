"""First versions for rows the version store has not seen: rows that existed before it (the
migration that introduced it) and rows bulk-loaded without the ORM (`flask demo scale`).

Nothing better being known, a risk is taken as held from the day it was opened, its controls,
gaps, assurances, actions and committee links from the same day, a review from the day it was
held and a progress note from the day it was noted. One versioning transaction per such day,
stamped at the start of that day (Europe/London), so as-at reads treat these rows exactly like
rows versioned as they were written.

Reads the tables by reflection, not through the models, so the migration can call it.
"""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from sqlalchemy import MetaData, and_, exists, insert, select

LONDON = ZoneInfo("Europe/London")

#: table -> how its day is found: a column of its own, or its risk's opened_on.
DAYS = {
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
KEYS = {"risk_committees": ("risk_id", "committee_id"),
        "assurance_controls": ("assurance_id", "control_id")}


def _start_of(day) -> datetime:
    if isinstance(day, str):
        day = date.fromisoformat(day[:10])
    if isinstance(day, datetime):
        day = day.date()
    return datetime.combine(day, time(0), tzinfo=LONDON).astimezone(timezone.utc) \
        .replace(tzinfo=None)


def version_new_rows(connection, chunk: int = 5000) -> int:
    """Give every row of the versioned tables with no version yet its first version; returns
    how many rows were versioned."""
    meta = MetaData()
    names = list(DAYS) + [f"{n}_version" for n in DAYS] + ["transaction", "assurances"]
    meta.reflect(bind=connection, only=names)
    risks = meta.tables["risks"]
    # The transaction table as Continuum declares it, not as reflected: its id comes from the
    # sequence `transaction_id_seq` on PostgreSQL, which a table made by create_all (the
    # tests) has as no column default, so a reflected insert would send no id.
    from sqlalchemy_continuum import versioning_manager
    tx = versioning_manager.transaction_cls.__table__
    pending: list[tuple[str, dict, object]] = []
    for name, day_of in DAYS.items():
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
