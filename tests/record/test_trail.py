"""The audit trail of a risk names each record in words, with values as people know them."""
from __future__ import annotations

import html
from datetime import date

from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.risks.models import Action, Risk

from .. import factories


def test_the_trail_of_a_risk_names_each_record_in_words(baf, client, auth):
    manager = factories.make_user(Role.RISK_MANAGER, name="Rita Records")
    auth.login(manager)
    assert client.post("/risks/BAF0006/review", data={
        "consequence": "4", "likelihood": "4", "rationale": "Monthly review",
        "held_on-day": "10", "held_on-month": "12", "held_on-year": "2023",
        "version": "1"}).status_code == 302
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    action = db.session.scalar(select(Action).where(Action.risk_id == risk.id))
    r = client.post("/risks/BAF0006/controls/new", data={
        "description": "Weekly cash review", "effectiveness": "Effective"})
    assert r.status_code == 302
    action.status, action.target_date = "Complete", date(2024, 3, 31)
    db.session.commit()

    page = html.unescape(client.get("/risks/BAF0006/trail").get_data(as_text=True))
    assert 'Action "Development and implementation of system transformation…"' in page
    assert "Changed: Status" in page and "In Progress" in page and "Complete" in page
    assert "31 Jul 2023" in page and "31 Mar 2024" in page  # dates as people write them
    assert "Control 3" in page and "Weekly cash review" in page
    assert "Review held on 10 Dec 2023" in page
    assert "Rita Records" in page
    assert "2023-07-31" not in page and "_id" not in page.split("<main")[1]

    only_controls = html.unescape(client.get(
        "/risks/BAF0006/trail?kind=control&change=Added").get_data(as_text=True))
    table = only_controls.split("<tbody>")[1]
    assert "Control 3" in table and "Action" not in table and "Review held" not in table
    r = client.get("/risks/BAF0006/trail?from=2023-13-01")
    assert r.status_code == 422 and "Enter a real date" in r.get_data(as_text=True)
