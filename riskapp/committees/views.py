"""Committee pages: list, committee, terms of reference (draft, edit, approve), members."""
from __future__ import annotations

import io
from datetime import date, datetime, timedelta, timezone

from flask import (Response, abort, current_app, flash, redirect, render_template, request,
                   send_file, url_for)
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload

from ..auth import permissions
from ..auth.models import User
from ..auth.permissions import require
from ..extensions import db
from ..record import trail as record_trail
from ..record.pages import trail_page
from ..web_args import as_id, fy_arg, page_arg
from ..risks.services import ordered_bands
from . import bp, services
from .forms import (ApproveForm, EndMemberForm, MemberForm, NewDraftForm, PositionForm,
                    RequirementForm, TorForm)
from .models import Committee, CommitteeMember, TermsOfReference, TorPosition, TorRequirement
from .services import CommitteeError


def refuse(form, error) -> None:
    """Show a service's refusal beside its field (or at the top), keeping what was typed."""
    db.session.rollback()
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = list(field.errors) + [error.message]
    else:
        form.form_errors.append(error.message)


def status_of(form) -> int:
    return 422 if form.errors or form.form_errors else 200


def load_committee(committee_id: int, risks: bool = True) -> Committee:
    """The committee with what its forms and the API read (`risks=False`: not its risks)."""
    options = [selectinload(Committee.members).joinedload(CommitteeMember.user),
               selectinload(Committee.terms).selectinload(TermsOfReference.positions),
               selectinload(Committee.terms).selectinload(TermsOfReference.requirements),
               selectinload(Committee.children), joinedload(Committee.parent)]
    if risks:
        options.append(selectinload(Committee.risks))
    return db.one_or_404(select(Committee).where(Committee.id == committee_id)
                         .options(*options))


def load_for_attendance(committee_id: int) -> Committee:
    """The committee with only what the attendance report reads: members (and their users'
    names) and the versions of its terms (the threshold of the one in force). The page's
    loader chains were half its time at 5,000 risks (issue 9)."""
    committee = services.load_for_page(committee_id, rules=False)
    if committee is None:
        abort(404)
    return committee


def load_tor(committee: Committee, tor_id: int) -> TermsOfReference:
    tor = next((t for t in committee.terms if t.id == tor_id), None)
    if tor is None:
        abort(404)
    return tor


@bp.route("/")
@login_required
def index():
    require(permissions.can_read_committees(current_user))
    return render_template("committees/index.html",
                           committees=db.session.execute(services.committee_rows()).all(),
                           can_manage=permissions.can_manage_committees(current_user),
                           today=date.today())


@bp.route("/<int:committee_id>")
@login_required
def detail(committee_id: int):
    require(permissions.can_read_committees(current_user))
    return _detail_page(committee_id, NewDraftForm(),
                        permissions.can_manage_committees(current_user))


def _detail_page(committee_id: int, draft_form: NewDraftForm, can_manage: bool):
    """The committee page: its risks (capped) and meetings (paged) read as plain rows."""
    today = date.today()
    committee = services.load_for_page(committee_id)
    if committee is None:
        abort(404)
    risks = services.risk_rows(committee.id)
    return render_template(
        "committees/detail.html", committee=committee, draft_form=draft_form,
        has_draft=any(t.status == "draft" for t in committee.terms),
        tor=services.tor_in_force(committee),
        attendance_threshold=services.attendance_threshold(committee,
                                                           services.tor_in_force(committee)),
        papers_deadline_days=services.papers_deadline_days(committee,
                                                           services.tor_in_force(committee)),
        warnings=services.membership_warnings(committee, today), today=today,
        current=services.current_members(committee, today),
        past=[m for m in committee.members if not m.is_current(today)],
        bands=ordered_bands(), risks=risks, risk_total=risks[0].total if risks else 0,
        meetings=services.meeting_page(committee.id, page_arg("meetings")),
        can_manage=can_manage, **_roles(committee, today), **_trail_section(committee))


#: The latest changes shown on a committee's or meeting's page; the trail page has them all.
TRAIL_ON_PAGE = 20


def _trail_section(committee: Committee) -> dict:
    trail = record_trail.committee_trail(committee.id)
    return dict(trail=trail[:TRAIL_ON_PAGE], trail_total=len(trail),
                trail_url=url_for("committees.trail", committee_id=committee.id),
                trail_subject=committee.name)


@bp.route("/<int:committee_id>/trail")
@login_required
def trail(committee_id: int):
    """Every change to the committee, its terms of reference and its members, with filters."""
    require(permissions.can_read_committees(current_user))
    committee = db.session.get(Committee, committee_id)
    if committee is None:
        abort(404)
    return trail_page(
        lambda **filters: record_trail.committee_trail(committee.id, **filters),
        record_trail.COMMITTEE_KINDS, record_trail.CHANGES, caption=committee.name,
        back_url=url_for("committees.detail", committee_id=committee.id),
        intro="Every change to the committee, its terms of reference and its members")


def _roles(committee: Committee, today: date) -> dict:
    """The chair's name and whether each current member votes, from the version in force."""
    tor = services.tor_in_force(committee)
    positions = {p.name: p for p in tor.positions} if tor else {}
    chair_name, voting = None, {}
    for m in services.current_members(committee, today):
        held = [positions[p] for p in m.positions or [] if p in positions]
        voting[m.id] = any(p.voting for p in held)
        if chair_name is None and any(p.chair for p in held):
            chair_name = m.name
    return {"chair_name": chair_name, "voting": voting}


@bp.route("/<int:committee_id>/terms/<int:tor_id>")
@login_required
def terms(committee_id: int, tor_id: int):
    require(permissions.can_read_committees(current_user))
    committee = load_committee(committee_id, risks=False)
    return render_template("committees/terms.html", committee=committee,
                           tor=load_tor(committee, tor_id),
                           can_manage=permissions.can_manage_committees(current_user))


@bp.route("/<int:committee_id>/terms/new", methods=["POST"])
@login_required
def new_draft(committee_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    form = NewDraftForm()
    if form.validate_on_submit():
        try:
            draft = services.create_draft(committee, form.version.data.strip())
            db.session.commit()
            return redirect(url_for(".edit_terms", committee_id=committee.id, tor_id=draft.id))
        except CommitteeError as err:
            refuse(form, err)
    return _detail_page(committee.id, form, can_manage=True), 422


def _requirement_form(tor, bind: bool = True) -> RequirementForm:
    form = RequirementForm(prefix="req") if bind else RequirementForm(formdata=None, prefix="req")
    form.positions.choices = [(p.name, p.name) for p in tor.positions]
    return form


def _edit_page(committee, tor, tor_form=None, position_form=None, requirement_form=None):
    tor_form = tor_form or TorForm(obj=tor, formdata=None)
    position_form = position_form or PositionForm(formdata=None, prefix="pos", voting=True)
    requirement_form = requirement_form or _requirement_form(tor, bind=False)
    forms = (tor_form, position_form, requirement_form)
    status = 422 if any(f.errors or f.form_errors for f in forms) else 200
    return render_template("committees/edit_terms.html", committee=committee, tor=tor,
                           form=tor_form, position_form=position_form,
                           requirement_form=requirement_form), status


@bp.route("/<int:committee_id>/terms/<int:tor_id>/edit", methods=["GET", "POST"])
@login_required
def edit_terms(committee_id: int, tor_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    tor = load_tor(committee, tor_id)
    form = TorForm(obj=tor)
    if tor.status != "draft":
        flash(f"Version {tor.version} is {tor.status_label.lower()}: start a new draft to change "
              "it.", "warning")
        return redirect(url_for(".terms", committee_id=committee.id, tor_id=tor.id))
    if form.validate_on_submit():
        data = {k: v for k, v in form.data.items() if k != "csrf_token"}
        data["version"] = data["version"].strip()
        if any(t.version == data["version"] and t is not tor for t in committee.terms):
            form.version.errors.append(f"Version {data['version']} already exists")
        else:
            try:
                services.update_tor(tor, data)
                db.session.commit()
                flash("Terms of reference saved.", "success")
                return redirect(url_for(".edit_terms", committee_id=committee.id, tor_id=tor.id))
            except CommitteeError as err:
                refuse(form, err)
    return _edit_page(committee, tor, tor_form=form)


@bp.route("/<int:committee_id>/terms/<int:tor_id>/positions", methods=["POST"])
@login_required
def add_position(committee_id: int, tor_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    tor = load_tor(committee, tor_id)
    form = PositionForm(prefix="pos")
    if form.validate_on_submit():
        try:
            data = {k: v for k, v in form.data.items() if k != "csrf_token"}
            data["name"] = data["name"].strip()
            services.add_position(tor, data)
            db.session.commit()
            return redirect(url_for(".edit_terms", committee_id=committee.id, tor_id=tor.id)
                            + "#positions")
        except CommitteeError as err:
            refuse(form, err)
            tor = load_tor(load_committee(committee_id, risks=False), tor_id)
    return _edit_page(committee, tor, position_form=form)


@bp.route("/<int:committee_id>/terms/<int:tor_id>/positions/<int:position_id>/delete",
          methods=["POST"])
@login_required
def remove_position(committee_id: int, tor_id: int, position_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    tor = load_tor(committee, tor_id)
    position = db.get_or_404(TorPosition, position_id)
    if position.tor_id != tor.id:
        abort(404)
    try:
        services.remove_position(tor, position)
        db.session.commit()
    except CommitteeError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for(".edit_terms", committee_id=committee_id, tor_id=tor_id)
                    + "#positions")


@bp.route("/<int:committee_id>/terms/<int:tor_id>/requirements", methods=["POST"])
@login_required
def add_requirement(committee_id: int, tor_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    tor = load_tor(committee, tor_id)
    form = _requirement_form(tor)
    if form.validate_on_submit():
        try:
            services.add_requirement(tor, dict(label=form.label.data.strip(),
                                               count=form.count.data,
                                               positions=form.positions.data or [],
                                               categories=form.categories.data or []))
            db.session.commit()
            return redirect(url_for(".edit_terms", committee_id=committee.id, tor_id=tor.id)
                            + "#requirements")
        except CommitteeError as err:
            refuse(form, err)
            tor = load_tor(load_committee(committee_id, risks=False), tor_id)
    return _edit_page(committee, tor, requirement_form=form)


@bp.route("/<int:committee_id>/terms/<int:tor_id>/requirements/<int:requirement_id>/delete",
          methods=["POST"])
@login_required
def remove_requirement(committee_id: int, tor_id: int, requirement_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    tor = load_tor(committee, tor_id)
    requirement = db.get_or_404(TorRequirement, requirement_id)
    if requirement.tor_id != tor.id:
        abort(404)
    try:
        services.remove_requirement(tor, requirement)
        db.session.commit()
    except CommitteeError as err:
        db.session.rollback()
        flash(err.message, "error")
    return redirect(url_for(".edit_terms", committee_id=committee_id, tor_id=tor_id)
                    + "#requirements")


@bp.route("/<int:committee_id>/terms/<int:tor_id>/approve", methods=["GET", "POST"])
@login_required
def approve_terms(committee_id: int, tor_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    tor = load_tor(committee, tor_id)
    form = ApproveForm()
    if form.validate_on_submit():
        try:
            services.approve_tor(tor, form.approved_by.data.strip(), form.approved_on.data,
                                 form.review_due.data)
            db.session.commit()
            flash(f"Version {tor.version} is now in force.", "success")
            return redirect(url_for(".detail", committee_id=committee.id))
        except CommitteeError as err:
            refuse(form, err)
            committee = load_committee(committee_id, risks=False)
            tor = load_tor(committee, tor_id)
    return render_template("committees/approve.html", committee=committee, tor=tor,
                           form=form), status_of(form)


def _member_form(committee: Committee) -> MemberForm:
    form = MemberForm()
    users = db.session.scalars(select(User).where(User.active.is_(True))
                               .order_by(User.name)).all()
    form.user_id.choices = [("", "No login: type the name below")] + \
        [(u.id, f"{u.name} ({u.email})") for u in users]
    tor = services.tor_in_force(committee)
    form.positions.choices = [(p.name, p.name) for p in tor.positions] if tor else []
    return form


@bp.route("/<int:committee_id>/members/new", methods=["GET", "POST"])
@login_required
def add_member(committee_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    form = _member_form(committee)
    if form.validate_on_submit():
        try:
            data = {k: v for k, v in form.data.items() if k != "csrf_token"}
            services.add_member(committee, data)
            db.session.commit()
            flash("Member added.", "success")
            return redirect(url_for(".detail", committee_id=committee.id) + "#members")
        except CommitteeError as err:
            refuse(form, err)
            committee = load_committee(committee_id, risks=False)
    return render_template("committees/member.html", committee=committee,
                           form=form), status_of(form)


@bp.route("/<int:committee_id>/members/<int:member_id>/end", methods=["GET", "POST"])
@login_required
def end_member(committee_id: int, member_id: int):
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    member = next((m for m in committee.members if m.id == member_id), None)
    if member is None:
        abort(404)
    form = EndMemberForm(data={"ended_on": date.today()} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.end_member(member, form.ended_on.data)
            db.session.commit()
            flash(f"{member.name}'s membership ends on {form.ended_on.data:%d %b %Y}.", "success")
            return redirect(url_for(".detail", committee_id=committee.id) + "#members")
        except CommitteeError as err:
            refuse(form, err)
    return render_template("committees/end_member.html", committee=committee, member=member,
                           form=form), status_of(form)


@bp.route("/<int:committee_id>/attendance")
@login_required
def attendance_report(committee_id: int):
    """Per member and financial year: attended of those held while a member; CSV on request.

    Issue 9: reading a year's registers was 3.5 ms at 5,000 risks, yet the page changes only
    when the committee, its members or its meetings do."""
    require(permissions.can_read_committees(current_user))
    from ..rules.scoring import financial_year_of
    fy = fy_arg() or financial_year_of(date.today())
    if request.args.get("format") == "csv":
        return _attendance_csv(load_for_attendance(committee_id), fy)
    committee = services.load_for_page(committee_id, rules=False)
    if committee is None:
        abort(404)
    from ..meetings.services import attendance_report as report, corrections_in_year
    from ..rules.scoring import financial_year_label
    lines, threshold = report(committee, fy)
    return render_template("committees/attendance.html", committee=committee, lines=lines,
                           threshold=threshold, fy=fy, fy_label=financial_year_label(fy),
                           corrections=corrections_in_year(committee, fy))


def _attendance_csv(committee: Committee, fy: int) -> Response:
    from ..meetings.services import attendance_report as report
    from ..rules.scoring import financial_year_label
    from ..rules.cells import csv_bytes
    lines, threshold = report(committee, fy)
    body = csv_bytes(
        ["Member", "Positions", "Meetings held while a member", "Attended", "Attendance %",
         "Represented by a deputy", "Apologies", f"Below {threshold}%",
         "Corrected after approval"],
        ([line.member.name, line.member.positions_text, line.held, line.attended, line.percent,
          line.by_deputy, line.apologies,
          "yes" if line.percent is not None and line.percent < threshold else "no",
          _corrected_words(line)]
         for line in lines))
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f"attachment; filename={committee.label}-attendance-"
                               f"{financial_year_label(fy).replace('/', '-')}.csv"})


def _corrected_words(line) -> str:
    """What of a member's year was corrected after the minutes were approved, in words."""
    parts = []
    for count, what in ((line.corrected, "attendance"),
                        (line.declarations_corrected, "a declaration")):
        if count:
            parts.append(f"{what} at {count} meeting{'s' if count != 1 else ''}")
    return "; ".join(parts).capitalize()


@bp.route("/<int:committee_id>/attendance.pdf")
@login_required
def attendance_pdf(committee_id: int):
    """The attendance report as PDF, for the chair's papers (issue 5): same rights and figures."""
    require(permissions.can_read_committees(current_user))
    committee = load_for_attendance(committee_id)
    from ..meetings.services import attendance_report as report
    from ..reports.attendance_pdf import attendance_filename, from_report, render_attendance
    from ..settings.organisation import logo as organisation_logo, name as organisation_name
    from ..rules.scoring import financial_year_label, financial_year_of
    fy = fy_arg() or financial_year_of(date.today())
    from ..meetings.services import corrections_in_year
    lines, threshold = report(committee, fy)
    sheet = from_report(lines, threshold, committee_name=committee.name,
                        corrections=tuple(c.line for c in corrections_in_year(committee, fy)),
                        committee_label=committee.label, fy_label=financial_year_label(fy),
                        generated_at=datetime.now(timezone.utc),
                        organisation=organisation_name(),
                        author=current_user.name, logo=organisation_logo())
    buffer = io.BytesIO()
    render_attendance(sheet, buffer)
    buffer.seek(0)
    return send_file(buffer, mimetype="application/pdf", as_attachment=True,
                     download_name=attendance_filename(sheet), max_age=0)


# --- governance calendar and iCalendar feeds ---------------------------------------------


def _ical_response(name: str, items) -> Response:
    from .calendar import to_ical
    from ..reminders.services import link_builder
    link = link_builder()  # RISKAPP_BASE_URL, never the request's Host
    body = to_ical(name, items, lambda mid: link("meetings.detail", {"meeting_id": mid}))
    return Response(body, mimetype="text/calendar",
                    headers={"Content-Disposition": "inline; filename=calendar.ics"})


@bp.route("/calendar")
@login_required
def calendar():
    require(permissions.can_read_committees(current_user))
    from . import calendar as cal
    today = date.today()
    token, made = cal.feed_token_made(current_user)
    if made:
        db.session.commit()
    # One month at a time (issue 9: thirteen months of fifty committees was a 245 KB page).
    month, month_ok = cal.month_shown(request.args.get("month"), today)
    end = cal.month_end(month)
    committees = cal.calendar_committees(month, end)
    chosen = as_id(request.args.get("committee"))  # a filter: an unknown one shows every committee
    shown = [c for c in committees if c.id == chosen]
    if not shown:  # none chosen, or an id that is not a committee: every committee
        chosen, shown = None, committees
    return render_template("committees/calendar.html", events=cal.events(shown, month, end),
                           today=today,
                           committees=committees, token=token.token, month=month,
                           month_ok=month_ok, bad_month=request.args.get("month"),
                           chosen=chosen, prev_month=cal.add_months(month, -1),
                           next_month=cal.add_months(month, 1))


@bp.route("/calendar/reset-feed", methods=["POST"])
@login_required
def reset_feed():
    require(permissions.can_read_committees(current_user))
    from .calendar import reset_feed_token
    reset_feed_token(current_user)
    db.session.commit()
    flash("Your calendar address has changed: subscribe again with the new one.", "success")
    return redirect(url_for(".calendar"))


def _feed_user(token: str):
    from .calendar import user_by_feed_token
    user = user_by_feed_token(token)
    if user is None:
        abort(404)  # a wrong or revoked secret says nothing about what exists
    return user


@bp.route("/calendar/<token>.ics")
def user_feed(token: str):
    """The meetings and dates of the committees a person sits on (Outlook cannot sign in)."""
    from . import calendar as cal
    user = _feed_user(token)
    today = date.today()
    start, end = today - timedelta(days=365), today + timedelta(days=730)
    sits_on, mine = cal.feed_memberships(user.id, today)
    items = cal.events(cal.calendar_committees(start, end, committee_ids=sits_on,
                                               member_ids=mine), start, end)
    return _ical_response(f"riskapp: {user.name}", items)


@bp.route("/<int:committee_id>/calendar/<token>.ics")
def committee_feed(committee_id: int, token: str):
    from . import calendar as cal
    _feed_user(token)
    today = date.today()
    start, end = today - timedelta(days=365), today + timedelta(days=730)
    committees = cal.calendar_committees(start, end, committee_ids=[committee_id])
    if not committees:
        abort(404)
    return _ical_response(f"riskapp: {committees[0].name}", cal.events(committees, start, end))


# --- creating, changing and dissolving committees; changing and renewing members (issue 16)


def _committee_form(committee: Committee | None, formdata=True) -> "CommitteeForm":
    from .forms import CommitteeForm
    kwargs = {} if formdata else {"formdata": None}
    form = CommitteeForm(obj=committee, **kwargs)
    others = db.session.scalars(select(Committee).where(Committee.dissolved_on.is_(None))
                                .order_by(Committee.name)).all()
    form.parent_id.choices = [("", "No committee (the Board)")] + \
        [(c.id, c.name) for c in others if committee is None or c.id != committee.id]
    if committee is not None and not formdata:
        form.risks.data = ", ".join(r.reference for r in committee.risks)
    return form


def _save_committee(committee: Committee | None):
    require(permissions.can_manage_committees(current_user))
    form = _committee_form(committee, formdata=request.method == "POST")
    if committee is not None and committee.dissolved_on is not None:
        flash(f"{committee.name} has been dissolved: its record is kept and can no longer be "
              "changed.", "warning")
        return redirect(url_for(".detail", committee_id=committee.id))
    if request.method == "POST" and form.validate():
        import re
        try:
            risks = services.risks_by_reference(re.split(r"[\s,;]+", form.risks.data or ""))
            data = {k: v for k, v in form.data.items() if k not in ("csrf_token", "risks")}
            saved = services.save_committee(committee, data, risks)
            db.session.commit()
            flash(f"{saved.name} {'saved' if committee else 'created'}.", "success")
            return redirect(url_for(".detail", committee_id=saved.id))
        except CommitteeError as err:
            refuse(form, err)
    return render_template("committees/edit.html", committee=committee,
                           form=form), status_of(form)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    return _save_committee(None)


@bp.route("/<int:committee_id>/edit", methods=["GET", "POST"])
@login_required
def edit(committee_id: int):
    return _save_committee(load_committee(committee_id))


@bp.route("/<int:committee_id>/dissolve", methods=["GET", "POST"])
@login_required
def dissolve(committee_id: int):
    from .forms import DissolveForm
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    # Today's date in the boxes to start with (the date boxes draw what they were made with).
    form = DissolveForm(data={"dissolved_on": date.today()} if request.method == "GET" else None)
    if form.validate_on_submit():
        try:
            services.dissolve_committee(committee, form.dissolved_on.data)
            db.session.commit()
            flash(f"{committee.name} is dissolved from {form.dissolved_on.data:%-d %B %Y}. Its "
                  "record is kept.", "success")
            return redirect(url_for(".detail", committee_id=committee.id))
        except CommitteeError as err:
            refuse(form, err)
            committee = load_committee(committee_id, risks=False)
    return render_template("committees/dissolve.html", committee=committee,
                           planned=services.planned_meetings(committee),
                           form=form), status_of(form)


def _member_of(committee: Committee, member_id: int) -> CommitteeMember:
    member = next((m for m in committee.members if m.id == member_id), None)
    if member is None:
        abort(404)
    return member


@bp.route("/<int:committee_id>/members/<int:member_id>/change", methods=["GET", "POST"])
@login_required
def change_member(committee_id: int, member_id: int):
    from .forms import MemberChangeForm
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    member = _member_of(committee, member_id)
    form = MemberChangeForm(obj=member)
    tor = services.tor_in_force(committee)
    names = [p.name for p in tor.positions] if tor else []
    form.positions.choices = [(n, n) for n in dict.fromkeys(names + list(member.positions or []))]
    if form.validate_on_submit():
        try:
            services.change_member(member, {"positions": form.positions.data,
                                            "organisation": form.organisation.data},
                                   date.today())
            db.session.commit()
            flash(f"{member.name}'s positions saved.", "success")
            return redirect(url_for(".detail", committee_id=committee.id) + "#members")
        except CommitteeError as err:
            refuse(form, err)
            committee = load_committee(committee_id, risks=False)
            member = _member_of(committee, member_id)
    return render_template("committees/change_member.html", committee=committee,
                           member=member, form=form), status_of(form)


@bp.route("/<int:committee_id>/members/<int:member_id>/renew", methods=["GET", "POST"])
@login_required
def renew_member(committee_id: int, member_id: int):
    from .forms import RenewForm
    committee = load_committee(committee_id, risks=False)
    require(permissions.can_manage_committees(current_user))
    member = _member_of(committee, member_id)
    form = RenewForm()
    if form.validate_on_submit():
        try:
            services.renew_member(member, form.term_ends_on.data, by=current_user,
                                  today=date.today())
            db.session.commit()
            flash(f"{member.name}'s term is renewed to {form.term_ends_on.data:%-d %B %Y}.",
                  "success")
            return redirect(url_for(".detail", committee_id=committee.id) + "#members")
        except CommitteeError as err:
            refuse(form, err)
            committee = load_committee(committee_id, risks=False)
            member = _member_of(committee, member_id)
    return render_template("committees/renew_member.html", committee=committee,
                           member=member, form=form), status_of(form)
