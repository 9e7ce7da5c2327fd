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


def test_the_controls_an_assurance_covers_are_in_the_trail_with_who_changed_them(
        baf, client, auth):
    """Issue 18: a many-to-many the column audit never saw; read from its versions."""
    from riskapp.risks.models import Assurance
    manager = factories.make_user(Role.RISK_MANAGER, name="Rita Records")
    auth.login(manager)
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0001"))
    first, second = risk.controls[0].id, risk.controls[1].id
    data = {"line": "3", "source": "Internal audit of waiting lists", "positive": "yes",
            "assured_on-day": "1", "assured_on-month": "6", "assured_on-year": "2024"}
    assert client.post("/risks/BAF0001/assurances/new",
                       data={**data, "control_ids": first}).status_code == 302
    added = db.session.scalar(select(Assurance).where(Assurance.line == 3))
    assert client.post(f"/risks/BAF0001/assurances/{added.id}/edit", data={
        **data, "control_ids": second, "version": str(added.version)}).status_code == 302

    page = html.unescape(client.get(
        "/risks/BAF0001/trail?kind=assurance").get_data(as_text=True))
    table = page.split("<tbody>")[1]
    # BAF0001 has three assurances from the source: this is the 4th; controls by number.
    assert table.count("Changed: Covers Control 1") == 2  # made, then removed
    assert table.count("Changed: Covers Control 2") == 1
    assert "Assurance 4" in table and "Rita Records" in table
    from riskapp.record.trail import risk_trail
    entries = [e for e in risk_trail(risk.id, kind="assurance")
               if e.field and e.field.startswith("Covers")]
    assert sorted((e.field, e.was, e.now) for e in entries) == [
        ("Covers Control 1", "No", "Yes"), ("Covers Control 1", "Yes", "No"),
        ("Covers Control 2", "No", "Yes")]
    assert all(e.who == "Rita Records" and e.record == "Assurance 4" for e in entries)
