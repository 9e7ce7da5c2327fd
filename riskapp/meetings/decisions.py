"""The decision log: every decision of a committee across its meetings, searchable, filtered by
date and risk, each linking to its minutes (issue 17)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

from flask import render_template, request
from flask_login import current_user, login_required
from sqlalchemy import or_, select

from ..auth import permissions
from ..auth.permissions import require
from ..committees.models import Committee
from ..extensions import db
from ..risks.models import Risk
from . import access, bp, services
from .models import AgendaItem, ChairsAction, Meeting, agenda_item_risks

#: The most decisions one page lists: years of a busy committee.
DECISIONS_LIMIT = 500


def _day(text: str | None) -> date | None:
    try:
        return date.fromisoformat(text) if text else None
    except ValueError:
        return None


def decision_rows(committee_id: int | None, text: str, since: date | None, until: date | None,
                  risk_reference: str | None) -> list[AgendaItem]:
    stmt = (select(AgendaItem).join(AgendaItem.meeting)
            .where(AgendaItem.decision_method.is_not(None))
            .order_by(Meeting.starts_at.desc(), AgendaItem.sort_order))
    if committee_id:
        stmt = stmt.where(Meeting.committee_id == committee_id)
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(AgendaItem.title.ilike(like), AgendaItem.motion.ilike(like),
                              AgendaItem.outcome.ilike(like),
                              AgendaItem.minutes_decision.ilike(like)))
    if since:
        stmt = stmt.where(Meeting.starts_at >= datetime.combine(since, time.min,
                                                                tzinfo=services.LONDON))
    if until:
        stmt = stmt.where(Meeting.starts_at < datetime.combine(until, time.max,
                                                               tzinfo=services.LONDON))
    if risk_reference:
        stmt = stmt.where(AgendaItem.id.in_(
            select(agenda_item_risks.c.item_id).join(Risk, Risk.id == agenda_item_risks.c.risk_id)
            .where(Risk.reference == risk_reference)))
    return list(db.session.scalars(stmt.limit(DECISIONS_LIMIT)))


@bp.route("/decisions")
@login_required
def decisions():
    require(permissions.can_read_committees(current_user))
    committee_id = request.args.get("committee_id", type=int)
    text = (request.args.get("q") or "").strip()[:200]
    since, until = _day(request.args.get("from")), _day(request.args.get("to"))
    risk = (request.args.get("risk") or "").strip() or None
    rows, allowed = [], {}
    for item in decision_rows(committee_id, text, since, until, risk):
        if item.private:
            if item.meeting_id not in allowed:
                allowed[item.meeting_id] = access.sees_private(current_user, item.meeting)
            if not allowed[item.meeting_id]:
                continue  # a decision in private business is private business
        rows.append(item)
    chairs = list(db.session.scalars(
        select(ChairsAction).where(ChairsAction.committee_id == committee_id)
        .order_by(ChairsAction.taken_on.desc()))) if committee_id else []
    return render_template(
        "meetings/decisions.html", rows=rows, chairs=chairs, text=text, since=since,
        until=until, risk=risk or "", committee_id=committee_id,
        committees=db.session.scalars(select(Committee).order_by(Committee.name)).all(),
        risks=db.session.scalars(select(Risk.reference).order_by(Risk.reference)).all(),
        limit=DECISIONS_LIMIT, can_manage=permissions.can_manage_committees(current_user),
        bad_dates=bool(request.args.get("from") and not since
                                              or request.args.get("to") and not until))


def chairs_of(committee: Committee, day: date) -> dict[int, str]:
    """User id -> name of the chair and deputy chair on `day` (ToR positions)."""
    from ..committees import services as committee_services
    tor = committee_services.tor_on(committee, day)
    if tor is None:
        return {}
    chair_positions = {p.name for p in tor.positions if p.chair or p.deputy_chair}
    return {m.user_id: m.name for m in committee_services.current_members(committee, day)
            if m.user_id and chair_positions & set(m.positions or [])}


def record_chairs_action(committee: Committee, data: dict, by) -> ChairsAction:
    """An urgent decision between meetings, by the chair; it goes on the next agenda."""
    from .services import MeetingError
    day = data.get("taken_on")
    if day is None:
        raise MeetingError("Enter the date the decision was taken", "taken_on")
    if day > date.today():
        raise MeetingError("The date taken must be today or in the past", "taken_on")
    chairs = chairs_of(committee, day)
    if data.get("taken_by_id") not in chairs:
        raise MeetingError("Only the chair of the committee (or the deputy chair acting as "
                           "chair) can take a chair's action", "taken_by_id")
    action = ChairsAction(committee=committee, taken_on=day, taken_by_id=data["taken_by_id"],
                          decision=data["decision"].strip(), reasons=data["reasons"].strip(),
                          consulted=(data.get("consulted") or "").strip())
    db.session.add(action)
    db.session.flush()
    return action


@bp.route("/chairs-actions/new", methods=["GET", "POST"])
@login_required
def new_chairs_action():
    from flask import abort, flash, redirect, url_for

    from ..committees.views import refuse, status_of
    from .forms import ChairsActionForm
    from .services import MeetingError
    committee = db.session.get(Committee, request.args.get("committee_id", type=int) or 0)
    today = date.today()
    chairs = chairs_of(committee, today) if committee else {}
    if not (permissions.can_manage_committees(current_user) or current_user.id in chairs):
        abort(403)  # the secretariat, or the committee's chair
    if committee is None:
        abort(404)
    form = ChairsActionForm(data=None if request.method == "POST" else {
        "taken_on": today, "taken_by_id": current_user.id if current_user.id in chairs
        else next(iter(chairs), None)})
    members = services.committee_services.current_members(committee, today)
    form.taken_by_id.choices = [("", "Choose who took it")] + [
        (m.user_id, m.name) for m in members if m.user_id]
    if form.validate_on_submit():
        try:
            record_chairs_action(committee, form.data, current_user)
            db.session.commit()
            flash("Chair's action recorded: it will be reported on the next agenda for "
                  "ratification.", "success")
            return redirect(url_for(".decisions", committee_id=committee.id))
        except MeetingError as error:
            refuse(form, error)
    return render_template("meetings/chairs_action.html", committee=committee, form=form), \
        status_of(form)
