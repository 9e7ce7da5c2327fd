"""The assurance map on the demo BAF: lines, computed gaps, committee oversight, expiry."""
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from riskapp.assurance import services
from riskapp.meetings import services as meetings
from riskapp.meetings.models import AgendaItem, Meeting
from riskapp.risks.models import Assurance, Register, Risk
from riskapp.rules import assurance as rules
from tests.factories import make_user

SOURCE = "riskapp/demo/data/blmk_baf_2023.json"


def _rows(db, day=None):
    register = db.session.scalar(select(Register).where(Register.prefix == "BAF"))
    day = day or date.today()
    return {r.ref: r for r in services.whole_register(register, day, as_at=day != date.today())}


def test_lines_equal_the_source(baf):
    import json
    from pathlib import Path
    source = json.loads(Path(SOURCE).read_text())
    rows = _rows(baf)
    assert set(rows) == {r["ref"] for r in source["risks"]}
    for risk in source["risks"]:
        lines_in_source = {a["line"] for a in risk["assurances"]}
        assert lines_in_source <= {1}  # the source's assurances are all 1st line
        cells = rows[risk["ref"]].risk_map.cells
        assert {line for line, c in cells.items() if c.state != rules.MISSING} == \
            lines_in_source, risk["ref"]
        assert {c.state for line, c in cells.items() if line in lines_in_source} <= \
            {rules.POSITIVE}


def test_gaps_follow_from_the_rules(baf):
    rows = _rows(baf)
    for ref, row in rows.items():
        high = row.band.name == "High"
        texts = [g.text for g in row.gaps]
        # Rules 1 and 2 (High risks need 2nd and 3rd line assurance) and 3 (controls covered)
        assert ("2nd line: 1 positive, current assurance needed, none held" in texts) is high
        assert ("3rd line: 1 positive, current assurance needed, none held" in texts) is high
        controls = len(row.facts.controls)
        assert sum(g.rule.startswith("Rule 3:") for g in row.gaps) == (controls if high else 0)
        assert len(row.gaps) == ((2 + controls) if high else 0), ref
    assert rows["BAF0010"].band.name == "Medium" and rows["BAF0010"].gaps == ()


def _pccac_meeting(db):
    return db.session.scalar(select(Meeting).join(Meeting.items)
                             .where(AgendaItem.title.like("Primary care risks%")))


def _discuss_and_approve(db, meeting, ref="BAF0001"):
    item = next(i for i in meeting.items if i.title.startswith("Primary care risks"))
    item.risks.append(db.session.scalar(select(Risk).where(Risk.reference == ref)))
    later = Meeting(committee=meeting.committee, status="Held",
                    starts_at=meeting.starts_at + timedelta(days=56))
    db.session.add(later)
    db.session.flush()
    meetings.approve_minutes(meeting, later)
    db.session.commit()
    return item


def test_quorate_item_with_approved_minutes_adds_2nd_line_assurance(baf):
    meeting = _pccac_meeting(baf)
    before = _rows(baf)["BAF0001"]
    assert before.risk_map.cells[2].state == rules.MISSING
    _discuss_and_approve(baf, meeting)  # approved at the meeting of 11 January 2024
    row = _rows(baf, date(2024, 2, 1))["BAF0001"]
    assert row.risk_map.cells[2].state == rules.POSITIVE
    (evidence,) = row.risk_map.cells[2].assurances
    assert evidence.origin == "committee" and evidence.given_on == date(2023, 11, 16)
    assert "Primary Care Commissioning and Assurance Committee" in evidence.source
    assert "2nd line: 1 positive, current assurance needed, none held" not in [
        g.text for g in row.gaps]
    # A year on (2nd line: current for 12 months) it has expired; two years on, it is
    # no longer shown at all.
    assert _rows(baf, date(2025, 1, 1))["BAF0001"].risk_map.cells[2].state == rules.EXPIRED
    assert _rows(baf, date(2026, 1, 1))["BAF0001"].risk_map.cells[2].state == rules.MISSING
    # Nobody typed it in: no assurance row was added.
    assert baf.session.scalar(select(Assurance).where(Assurance.line == 2)) is None
    # As at a day before the minutes were approved it did not count yet, and says why.
    earlier = _rows(baf, date(2023, 12, 1))["BAF0001"]
    assert earlier.risk_map.cells[2].state == rules.MISSING
    assert [o.why_not for o in earlier.committee_items] == ["Its minutes are not yet approved"]


def test_inquorate_item_does_not_count_and_says_why(baf):
    meeting = _pccac_meeting(baf)
    for attendance in meeting.attendances:
        attendance.status = "apologies"
        attendance.deputy_name = None
    baf.session.flush()
    _discuss_and_approve(baf, meeting)
    row = _rows(baf, date(2024, 2, 1))["BAF0001"]
    assert row.risk_map.cells[2].state == rules.MISSING
    (outcome,) = row.committee_items
    assert outcome.fact is None and outcome.why_not.startswith("The item was inquorate: missing")


def test_expiring_tomorrow_then_expired_the_day_after(baf):
    risk = baf.session.scalar(select(Risk).where(Risk.reference == "BAF0001"))
    today = date.today()
    baf.session.add(Assurance(risk=risk, line=3, source="Internal audit of elective recovery",
                              assured_on=today - timedelta(days=300),
                              valid_until=today + timedelta(days=1), positive=True))
    baf.session.commit()
    now = services.risk_map(risk, today)
    assert now.risk_map.cells[3].state == rules.EXPIRING
    assert any("expires on" in g.text for g in now.gaps)
    later = services.risk_map(risk, today + timedelta(days=2))
    assert later.risk_map.cells[3].state == rules.EXPIRED
    assert any("expired on" in g.text for g in later.gaps)


def _learnt_on(db, day):
    """Commit the session's changes as riskapp learning of them on `day` (a past day)."""
    from riskapp.record import date_learnt
    db.session.flush()
    date_learnt(db.session, datetime.combine(day, datetime.min.time()).replace(hour=12))
    db.session.commit()


def test_as_at_a_past_day_the_map_reads_the_record_as_held_then(baf):
    """Assurances, their covered controls and the score are read from the version store:
    changes made later never reach a past day's map."""
    from riskapp.risks import services as risks
    risk = baf.session.scalar(select(Risk).where(Risk.reference == "BAF0001"))
    controls = [c.id for c in risk.controls]
    first = risk.assurances[0]
    # 10 Jan 2024: the first assurance is said to cover the first control.
    risks.update_assurance(first, {"control_ids": controls[:1]}, seen_version=first.version)
    _learnt_on(baf, date(2024, 1, 10))
    # 10 Feb 2024: it no longer does.
    risks.update_assurance(first, {"control_ids": []}, seen_version=first.version)
    _learnt_on(baf, date(2024, 2, 10))

    def uncovered(day):
        row = _rows(baf, day)["BAF0001"]
        return {g.control_id for g in row.gaps if g.rule.startswith("Rule 3:")}
    assert uncovered(date(2024, 1, 31)) == set(controls[1:])
    assert uncovered(date(2024, 3, 1)) == set(controls)  # the removed link no longer counts

    before = _rows(baf, date(2024, 3, 1))["BAF0001"]
    # Today: a 3rd-line assurance dated back to 2023, the first one judged negative, a
    # lower score.
    risks.add_assurance(risk, {"line": 3, "source": "Internal audit", "positive": True,
                               "assured_on": date(2023, 12, 1), "control_ids": controls,
                               "valid_until": date.today() + timedelta(days=365)})
    risks.update_assurance(first, {"positive": False}, seen_version=first.version)
    risks.rescore_risk(risk, 2, 2, "Much better", by=None, today=date.today())
    baf.session.commit()
    after = _rows(baf, date(2024, 3, 1))["BAF0001"]
    assert after.risk_map == before.risk_map and after.score == before.score
    assert after.risk_map.cells[3].state == rules.MISSING
    assert after.risk_map.cells[1].state == rules.POSITIVE
    now = _rows(baf)["BAF0001"]
    assert now.risk_map.cells[3].state == rules.POSITIVE and now.score == 4
    judged = {a.id: a.positive for a in now.facts.assurances}
    assert judged[str(first.id)] is False
    assert {a.id: a.positive for a in after.facts.assurances}[str(first.id)] is True


@pytest.mark.parametrize("as_at", [False, True])
def test_filters_find_exactly_the_risks_the_whole_map_shows(baf, as_at):
    """The filters judge only what they ask (a line's verdict, the gaps); the risks they find
    are those of the whole register's map, today and as at a past day."""
    register = baf.session.scalar(select(Register).where(Register.prefix == "BAF"))
    risk = baf.session.scalar(select(Risk).where(Risk.reference == "BAF0002"))
    baf.session.add(Assurance(risk=risk, line=3, source="Internal audit", positive=False,
                              assured_on=date(2023, 10, 1)))
    # A risk whose every control is covered in each line: no gap, but only because of the
    # controls each assurance covers, which the "computed gaps only" filter must read.
    covered = baf.session.scalar(select(Risk).where(Risk.reference == "BAF0001"))
    day = date(2023, 12, 31) if as_at else date.today()
    for line in rules.LINES:
        baf.session.add(Assurance(risk=covered, line=line, source=f"Line {line} review",
                                  positive=True, assured_on=day - timedelta(days=60),
                                  controls=list(covered.controls)))
    baf.session.commit()
    rows = services.whole_register(register, day, as_at=as_at)
    if not as_at:  # (as at a past day the record did not yet hold them)
        assert covered.controls and not next(r for r in rows if r.ref == "BAF0001").gaps
    cases = [dict(state=s, line=line) for s in rules.STATES for line in (None, 1, 2, 3)]
    cases += [dict(gaps_only=True), dict(band="High", gaps_only=True), dict(band="Medium"),
              dict(gaps_only=True, state=rules.POSITIVE, line=2),
              dict(band="High", state=rules.MISSING, line=3)]
    for case in cases:
        filters = services.MapFilters(register, day, as_at=as_at, **case)
        page = services.register_map(filters, per_page=5)
        expected = [r.ref for r in rows if
                    (not case.get("band") or (r.band and r.band.name == case["band"]))
                    and (not case.get("gaps_only") or r.gaps)
                    and (not case.get("state") or any(
                        r.risk_map.cells[n].state == case["state"]
                        for n in ([case["line"]] if case.get("line") else rules.LINES)))]
        assert page.total == len(expected), case
        assert [r.ref for r in page.rows] == expected[:5], case
        assert all(r.risk_map for r in page.rows)
