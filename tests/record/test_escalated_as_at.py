"""A risk escalated (or de-escalated) since a day is shown, as at that day, in the register it
was in then and under its reference then: the as-at reads, the risk page and the pack (issue
14, with issue 16's former references)."""
from __future__ import annotations

import html
from datetime import date, datetime

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.record import date_learnt, versioning_paused
from riskapp.record.as_at import register_as_at, risk_as_at
from riskapp.record.baseline import version_new_rows
from riskapp.reports.pack import Selection, build_pack
from riskapp.risks import services
from riskapp.risks.models import FormerReference

from .. import factories

OPENED = date(2024, 1, 10)
BEFORE_MOVE = date(2024, 6, 1)


def _registers():
    crr = factories.make_register("Corporate Risk Register", "CRR")
    crr.next_number = 42
    baf = factories.make_register()
    baf.next_number = 12
    db.session.flush()
    return crr, baf


def test_a_risk_escalated_today_is_in_its_old_register_as_at_an_earlier_day(client, auth):
    crr, baf = _registers()
    risk = factories.make_risk(register=crr, today=OPENED)
    date_learnt(db.session, datetime(2024, 1, 10, 12, 0))  # known since it was opened
    db.session.commit()
    services.move_risk(risk, baf, by=None, today=date.today(), reason="Escalated")
    db.session.commit()
    assert risk.reference == "BAF0012"

    assert [r.reference for r in register_as_at(crr.id, BEFORE_MOVE)] == ["CRR0042"]
    assert register_as_at(baf.id, BEFORE_MOVE) == []
    assert [r.reference for r in register_as_at(baf.id, date.today())] == ["BAF0012"]
    # Asked for by today's reference or the old one: the risk as it was then.
    assert risk_as_at("BAF0012", BEFORE_MOVE).reference == "CRR0042"
    assert risk_as_at("CRR0042", BEFORE_MOVE).risk.register_id == crr.id

    pack = build_pack(Selection(register=crr, as_of=BEFORE_MOVE), organisation="O", author="A")
    assert [r.ref for r in pack.risks] == ["CRR0042"]
    pack = build_pack(Selection(register=baf, as_of=BEFORE_MOVE), organisation="O", author="A")
    assert [r.ref for r in pack.risks] == []

    auth.login(factories.make_user(Role.BOARD))
    page = html.unescape(client.get(f"/risks/BAF0012?as_of={BEFORE_MOVE}").get_data(
        as_text=True))
    assert "CRR0042 · Corporate Risk Register" in page
    assert "BAF0012 today" in page


def test_a_move_made_before_the_version_store_is_placed_by_its_former_reference(app):
    """The store's first version of a risk moved before it began is the risk as it then stood,
    in its new register: only the former reference knows where it was before."""
    crr, baf = _registers()
    with versioning_paused():
        risk = factories.make_risk(register=baf, today=OPENED)
        db.session.add(FormerReference(risk=risk, register_id=crr.id, reference="CRR0042",
                                       until_on=date(2024, 3, 1), reason="Escalated"))
        db.session.commit()
    version_new_rows(db.session.connection())
    db.session.commit()
    assert risk.reference == "BAF0012"

    assert [r.reference for r in register_as_at(crr.id, date(2024, 2, 29))] == ["CRR0042"]
    assert register_as_at(baf.id, date(2024, 2, 29)) == []
    # It moved on 1 Mar 2024: at the end of that day it was on the BAF.
    assert register_as_at(crr.id, date(2024, 3, 1)) == []
    assert [r.reference for r in register_as_at(baf.id, date(2024, 3, 1))] == ["BAF0012"]
    assert [r.reference for r in register_as_at(None, date(2024, 2, 1))] == ["CRR0042"]
