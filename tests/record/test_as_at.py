"""The register as at a past day, from the version store (issue 14)."""
from __future__ import annotations

import html

from datetime import date, datetime

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


def test_a_day_before_riskapp_held_the_demo_reads_it_by_its_business_dates(baf):
    # riskapp learnt of the demo BAF from its source's date, 29 Nov 2023. On an earlier day
    # each risk opened by then is on the register as first recorded, read by the dates it
    # carries: the score of the last review held by the day.
    before = register_as_at(_baf().id, date(2023, 11, 28))
    assert [r.reference for r in before] == [f"BAF{n:04d}" for n in range(1, 12)]
    assert {r.learnt_on for r in before} == {PACK_DAY}
    assert sum(len(r.actions) for r in before) == 26
    may = register_as_at(_baf().id, date(2023, 5, 31))
    assert [r.reference for r in may] == [f"BAF{n:04d}" for n in range(1, 10)]  # opened by May
    baf6 = next(r for r in may if r.reference == "BAF0006")
    assert baf6.current == (5, 3) and baf6.latest_review.recorded_on == date(2023, 5, 15)
    assert all(v.recorded_on <= date(2023, 5, 31) for v in baf6.reviews)
    # Before the first risk was opened: nothing.
    assert register_as_at(_baf().id, date(2023, 4, 14)) == []
    assert risk_as_at("BAF0006", date(2023, 4, 14)) is None
    assert risk_as_at("BAF0006", date(2023, 4, 15)).current == (5, 3)


def test_records_dated_after_the_day_are_left_out_of_a_risk_read_by_business_dates(baf):
    # Records brought in with the risk that the business dated after the day asked about.
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0010"))
    earliest = risk_as_at("BAF0010", date(2023, 6, 20))
    assert earliest.learnt_on == PACK_DAY and len(earliest.controls) == len(risk.controls)
    with_dates = [(c.id, c.in_place_from) for c in risk.controls]
    # Changes made today do not reach a day riskapp read by business dates either.
    services.add_control(risk, {"description": "Put in place today"})
    services.rescore_risk(risk, 2, 2, "Better", by=None, today=date.today())
    db.session.commit()
    again = risk_as_at("BAF0010", date(2023, 6, 20))
    assert [(c.id, c.in_place_from) for c in again.controls] == with_dates
    assert again.current == earliest.current == (3, 3)
    assert [v.recorded_on for v in again.reviews] == [date(2023, 6, 15)]


def test_a_control_put_in_place_after_the_day_is_left_out_as_first_recorded(baf):
    from riskapp.record import date_learnt
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0004"))
    # Brought in (as by an import) on the source's day, in place from 1 Sep 2023.
    db.session.add(Control(risk=risk, description="Brought in, in place from September",
                           in_place_from=date(2023, 9, 1)))
    db.session.flush()
    date_learnt(db.session, datetime(2023, 11, 29, 11, 47))
    db.session.commit()
    assert "Brought in, in place from September" not in [
        c.description for c in risk_as_at("BAF0004", date(2023, 8, 31)).controls]
    assert "Brought in, in place from September" in [
        c.description for c in risk_as_at("BAF0004", date(2023, 9, 1)).controls]


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
    r = client.get("/risks/BAF0006?as_of=2023-04-14", follow_redirects=True)
    assert "BAF0006 was not on the register at the end of 14 Apr 2023" in r.get_data(
        as_text=True)
    # A day before riskapp held it: as first recorded, and the page says both dates.
    page = html.unescape(client.get("/risks/BAF0006?as_of=2023-05-31").get_data(as_text=True))
    assert "As at the end of <strong>31 May 2023</strong>" in page
    assert ("This risk was recorded in riskapp on 29 Nov 2023, after this day, brought in "
            "from an earlier register") in page
    assert "opened on 15 Apr 2023" in page and "Added in 2026" not in page


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
