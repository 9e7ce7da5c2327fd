"""`flask demo scale`: deterministic by seed, in the issue's proportions, refuses a second run."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from riskapp.record import versioning_paused
from riskapp.auth.models import User
from riskapp.demo.scale import AlreadyScaled, ScalePlan, build_scale
from riskapp.meetings.models import Meeting
from riskapp.risks.models import Action, Risk, ScoreRecord

TODAY = date(2026, 11, 23)


def _empty(db):
    with versioning_paused():  # a raw clean-up, not a change anyone made
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


def _fingerprint(db):
    """The generated rows without surrogate keys (PostgreSQL sequences go on after a delete)."""
    risks = db.session.execute(select(
        Risk.reference, Risk.title, User.email, Risk.current_score, Risk.next_review_date)
        .join(User, Risk.owner_id == User.id)
        .where(Risk.reference.like("CRR%")).order_by(Risk.reference)).all()
    actions = db.session.execute(select(Risk.reference, Action.status, Action.target_date)
                                 .join(Risk).order_by(Risk.reference, Action.id)).all()
    return risks, actions


def test_same_seed_same_data_other_seed_other_data(app, db):
    build_scale(30, seed=7, today=TODAY)
    db.session.commit()
    first = _fingerprint(db)
    _empty(db)
    build_scale(30, seed=7, today=TODAY)
    db.session.commit()
    assert _fingerprint(db) == first
    _empty(db)
    build_scale(30, seed=8, today=TODAY)
    db.session.commit()
    assert _fingerprint(db) != first


def test_proportions_of_the_issue_and_weekday_meetings(app, db):
    counts = build_scale(100, seed=1, today=TODAY)
    db.session.commit()
    # At 5,000 risks: 60,000 score records, 20,000 actions, 30,000 controls and assurances,
    # 500 users, 50 committees, 2,000 meetings; 100 risks is a fiftieth.
    assert counts["risks"] == 100 and counts["score_records"] == 1200
    assert counts["actions"] == 400 and counts["controls"] + counts["assurances"] == 600
    assert counts["users"] == ScalePlan(100).users == 20
    assert counts["meetings"] == ScalePlan(100).meetings == 40
    assert 400 <= counts["action_progress"] <= 800
    last = db.session.execute(select(Risk.id, Risk.current_consequence, Risk.current_likelihood)
                              .where(Risk.reference == "CRR0042")).one()
    latest = db.session.scalars(select(ScoreRecord).where(ScoreRecord.risk_id == last.id)
                                .order_by(ScoreRecord.recorded_on.desc())).first()
    assert (latest.consequence, latest.likelihood) == (last.current_consequence,
                                                        last.current_likelihood)
    days = [m.starts_at.date() for m in db.session.scalars(select(Meeting))]
    assert all(d.weekday() < 5 and (d.month, d.day) != (12, 25) for d in days)


def test_a_second_run_is_refused_and_writes_nothing(app, db):
    build_scale(10, seed=1, today=TODAY)
    db.session.commit()
    before = db.session.scalar(select(func.count()).select_from(Risk))
    with pytest.raises(AlreadyScaled):
        build_scale(10, seed=1, today=TODAY)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Risk)) == before


def test_the_command_reports_rows_and_commits(app, db, runner):
    result = runner.invoke(args=["demo", "scale", "--risks", "10", "--seed", "2",
                                 "--today", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert "risks" in result.output and "score_records" in result.output
    db.session.remove()
    assert db.session.scalar(select(func.count()).select_from(Risk).where(
        Risk.reference.like("CRR%"))) == 10
    again = runner.invoke(args=["demo", "scale", "--risks", "10"])
    assert again.exit_code != 0 and "already holds generated risks" in again.output


def test_every_generated_meeting_part_has_its_first_version(app, db):
    """Issue 14: the generated meetings' parts are on the version store like the rest, so a
    meeting's trail shows them (written with versioning paused, then given first versions)."""
    from sqlalchemy_continuum import version_class

    from riskapp.meetings.models import AgendaItem, Attendance, Declaration, MeetingAction
    from riskapp.record.trail import meeting_trail
    build_scale(30, seed=2, today=TODAY)
    db.session.commit()
    for model in (AgendaItem, Attendance, Declaration, MeetingAction):
        rows = db.session.scalar(select(func.count()).select_from(model))
        versions = version_class(model)
        assert rows and db.session.scalar(select(func.count(func.distinct(versions.id)))) == \
            rows, model.__name__
    meeting = db.session.scalar(select(Meeting).where(Meeting.status == "Held")
                                .order_by(Meeting.id.desc()))
    kinds = {e.kind for e in meeting_trail(meeting.id)}
    assert {"meeting", "item", "attendance"} <= kinds
