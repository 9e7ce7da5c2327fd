"""Building the BAF pack from the database: which risks, what they carry, how many queries."""
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from riskapp.committees.models import Committee
from riskapp.record import date_learnt
from riskapp.risks import services
from riskapp.risks.models import Register
from riskapp.reports.pack import Selection, build_pack, heatmap
from riskapp.rules import scoring
from tests.factories import make_action, make_register, make_risk, make_user

from .helpers import count_queries

NOW = datetime(2023, 11, 29, 11, 47, tzinfo=ZoneInfo("Europe/London"))


def _baf(db):
    return db.session.scalar(select(Register).where(Register.prefix == "BAF"))


def test_demo_pack_has_every_risk_action_and_a_year_of_movement(baf):
    pack = build_pack(Selection(register=_baf(baf)), organisation="BLMK ICB", author="Test",
                      now=NOW)
    assert [r.ref for r in pack.risks] == [f"BAF{n:04d}" for n in range(1, 12)]
    assert sum(len(r.actions) for r in pack.risks) == 26
    # The latest review is in November 2023, so the movement table is of 2023/24.
    assert pack.fy_label == "23/24"
    assert pack.month_labels[0] == "Apr-23" and pack.month_labels[-1] == "Apr-24"  # as the source
    assert all(len(r.movement) == 13 for r in pack.risks)
    # As at 29 Nov 2023: Dec to Mar are blank, Nov was reviewed.
    assert all(cell.score is None for r in pack.risks for cell in r.movement[8:])
    assert all(r.movement[7].reviewed and r.movement[7].score == r.current.score
               for r in pack.risks)
    assert pack.filters["Register"] == "Board Assurance Framework"
    assert pack.filters["As at"] == "29 Nov 2023"
    assert pack.register_name == "Board Assurance Framework"


def learnt_on(db, day: date) -> None:
    """Commit what was written as riskapp learnt it on `day` (a pack as at a past day shows
    what riskapp held then: the version store's transactions say when that was)."""
    db.session.flush()
    date_learnt(db.session, datetime.combine(day, datetime.min.time()))
    db.session.commit()


def test_movement_is_the_risk_page_derivation(app, db):
    risk = make_risk(today=date(2023, 4, 15), current_consequence=4, current_likelihood=4)
    learnt_on(db, date(2023, 4, 15))
    services.rescore_risk(risk, 4, 5, "Worse", by=None, today=date(2023, 6, 10))
    learnt_on(db, date(2023, 6, 10))
    pack = build_pack(Selection(register=risk.register, as_of=date(2023, 8, 31)),
                      organisation="O", author="A", now=NOW, today=date(2023, 11, 29))
    (row,) = pack.risks
    expected = scoring.movement([r.as_point() for r in risk.score_records], 2023,
                                date(2023, 8, 31), months=13)  # to the April after
    assert [(c.score, c.reviewed) for c in row.movement] == [
        (c.score, c.reviewed) for c in expected]
    assert [c.score for c in row.movement[:6]] == [16, 16, 20, 20, 20, None]
    assert [c.reviewed for c in row.movement[:3]] == [True, False, True]


def test_as_of_leaves_out_later_risks_and_uses_the_score_then(app, db):
    register = make_register()
    early = make_risk(register=register, today=date(2023, 4, 15), current_consequence=3,
                      current_likelihood=3)
    learnt_on(db, date(2023, 4, 15))
    make_risk(register=register, today=date(2023, 9, 1), title="Later risk")
    learnt_on(db, date(2023, 9, 1))
    services.rescore_risk(early, 5, 5, "Much worse", by=None, today=date(2023, 10, 1))
    learnt_on(db, date(2023, 10, 1))
    pack = build_pack(Selection(register=register, as_of=date(2023, 6, 30)),
                      organisation="O", author="A", now=NOW, today=date(2023, 11, 29))
    assert [r.ref for r in pack.risks] == [early.reference]
    assert pack.risks[0].current.score == 9  # not today's 25
    today_pack = build_pack(Selection(register=register), organisation="O", author="A",
                            now=NOW, today=date(2023, 11, 29))
    assert {r.ref for r in today_pack.risks} == {early.reference, "BAF0002"}
    assert today_pack.risks[0].current.score == 25


def test_actions_are_overdue_as_at_the_report_date(app, db):
    risk = make_risk(today=date(2023, 4, 15))
    make_action(risk, target_date=date(2023, 10, 31), status="In Progress", detail="Late one")
    make_action(risk, target_date=date(2023, 10, 31), status="Complete", detail="Done one")
    learnt_on(db, date(2023, 4, 15))
    pack = build_pack(Selection(register=risk.register, as_of=date(2023, 11, 29)),
                      organisation="O", author="A", now=NOW, today=date(2023, 11, 29))
    overdue = {a.detail: a.overdue for a in pack.risks[0].actions}
    assert overdue == {"Late one": True, "Done one": False}
    earlier = build_pack(Selection(register=risk.register, as_of=date(2023, 10, 1)),
                         organisation="O", author="A", now=NOW, today=date(2023, 11, 29))
    assert not any(a.overdue for a in earlier.risks[0].actions)


def test_committee_filter_and_closed_risks(baf):
    pccac = baf.session.scalar(select(Committee).where(Committee.short_name == "PCCAC"))
    pack = build_pack(Selection(register=_baf(baf), committee=pccac), organisation="O",
                      author="A", now=NOW)
    assert [r.ref for r in pack.risks] == ["BAF0008"]
    assert pack.filters["Committee"] == pccac.name


def test_closed_risks_are_not_in_the_pack(app, db):
    open_risk = make_risk()
    make_risk(status="Closed", title="Closed risk")
    db.session.commit()
    pack = build_pack(Selection(register=open_risk.register), organisation="O", author="A",
                      now=NOW)
    assert [r.ref for r in pack.risks] == [open_risk.reference]


def _risks_with_children(n, owner):
    for i in range(n):
        risk = make_risk(owner, lead_id=owner.id, title=f"Risk {i}")
        services.add_control(risk, {"description": "Control", "owner_id": owner.id})
        services.add_assurance(risk, {"line": 2, "source": "Committee", "positive": True})
        make_action(risk, owner)


def test_pack_costs_the_same_queries_for_3_or_30_risks(app, db):
    owner = make_user()
    _risks_with_children(3, owner)
    db.session.commit()
    register = make_register()
    db.session.expunge_all()
    with count_queries() as few:
        build_pack(Selection(register=register), organisation="O", author="A", now=NOW)
    _risks_with_children(27, make_user())
    db.session.commit()
    db.session.expunge_all()
    with count_queries() as many:
        pack = build_pack(Selection(register=register), organisation="O", author="A", now=NOW)
    assert len(pack.risks) == 30
    assert many["n"] == few["n"], (few["n"], many["n"])
    # 8 for the pack; the rest its cover summary (the record at two dates) and assurance map;
    # each read of the record as at a day also reads the former references (escalated risks
    # in the register they were in then), and the trail of target dates both stores
    assert many["n"] <= 54


def test_heatmap_places_each_risk_at_its_position(app, db):
    a = make_risk(initial_consequence=5, initial_likelihood=5, current_consequence=4,
                  current_likelihood=3, target_consequence=None, target_likelihood=None)
    b = make_risk(current_consequence=4, current_likelihood=3)
    db.session.commit()
    bands = scoring.BLMK_BANDS
    rows, unplaced = heatmap(Selection(), "current", bands)
    assert [len(row) for row in rows] == [5] * 5
    cell = rows[5 - 4][3 - 1]
    assert (cell.consequence, cell.likelihood, cell.score) == (4, 3, 12)
    assert [r.reference for r in cell.risks] == [a.reference, b.reference]
    assert cell.count == 2 and cell.more == 0
    assert cell.band.name == "High" and unplaced.count == 0 and unplaced.risks == []
    rows, unplaced = heatmap(Selection(), "target", bands)
    assert [r.reference for r in unplaced.risks] == [a.reference] and unplaced.count == 1
    rows, _ = heatmap(Selection(), "initial", bands)
    assert [r.reference for r in rows[0][4].risks] == [a.reference]


def test_a_crowded_heatmap_cell_lists_its_first_references_and_counts_all(app, db):
    """One query whatever the size; each cell names its first few risks by reference."""
    crowded = [make_risk(current_consequence=5, current_likelihood=5) for _ in range(7)]
    alone = make_risk(current_consequence=1, current_likelihood=2)
    unset = [make_risk(target_consequence=None, target_likelihood=None) for _ in range(4)]
    db.session.commit()
    with count_queries() as counted:
        rows, unplaced = heatmap(Selection(), "current", scoring.BLMK_BANDS, per_cell=3)
    assert counted["n"] == 1
    top_right = rows[0][4]
    assert top_right.count == 7 and top_right.more == 4
    assert [r.reference for r in top_right.risks] == [r.reference for r in crowded[:3]]
    assert [r.reference for r in rows[4][1].risks] == [alone.reference]
    assert sum(cell.count for row in rows for cell in row) == 12
    _, unplaced = heatmap(Selection(), "target", scoring.BLMK_BANDS, per_cell=3)
    assert unplaced.count == 4 and unplaced.more == 1
    assert [r.reference for r in unplaced.risks] == [r.reference for r in unset[:3]]
