"""My actions shows each change to the actions at once."""
from __future__ import annotations

from sqlalchemy import update

from riskapp.risks.models import Action

from ..factories import make_action, make_risk, make_user


def test_my_actions_shows_each_change_at_once(client, auth, db):
    owner, assignee = make_user(), make_user()
    risk = make_risk(owner)
    action = make_action(risk, assignee, detail="Audit the waiting list")
    db.session.commit()
    auth.login(assignee)
    first = client.get("/actions/mine").get_data(as_text=True)
    assert "Audit the waiting list" in first
    assert client.get("/actions/mine").get_data(as_text=True) == first

    make_action(db.session.get(type(risk), risk.id), assignee, detail="Recruit two nurses")
    db.session.commit()
    page = client.get("/actions/mine").get_data(as_text=True)
    assert "Recruit two nurses" in page

    db.session.execute(update(Action).where(Action.id == action.id).values(status="Complete"))
    db.session.commit()
    page = client.get("/actions/mine").get_data(as_text=True)
    assert "Audit the waiting list" not in page and "Recruit two nurses" in page
