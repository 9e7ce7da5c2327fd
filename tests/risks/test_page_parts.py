"""The risk page: fresh after every change to any of its parts, and
never one reader's links shown to another."""
from __future__ import annotations

from sqlalchemy import update

from riskapp.auth.models import Role
from riskapp.risks.models import Action

from ..factories import make_action, make_risk, make_user


def _page(client, ref) -> str:
    return client.get(f"/risks/{ref}").get_data(as_text=True)


def test_the_page_shows_each_change_at_once_after_it_was_drawn(client, auth, db):
    owner = make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    ref = risk.reference
    first = _page(client, ref)
    assert "No controls recorded." in first and "No actions." in first

    assert client.post(f"/risks/{ref}/controls/new", data={
        "description": "Weekly waiting list review", "effectiveness": "Effective"}
    ).status_code == 302
    page = _page(client, ref)
    assert "Weekly waiting list review" in page
    # Its audit trail part changed with it.
    assert "Control 1" in page and "Control 1" not in first

    assert client.post(f"/risks/{ref}/review", data={
        "consequence": "2", "likelihood": "2", "rationale": "Backlog cleared this quarter",
        "version": risk.version}).status_code == 302
    page = _page(client, ref)
    assert "Backlog cleared this quarter" in page

    action = make_action(db.session.get(type(risk), risk.id), owner, detail="Recruit two nurses")
    db.session.commit()  # a change made outside a request shows as well
    assert "Recruit two nurses" in _page(client, ref)
    # A change to the actions table alone (no audit row, no change to the risk).
    db.session.execute(update(Action).where(Action.id == action.id).values(
        detail="Recruit three nurses"))
    db.session.commit()
    assert "Recruit three nurses" in _page(client, ref)


def test_a_reader_never_sees_links_drawn_for_another(client, auth, db, app):
    owner, assignee, reader = make_user(), make_user(), make_user(Role.BOARD)
    manager = make_user(Role.RISK_MANAGER)
    risk = make_risk(owner)
    action = make_action(risk, assignee, detail="Audit the waiting list")
    db.session.commit()
    ref = risk.reference
    change = f"/actions/{action.id}/edit"
    progress = f"/actions/{action.id}/progress"

    auth.login(manager)  # draws the page with every link first
    page = _page(client, ref)
    assert change in page and progress in page and "Add a control" in page
    auth.logout()

    auth.login(reader)
    page = _page(client, ref)
    assert change not in page and progress not in page and "Add a control" not in page
    assert "Record a review" not in page and "Edit risk" not in page
    auth.logout()

    auth.login(assignee)  # may add progress to their own action, nothing else
    page = _page(client, ref)
    assert progress in page and change not in page and "Add a control" not in page
    auth.logout()

    auth.login(reader)  # and the assignee's link is not shown to the next reader
    assert progress not in _page(client, ref)


def test_each_reader_gets_their_own_csrf_token_in_the_gap_forms(client, auth, db, app):
    """The gaps' Close buttons are forms: never kept, so never another session's token."""
    owner, manager = make_user(), make_user(Role.RISK_MANAGER)
    risk = make_risk(owner)
    db.session.commit()
    ref = risk.reference
    auth.login(owner)
    assert client.post(f"/risks/{ref}/gaps/new", data={
        "kind": "control", "description": "No weekend cover"}).status_code == 302
    first = _page(client, ref)
    auth.logout()
    other = app.test_client()
    other.post("/auth/login", data={"email": manager.email, "password": "correct horse battery staple"})
    second = other.get(f"/risks/{ref}").get_data(as_text=True)

    import re
    token = re.compile(r'gaps/\d+/close" class="app-inline-form"><input type="hidden" '
                       r'name="csrf_token" value="([^"]+)"')
    assert token.search(first) and token.search(second)
    assert token.search(first).group(1) != token.search(second).group(1)
