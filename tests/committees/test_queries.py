"""List pages cost the same number of queries however many rows they show."""
from __future__ import annotations

from contextlib import contextmanager
from datetime import date

from sqlalchemy import event

from riskapp.auth.models import Role
from riskapp.committees.models import Committee, CommitteeMember
from riskapp.extensions import db


@contextmanager
def count_queries():
    counter = {"n": 0}

    def before(*args):
        counter["n"] += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield counter
    finally:
        event.remove(engine, "before_cursor_execute", before)


def pages(client):
    with count_queries() as c:
        assert client.get("/committees/").status_code == 200
        assert client.get("/meetings/").status_code == 200
    return c["n"]


def test_committee_and_meeting_lists_do_not_query_per_row(client, auth, baf, people):
    auth.login(people[Role.BOARD])
    before = pages(client)
    board = db.session.scalar(db.select(Committee).where(Committee.short_name == "Board"))
    for i in range(12):
        c = Committee(name=f"Sub-group {i}", parent=board)
        db.session.add(c)
        db.session.add(CommitteeMember(committee=c, person_name=f"P{i}", positions=["x"],
                                       appointed_on=date(2024, 1, 1)))
    db.session.commit()
    assert pages(client) == before
