"""Today's map filtered by a line's state lists exactly the risks whose line the map's own
judgement (`rules.assurance.line_cell` over each risk, committee evidence included) puts in
that state: every line and state, any line, a band, on days around month ends and expiry."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from riskapp.assurance import services
from riskapp.meetings import services as meetings
from riskapp.meetings.models import AgendaItem, Meeting
from riskapp.risks.models import Assurance, Register, Risk
from riskapp.rules import assurance as rules

TODAY = date.today()


def _kits(today: date) -> list[list[tuple]]:
    """Sets of one line's assurances, (assured_on, valid_until, positive) each: between
    them every state, and the edges of each (the demo's rules: the 1st line stays current
    for 6 months, the 2nd and 3rd for 12)."""
    return [
        [],                                                  # missing
        [(today - timedelta(days=60), None, True)],          # positive
        [(None, None, True)],                                # undated: never expires
        [(today - timedelta(days=90), today + timedelta(days=10), True)],  # expiring (own end)
        [(today - timedelta(days=30), None, False)],         # negative
        [(today - timedelta(days=30), None, None)],          # not yet judged
        [(today - timedelta(days=800), None, True)],         # expired
        [(today - timedelta(days=800), None, True), (today - timedelta(days=10), None, False)],
        [(today - timedelta(days=10), None, None), (today - timedelta(days=10), None, False)],
        [(date(2026, 8, 31), None, True)],                   # month end: until 27 Feb 2027
        # expiring by the 1st line's rule (6 months)
        [(rules.add_months(today, -6) + timedelta(days=10), None, True)],
        [(today + timedelta(days=5), None, True)],           # not yet given today
        [(None, today - timedelta(days=1), True)],           # undated, ended yesterday
        [(today - timedelta(days=5), None, None), (today - timedelta(days=400), None, True)],
        [(today - timedelta(days=20), today + timedelta(days=40), True),
         (today - timedelta(days=20), today + timedelta(days=5), True)],
        [(date(2026, 8, 27), None, True)],                   # until 26 Feb 2027
        # expiring by the 2nd and 3rd lines' rule (12 months)
        [(rules.add_months(today, -12) + timedelta(days=10), None, True)],
        [(date(2027, 1, 31), None, None), (date(2026, 2, 28), None, False)],
        [(today - timedelta(days=40), today - timedelta(days=2), False),
         (today - timedelta(days=3), None, None)],
        [(None, today, False)],                              # negative, its last day
        [(today - timedelta(days=60), today + timedelta(days=29), True)],  # expiring: just
        [(today - timedelta(days=60), today + timedelta(days=30), True)],  # positive: just
        [(None, today, True)],                               # expiring today
        [(today - timedelta(days=10), None, True), (today - timedelta(days=5), None, False)],
    ]


def _committee_evidence(db, risk: Risk) -> None:
    """`risk` discussed at a quorate meeting 100 days ago whose minutes are approved: 2nd-line
    evidence, worked out in Python from the meeting's quoracy."""
    meeting = db.session.scalar(select(Meeting).join(Meeting.items)
                                .where(AgendaItem.title.like("Primary care risks%")))
    meeting.starts_at = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=100)
    item = next(i for i in meeting.items if i.title.startswith("Primary care risks"))
    item.risks.append(risk)
    later = Meeting(committee=meeting.committee, status="Held",
                    starts_at=meeting.starts_at + timedelta(days=56))
    db.session.add(later)
    db.session.flush()
    meetings.approve_minutes(meeting, later)


@pytest.fixture
def crafted(baf):
    """The demo BAF with each line of each risk given only one set of assurances (`_kits`), and
    BAF0001 with committee evidence on the 2nd line over a negative recorded there."""
    register = baf.session.scalar(select(Register).where(Register.prefix == "BAF"))
    risks = list(baf.session.scalars(select(Risk).where(Risk.register_id == register.id)
                                     .order_by(Risk.number)))
    kits = _kits(TODAY)
    # Where each line starts in the kits (11 risks, 24 kits): every kit used, every state in
    # every line today.
    start = {1: 0, 2: 10, 3: 21}
    for n, risk in enumerate(risks):
        for assurance in risk.assurances:  # the demo's own (1st line, positive): set aside
            baf.session.delete(assurance)
        for line in rules.LINES:
            for given, until, positive in kits[(n + start[line]) % len(kits)]:
                baf.session.add(Assurance(risk=risk, line=line, source=f"Line {line} check",
                                          assured_on=given, valid_until=until,
                                          positive=positive))
    first = next(r for r in risks if r.reference == "BAF0001")
    baf.session.add(Assurance(risk=first, line=2, source="Quality review", positive=False,
                              assured_on=TODAY - timedelta(days=20)))
    _committee_evidence(baf, first)
    baf.session.commit()
    return register


def _expected(register, day, line, state, band=None) -> list[str]:
    """The map's own judgement of every open risk, in register order."""
    lines = [line] if line else rules.LINES
    return [r.ref for r in services.whole_register(register, day, as_at=False)
            if (band is None or (r.band and r.band.name == band))
            and any(r.risk_map.cells[n].state == state for n in lines)]


def _filtered(register, day, line, state, band=None, per_page=4) -> tuple[list[str], int]:
    """Every page of the filtered map, joined, and the total it gives."""
    refs, page = [], 1
    while True:
        result = services.register_map(services.MapFilters(
            register, day, band=band, line=line, state=state), page, per_page)
        assert all(r.risk_map for r in result.rows)  # each row mapped in full
        refs += [r.ref for r in result.rows]
        if page >= result.pages:
            return refs, result.total
        page += 1


def test_the_crafted_register_has_every_state_in_every_line_and_evidence(crafted):
    rows = {r.ref: r for r in services.whole_register(crafted, TODAY, as_at=False)}
    for line in rules.LINES:
        assert {r.risk_map.cells[line].state for r in rows.values()} == set(rules.STATES), line
    # BAF0001's 2nd line: a recorded negative, but the committee's evidence is better.
    evidence = rows["BAF0001"].risk_map.cells[2]
    assert evidence.state == rules.POSITIVE
    assert [a.origin for a in evidence.assurances][:1] == ["committee"]


@pytest.mark.parametrize("day", [
    TODAY, TODAY + timedelta(days=9), TODAY + timedelta(days=31), TODAY + timedelta(days=200),
    date(2027, 2, 27), date(2027, 2, 28), date(2027, 3, 31)])
def test_every_line_and_state_lists_exactly_the_risks_the_map_judges_so(crafted, day):
    for line in (None, *rules.LINES):
        for state in rules.STATES:
            want = _expected(crafted, day, line, state)
            got, total = _filtered(crafted, day, line, state)
            assert (got, total) == (want, len(want)), (day, line, state)


def test_a_band_narrows_the_state_and_committee_evidence_is_judged_with_it(crafted):
    for band in ("High", "Medium"):
        for state in (rules.POSITIVE, rules.NEGATIVE, rules.MISSING):
            want = _expected(crafted, TODAY, 2, state, band)
            assert _filtered(crafted, TODAY, 2, state, band) == (want, len(want))
    assert "BAF0001" in _filtered(crafted, TODAY, 2, rules.POSITIVE)[0]
    assert "BAF0001" not in _filtered(crafted, TODAY, 2, rules.NEGATIVE)[0]


def test_a_page_past_the_end_is_empty_and_still_counts(crafted):
    want = _expected(crafted, TODAY, None, rules.MISSING)
    result = services.register_map(services.MapFilters(
        crafted, TODAY, line=None, state=rules.MISSING), page=50, per_page=4)
    assert result.rows == [] and result.total == len(want) > 0
