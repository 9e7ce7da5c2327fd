"""Risk actions: assignees progress them, target dates slip visibly, "my actions" order."""
from datetime import date, timedelta

from sqlalchemy import select

from riskapp.audit.models import AuditEntry
from riskapp.risks.models import Action
from tests.factories import make_action, make_risk, make_user


def test_assignee_records_progress_and_moves_the_target(client, auth, db):
    assignee = make_user()
    action = make_action(make_risk(), assignee, target_date=date(2023, 10, 31))
    db.session.commit()
    auth.login(assignee)
    response = client.post(f"/actions/{action.id}/progress", data={
        "note": "Winter plan drafted", "status": "In Progress",
        "target_date-day": "31", "target_date-month": "1", "target_date-year": "2024",
        "version": action.version})
    assert response.status_code == 302
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.target_date == date(2024, 1, 31)
    assert action.original_target_date == date(2023, 10, 31)
    assert action.target_date_changes == 1
    assert action.progress_notes[0].note == "Winter plan drafted"
    assert action.progress_notes[0].noted_on == date.today()
    client.post(f"/actions/{action.id}/progress", data={
        "note": "Slipped again", "status": "In Progress",
        "target_date-day": "29", "target_date-month": "2", "target_date-year": "2024"})
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.target_date_changes == 2 and action.original_target_date == date(2023, 10, 31)
    page = client.get(f"/risks/{action.risk.reference}").get_data(as_text=True)
    assert "Moved 2 times; first set for 31 Oct 2023" in page
    fields = {e.field for e in db.session.scalars(
        select(AuditEntry).where(AuditEntry.object_type == "actions"))}
    assert "target_date" in fields


def test_assignee_cannot_edit_the_action_itself_or_the_risk(client, auth, db):
    assignee = make_user()
    risk = make_risk()
    action = make_action(risk, assignee)
    db.session.commit()
    auth.login(assignee)
    assert client.post(f"/actions/{action.id}/edit", data={"detail": "changed"}).status_code == 403
    assert client.get(f"/risks/{risk.reference}/edit").status_code == 403
    other = make_action(risk, make_user())
    db.session.commit()
    assert client.get(f"/actions/{other.id}/progress").status_code == 403


def test_completing_sets_the_completion_date(client, auth, db):
    assignee = make_user()
    action = make_action(make_risk(), assignee)
    db.session.commit()
    auth.login(assignee)
    client.post(f"/actions/{action.id}/progress", data={"note": "Done", "status": "Complete"})
    db.session.expire_all()
    action = db.session.get(Action, action.id)
    assert action.status == "Complete" and action.completed_on == date.today()


def test_progress_without_a_note_is_refused_keeping_input(client, auth, db):
    assignee = make_user()
    action = make_action(make_risk(), assignee)
    db.session.commit()
    auth.login(assignee)
    response = client.post(f"/actions/{action.id}/progress", data={
        "note": "", "status": "Complete", "target_date-day": "31", "target_date-month": "13",
        "target_date-year": "2024"})
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a progress note" in page and "must be a real date" in page
    assert 'value="13"' in page
    db.session.expire_all()
    assert db.session.get(Action, action.id).status == "In Progress"


def test_owner_adds_and_edits_an_action(client, auth, db):
    owner, assignee = make_user(), make_user()
    risk = make_risk(owner)
    db.session.commit()
    auth.login(owner)
    response = client.post(f"/actions/new/{risk.reference}", data={
        "detail": "Open 20 more beds", "assignee_id": assignee.id, "status": "Not Started",
        "target_date-day": "1", "target_date-month": "12", "target_date-year": "2024"})
    assert response.status_code == 302
    action = db.session.scalar(select(Action))
    assert action.original_target_date == date(2024, 12, 1) and action.target_date_changes == 0
    response = client.post(f"/actions/{action.id}/edit", data={
        "detail": "Open 20 more beds", "assignee_id": "424242", "status": "Not Started"})
    assert response.status_code == 422
    assert "Choose the assignee from the list" in response.get_data(as_text=True)


def test_my_actions_overdue_first(client, auth, db):
    me = make_user()
    risk = make_risk()
    today = date.today()
    make_action(risk, me, detail="Due later", target_date=today + timedelta(days=30))
    make_action(risk, me, detail="Long overdue", target_date=today - timedelta(days=60))
    make_action(risk, me, detail="Recently overdue", target_date=today - timedelta(days=2))
    make_action(risk, me, detail="Finished", status="Complete")
    db.session.commit()
    auth.login(me)
    page = client.get("/actions/mine").get_data(as_text=True)
    assert page.index("Long overdue") < page.index("Recently overdue") < page.index("Due later")
    assert "Finished" not in page and page.count("Overdue</strong>") == 2
