"""Issue 17: the decision log, searchable and filtered by date and risk, private decisions kept
to those who may see them."""
from __future__ import annotations

from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.meetings.models import Meeting


def decide(item, text, private=False):
    item.decision_method, item.outcome, item.motion, item.private = \
        "consensus", text, None, private


def test_the_log_lists_searches_and_filters_decisions(client, auth, pccac, people):
    held = db.session.scalar(select(Meeting).where(Meeting.status == "Held"))
    held.has_private_part = True
    decide(held.items[0], "Approved the estates plan")
    decide(held.items[1], "Awarded the hub contract", private=True)
    db.session.commit()
    auth.login(people[Role.SECRETARIAT])
    page = client.get(f"/meetings/decisions?committee_id={pccac.id}").get_data(as_text=True)
    assert "Approved the estates plan" in page and "Awarded the hub contract" in page
    page = client.get("/meetings/decisions?q=estates").get_data(as_text=True)
    assert "Approved the estates plan" in page and "Awarded the hub contract" not in page
    assert f'/items/{held.items[0].id}#minutes"' in page  # each links to its minutes
    page = client.get("/meetings/decisions?from=2030-01-01").get_data(as_text=True)
    assert "No decisions match" in page
    page = client.get("/meetings/decisions?risk=BAF9999").get_data(as_text=True)
    assert "No decisions match" in page
    auth.logout()
    auth.login(people[Role.STAFF])
    page = client.get("/meetings/decisions").get_data(as_text=True)
    assert "Approved the estates plan" in page and "Awarded the hub contract" not in page
