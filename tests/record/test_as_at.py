"""The register as at a past day, from the version store (issue 14)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from riskapp.extensions import db
from riskapp.record.as_at import register_as_at, risk_as_at
from riskapp.risks import services
from riskapp.risks.models import Action, Control, Register, Risk

PACK_DAY = date(2023, 11, 29)


def _baf():
    return db.session.scalar(select(Register).where(Register.prefix == "BAF"))


def test_the_demo_as_at_its_report_date_is_the_source_register(baf):
    risks = register_as_at(_baf().id, PACK_DAY)
    assert [r.reference for r in risks] == [f"BAF{n:04d}" for n in range(1, 12)]
    assert sum(len(r.actions) for r in risks) == 26
    baf6 = next(r for r in risks if r.reference == "BAF0006")
    assert baf6.current == (5, 4) and len(baf6.controls) == 2


def test_nothing_is_held_before_the_demo_was_known(baf):
    assert register_as_at(_baf().id, date(2023, 11, 28)) == []
    assert risk_as_at("BAF0006", date(2023, 11, 28)) is None


def test_changes_made_today_do_not_reach_a_past_day(baf):
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    services.add_control(risk, {"description": "Weekly cash review"})
    action = db.session.scalar(select(Action).where(Action.risk_id == risk.id))
    action.status, action.target_date = "Complete", date(2026, 1, 31)
    services.rescore_risk(risk, 4, 4, "Better than feared", by=None, today=date.today())
    db.session.commit()

    then = risk_as_at("BAF0006", PACK_DAY)
    assert [c.description for c in then.controls] == [c.description for c in risk.controls[:2]]
    assert then.actions[0].status == "In Progress"
    assert then.actions[0].target_date == date(2023, 7, 31)
    assert then.is_overdue(then.actions[0])  # judged at 29 Nov 2023
    assert then.current == (5, 4)

    now = risk_as_at("BAF0006", date.today())
    assert len(now.controls) == 3 and now.actions[0].status == "Complete"
    assert now.current == (4, 4)


def test_a_control_added_today_is_absent_from_yesterday(baf):
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0001"))
    services.add_control(risk, {"description": "New today"})
    db.session.commit()
    assert db.session.scalar(select(Control).where(Control.description == "New today"))
    yesterday = risk_as_at("BAF0001", date.fromordinal(date.today().toordinal() - 1))
    assert "New today" not in [c.description for c in yesterday.controls]


def test_the_risk_page_as_at_a_past_day_shows_what_was_held_then(baf, client, auth):
    from riskapp.auth.models import Role
    from tests import factories
    auth.login(factories.make_user(Role.BOARD))
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    services.add_control(risk, {"description": "Added in 2026"})
    db.session.commit()
    page = client.get("/risks/BAF0006?as_of=2023-11-29").get_data(as_text=True)
    assert "As at the end of <strong>29 Nov 2023</strong>" in page
    assert "Added in 2026" not in page and "Overdue" in page
    assert "Monthly financial reporting" in page
    r = client.get("/risks/BAF0006?as_of=2023-11-28", follow_redirects=True)
    assert "BAF0006 was not on the register at the end of 28 Nov 2023" in r.get_data(
        as_text=True)


def test_a_committee_link_removed_today_is_gone_today_and_kept_on_the_past_day(baf):
    # Continuum never ends a link table's earlier version row when the link is removed: the
    # as-at read must go by the latest change of each link, or a removed link lives on.
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0001"))
    assert risk.committees, "the demo links BAF0001 to the committees that oversee it"
    removed = risk.committees[0]
    risk.committees.remove(removed)
    db.session.commit()
    assert removed.id in risk_as_at("BAF0001", PACK_DAY).committee_ids
    assert removed.id not in risk_as_at("BAF0001", date.today()).committee_ids
    risk.committees.append(removed)  # linked again: held again
    db.session.commit()
    assert removed.id in risk_as_at("BAF0001", date.today()).committee_ids
