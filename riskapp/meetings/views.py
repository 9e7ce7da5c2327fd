"""Meeting pages: schedule, agenda, attendance with live quoracy, declarations, votes, minutes."""
from __future__ import annotations

from datetime import date, datetime

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from sqlalchemy import select

from ..auth import permissions
from ..auth.models import User
from ..auth.permissions import require
from ..committees.models import Committee
from ..committees.views import refuse, status_of
from ..extensions import db
from ..record import trail as record_trail
from ..record.pages import trail_page
from ..web_args import as_id, id_arg, page_arg
from ..risks.models import Risk, risk_committees
from ..risks.services import StaleEdit
from ..risks.views import stale
from . import access, bp, services
from .document_data import chairs_actions_for
from .forms import (ActionForm, ActionStatusForm, ApproveMinutesForm, AttendanceCorrectionForm,
                    RecordCorrectionForm,
                    AttendanceForm, CsrfOnly, OfficerForm,
                    ConsensusForm, DeclarationForm, ItemForm, MeetingForm, MinutesForm, VoteForm,
                    parse_time)
from .models import ATTENDANCE_STATUSES, OFFICER_STATUSES, AgendaItem, Meeting, MeetingAction
from .services import LONDON, MeetingError, MeetingLocked

#: Meetings on one page of the list.
MEETINGS_PER_PAGE = 50


def load_meeting(meeting_id: int, **parts) -> Meeting:
    """The meeting or 404; `parts` asks for more of it (services.load: risks, votes, actions)."""
    meeting = services.load(meeting_id, **parts)
    if meeting is None:
        abort(404)
    return meeting


def load_item(meeting: Meeting, item_id: int) -> AgendaItem:
    """The item or 404, also when it is private business the reader may not see."""
    item = next((i for i in meeting.items if i.id == item_id), None)
    if item is None:
        abort(404)
    access.require_item(current_user, item)
    return item


def can_manage() -> bool:
    return permissions.can_manage_committees(current_user)


@bp.route("/")
@login_required
def index():
    require(permissions.can_read_committees(current_user))
    # A page at a time: a large trust holds 2,000 meetings over five years (issue 9).
    pagination = services.meetings_page(page_arg(), MEETINGS_PER_PAGE)
    return render_template("meetings/index.html", meetings=pagination.items,
                           pagination=pagination, can_manage=can_manage())


def _meeting_data(form: MeetingForm) -> dict:
    start = datetime.combine(form.day.data, parse_time(form.start_time.data), tzinfo=LONDON)
    return dict(starts_at=start, location=(form.location.data or "").strip(),
                remote=form.remote.data, has_public_part=form.has_public_part.data,
                has_private_part=form.has_private_part.data, status=form.status.data)


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    require(can_manage())
    committee = db.get_or_404(Committee, id_arg("committee_id", "The committee") or 0)
    form = MeetingForm(data=None if request.method == "POST" else
                       {"start_time": "10:00", "has_public_part": True})
    if form.validate_on_submit():
        try:
            meeting = services.create_meeting(committee, _meeting_data(form))
            db.session.commit()
            flash(f"Meeting scheduled: {committee.label}, "
                  f"{services.as_london(meeting.starts_at):%A %-d %B %Y at %H:%M}.", "success")
            return redirect(url_for(".detail", meeting_id=meeting.id))
        except MeetingError as err:
            refuse(form, err)
    return render_template("meetings/edit.html", committee=committee, meeting=None,
                           form=form), status_of(form)


@bp.route("/<int:meeting_id>/edit", methods=["GET", "POST"])
@login_required
def edit(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    start = services.as_london(meeting.starts_at)
    form = MeetingForm(obj=meeting, data=None if request.method == "POST" else {
        "day": start.date(), "start_time": start.strftime("%H:%M")})
    if form.validate_on_submit():
        try:
            services.update_meeting(meeting, _meeting_data(form), seen_version=form.version.data)
            db.session.commit()
            flash("Meeting details saved.", "success")
            return redirect(url_for(".detail", meeting_id=meeting.id))
        except StaleEdit as error:
            db.session.rollback()
            stale(form, error)
            return render_template("meetings/edit.html", committee=meeting.committee,
                                   meeting=load_meeting(meeting_id), form=form), 409
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
    return render_template("meetings/edit.html", committee=meeting.committee, meeting=meeting,
                           form=form), status_of(form)


def _refuse_locked(meeting: Meeting):
    """A write to a meeting whose minutes are approved: back to its page, saying why."""
    flash(MeetingLocked(meeting).message, "error")
    return redirect(url_for(".detail", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/corrections/attendance", methods=["GET", "POST"])
@login_required
def correct_attendance(meeting_id: int):
    """Correct a member's attendance once the minutes are approved: with the reason and the
    later meeting that approved the correction; the original is kept beside it."""
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if not services.is_record_locked(meeting):
        flash("These minutes are not approved yet: change the attendance register instead.",
              "error")
        return redirect(url_for(".attendance", meeting_id=meeting.id))
    form = AttendanceCorrectionForm()
    members = services.members_of(meeting)
    form.member_id.choices = [("", "Choose a member")] + [(m.id, m.name) for m in members]
    items = [(i.id, f"{i.number}. {i.title}") for i in meeting.items]
    form.arrived_at_item_id.choices = [("", "From the start")] + items
    form.left_at_item_id.choices = [("", "Stayed to the end")] + items
    form.approved_at_id.choices = _later_meeting_choices(meeting)
    if form.validate_on_submit():
        by_id = {i.id: i for i in meeting.items}
        member = next(m for m in members if m.id == form.member_id.data)
        try:
            services.correct_attendance(meeting, member, dict(
                status=form.status.data, deputy_name=form.deputy_name.data,
                arrived_at_item=by_id.get(form.arrived_at_item_id.data),
                left_at_item=by_id.get(form.left_at_item_id.data)),
                reason=form.reason.data, by=current_user,
                approved_at=db.session.get(Meeting, form.approved_at_id.data))
            db.session.commit()
            flash(f"Correction to the attendance of {member.name} recorded.", "success")
            return redirect(url_for(".detail", meeting_id=meeting.id) + "#corrections")
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
    return render_template("meetings/correct_attendance.html", meeting=meeting,
                           form=form), status_of(form)


#: The kinds of locked record a correction form takes, and how each is found.
CORRECTION_KINDS = {"declaration": "declaration", "item": "agenda item",
                    "decision": "decision", "vote": "vote"}


def _correctable(meeting: Meeting, kind: str, record_id: int):
    """The meeting's own record of `kind` with that id, or 404."""
    from .models import Declaration, Vote
    if kind == "declaration":
        record = db.session.get(Declaration, record_id)
        ok = record is not None and record.meeting_id == meeting.id
    elif kind == "vote":
        record = db.session.get(Vote, record_id)
        ok = record is not None and record.item.meeting_id == meeting.id
    else:
        record = db.session.get(AgendaItem, record_id)
        ok = record is not None and record.meeting_id == meeting.id
    if not ok:
        abort(404)
    return record


@bp.route("/<int:meeting_id>/corrections/<kind>/<int:record_id>", methods=["GET", "POST"])
@login_required
def correct_record(meeting_id: int, kind: str, record_id: int):
    """Correct a declaration, an agenda item, a decision or a vote once the minutes are
    approved: with the reason and the later meeting that approved it; the approved version is
    kept in the correction and shown beside it."""
    if kind not in CORRECTION_KINDS:
        abort(404)
    meeting = load_meeting(meeting_id)
    require(can_manage())
    record = _correctable(meeting, kind, record_id)
    if not services.is_record_locked(meeting):
        flash("These minutes are not approved yet: change the record itself instead.", "error")
        return redirect(url_for(".detail", meeting_id=meeting.id))
    fields = list(services.CORRECTABLE[kind])
    form = RecordCorrectionForm()
    if request.method == "GET":  # the approved values, to correct
        for name in fields:
            value = getattr(record, name)
            getattr(form, name).data = ("yes" if value else "no") if name == "carried" else value
    form.approved_at_id.choices = _later_meeting_choices(meeting)
    if form.validate_on_submit():
        try:
            services.correct_record(meeting, kind, record, form.values(fields),
                                    reason=form.reason.data, by=current_user,
                                    approved_at=db.session.get(Meeting, form.approved_at_id.data))
            db.session.commit()
            flash(f"Correction to the {CORRECTION_KINDS[kind]} recorded.", "success")
            return redirect(url_for(".detail", meeting_id=meeting.id) + "#corrections")
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
            record = _correctable(meeting, kind, record_id)
    return render_template("meetings/correct_record.html", meeting=meeting, form=form,
                           fields=[getattr(form, name) for name in fields],
                           subject=services.correction_subject(kind, record),
                           kind_words=CORRECTION_KINDS[kind]), status_of(form)


def _context(meeting: Meeting) -> dict:
    """What every meeting page shows: the meeting and its quoracy per item."""
    return dict(meeting=meeting, q=services.meeting_quoracy(meeting), can_manage=can_manage())


@bp.route("/<int:meeting_id>")
@login_required
def detail(meeting_id: int):
    require(permissions.can_read_committees(current_user))
    meeting = load_meeting(meeting_id, risks=True)
    manage, today = can_manage(), date.today()
    approve_form = None
    if manage and not meeting.minutes_locked:
        # Only a manager sees the form, and only while the minutes are a draft.
        approve_form = ApproveMinutesForm()
        approve_form.at_meeting_id.choices = [
            (m_id, f"{services.as_london(starts):%d %b %Y}") for m_id, starts in
            db.session.execute(select(Meeting.id, Meeting.starts_at).where(
                Meeting.committee_id == meeting.committee_id,
                Meeting.starts_at > meeting.starts_at).order_by(Meeting.starts_at))]
    actions, carried = services.action_log(meeting)
    # The rule inputs once for both quoracy now and the forecast.
    inputs = services.rule_inputs_of(meeting)
    private_ok = access.sees_private(current_user, meeting)
    corrections = services.corrections_of(meeting, private_ok=private_ok)
    corrected = services.corrected_parts(corrections)
    if not private_ok:  # actions raised on private items are private business too
        item_ids = {r.action.item_id for r in actions + carried if r.action.item_id}
        private = set(db.session.scalars(select(AgendaItem.id).where(
            AgendaItem.id.in_(item_ids), AgendaItem.private.is_(True)))) if item_ids else set()
        actions = [r for r in actions if r.action.item_id not in private]
        carried = [r for r in carried if r.action.item_id not in private]
    return render_template(
        "meetings/detail.html", meeting=meeting, q=services.meeting_quoracy(meeting, inputs),
        items=[i for i in meeting.items if access.sees_item_as(private_ok, i)],
        private_ok=private_ok, minutes_ok=access.sees_draft_minutes(current_user, meeting),
        chairs_actions=chairs_actions_for(meeting),
        tor=services.tor_of(meeting), deadline=services.papers_deadline(meeting),
        members=services.members_of(meeting), attendance=services.attendance_of(meeting),
        forecast=services.forecast(meeting, inputs) if meeting.status == "Planned" else None,
        actions=actions, carried=carried, today=today, can_manage=manage,
        approve_form=approve_form, corrections=corrections, corrected=corrected,
        corrected_attendance=corrected.attendance,
        **_trail_section(meeting, private_ok))


#: The latest changes shown on a meeting's page; the trail page has them all.
TRAIL_ON_PAGE = 20


def _trail_section(meeting: Meeting, private_ok: bool) -> dict:
    trail = record_trail.meeting_trail(meeting.id, private_ok=private_ok)
    return dict(trail=trail[:TRAIL_ON_PAGE], trail_total=len(trail),
                trail_url=url_for("meetings.trail", meeting_id=meeting.id),
                trail_subject="the meeting")


@bp.route("/<int:meeting_id>/trail")
@login_required
def trail(meeting_id: int):
    """Every change to the meeting and its parts, with filters."""
    require(permissions.can_read_committees(current_user))
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        abort(404)
    private_ok = access.sees_private(current_user, meeting)
    return trail_page(
        lambda **filters: record_trail.meeting_trail(meeting.id, private_ok=private_ok,
                                                     **filters),
        record_trail.MEETING_KINDS, record_trail.MEETING_CHANGES,
        caption=f"{meeting.committee.name} meeting {services.as_london(meeting.starts_at):%d %b %Y}",
        back_url=url_for("meetings.detail", meeting_id=meeting.id),
        intro="Every change to the meeting and what it recorded: its details, agenda items and "
              "decisions, votes, attendance, declarations, officers in attendance, papers and "
              "actions" + ("" if private_ok else " (private business is not shown)"))


@bp.route("/<int:meeting_id>/items/new", methods=["GET", "POST"])
@login_required
def new_item(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    form = _item_form(meeting, None)
    if form.validate_on_submit():
        try:
            item = services.add_item(meeting, _item_data(form))
            db.session.commit()
            flash(f"Item {item.number} added to the agenda: {item.title}.", "success")
            return redirect(url_for(".detail", meeting_id=meeting.id) + "#agenda")
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
    return render_template("meetings/item_edit.html", meeting=meeting, item=None,
                           form=form), status_of(form)


def _item_form(meeting, item) -> ItemForm:
    if request.method == "POST":
        form = ItemForm()
    else:
        form = ItemForm(obj=item, data={"risk_ids": [r.id for r in item.risks]} if item else
                        {"number": str(len(meeting.items) + 1)})
    # Checkboxes of the open risks this committee oversees, and any the item already links;
    # any other risk is typed by its reference (issue 19: no "Hold Ctrl" list of every risk).
    linked = [r.id for r in item.risks] if item else []
    overseen = select(risk_committees.c.risk_id).where(
        risk_committees.c.committee_id == meeting.committee_id)
    form.risk_ids.choices = [(r.id, f"{r.reference} {r.title}") for r in db.session.scalars(
        select(Risk).where((Risk.id.in_(overseen) & (Risk.status == "Open"))
                           | Risk.id.in_(linked)).order_by(Risk.reference))]
    return form


def _item_data(form: ItemForm) -> dict:
    risks = db.session.scalars(select(Risk).where(Risk.id.in_(form.risk_ids.data or []))).all()
    risks += [r for r in getattr(form, "other_risks", []) if r not in risks]
    return dict(number=form.number.data.strip(), title=form.title.data.strip(),
                presenter=(form.presenter.data or "").strip(), private=form.private.data,
                purpose=form.purpose.data, papers_expected=form.papers_expected.data,
                duration_minutes=form.duration_minutes.data, risks=risks)


@bp.route("/<int:meeting_id>/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def edit_item(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    item = load_item(meeting, item_id)
    form = _item_form(meeting, item)
    if form.validate_on_submit():
        try:
            services.update_item(item, _item_data(form))
            db.session.commit()
            flash(f"Item {item.number} saved.", "success")
            return redirect(url_for(".item", meeting_id=meeting.id, item_id=item.id))
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
            item = load_item(meeting, item_id)
    return render_template("meetings/item_edit.html", meeting=meeting, item=item,
                           form=form), status_of(form)


# --- attendance ---------------------------------------------------------------------------


def _item_choices(meeting) -> tuple[list, list]:
    """The arrived-at and left-before choices: the same for every member's form."""
    items = [(i.id, f"{i.number}. {i.title}") for i in meeting.items]
    return [("", "From the start")] + items, [("", "Stayed to the end")] + items


@bp.route("/<int:meeting_id>/attendance", methods=["GET"])
@login_required
def attendance(meeting_id: int):
    require(permissions.can_read_committees(current_user))
    return _register(load_meeting(meeting_id))


def _register(meeting, errors: dict | None = None, typed=None):
    """The register and quoracy: one form for everyone (issue 17), or text for readers.

    `typed`: the submitted form, whose values win over the register's when a save was
    refused; `errors`: messages by field name.
    """
    arrived, left = _item_choices(meeting)
    return render_template("meetings/attendance.html", errors=errors or {}, typed=typed,
                           members=services.members_of(meeting),
                           attendance=services.attendance_of(meeting),
                           status_choices=[("", "Not recorded")]
                           + list(ATTENDANCE_STATUSES.items()),
                           officer_choices=[("", "Not recorded")]
                           + list(OFFICER_STATUSES.items()),
                           arrived_choices=arrived, left_choices=left,
                           locked=services.is_record_locked(meeting), **_context(meeting))


def _register_marks(meeting, form) -> tuple[dict, dict]:
    """The rows submitted: a member's row counts only if its status field came (a partial or
    stale form never clears rows it did not show)."""
    items = {i.id: i for i in meeting.items}

    def item(value):
        try:
            return items.get(int(value)) if value else None
        except ValueError:
            return None
    marks, officers = {}, {}
    for member in services.members_of(meeting):
        p = f"m{member.id}-"
        if p + "status" in form:
            marks[member.id] = dict(status=form.get(p + "status", ""),
                                    deputy_name=form.get(p + "deputy_name", ""),
                                    arrived_at_item=item(form.get(p + "arrived_at_item_id")),
                                    left_at_item=item(form.get(p + "left_at_item_id")))
    for officer in meeting.officers:
        if f"o{officer.id}-status" in form:
            officers[officer.id] = form.get(f"o{officer.id}-status") or None
    return marks, officers


@bp.route("/<int:meeting_id>/attendance", methods=["POST"])
@login_required
def save_register(meeting_id: int):
    """Save the whole register in one go; refused rows keep what was typed, nothing saved."""
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    CsrfOnly().validate_on_submit() or abort(400)
    marks, officers = _register_marks(meeting, request.form)
    try:
        changed = services.record_register(meeting, marks, officers)
        db.session.commit()
    except services.RegisterRefused as refused:
        db.session.rollback()
        return _register(load_meeting(meeting_id), refused.errors, request.form), 422
    flash(f"Register saved: {changed} change{'' if changed == 1 else 's'}.", "success")
    return redirect(url_for(".attendance", meeting_id=meeting.id))


@bp.route("/<int:meeting_id>/attendance/quoracy", methods=["POST"])
@login_required
def register_quoracy(meeting_id: int):
    """Quoracy as it would be with the marks on the screen, nothing saved: the register's
    script asks for it as marks change (without the script, Save shows it)."""
    meeting = load_meeting(meeting_id)
    require(can_manage())
    CsrfOnly().validate_on_submit() or abort(400)
    marks, _officers = _register_marks(meeting, request.form)  # officers never count
    return render_template("meetings/_register_quoracy.html", meeting=meeting,
                           q=services.preview_quoracy(meeting, marks),
                           refused=_first_unnamed_deputy(meeting, marks))


def _first_unnamed_deputy(meeting, marks: dict[int, dict]) -> str | None:
    """The preview counts a deputy only once named, and says so (Save names the field)."""
    for member in services.members_of(meeting):
        data = marks.get(member.id, {})
        if data.get("status") == "deputy" and not (data.get("deputy_name") or "").strip():
            return f"enter the name of {member.name}'s deputy"
    return None


@bp.route("/<int:meeting_id>/officers/new", methods=["GET", "POST"])
@login_required
def new_officer(meeting_id: int):
    """An officer in attendance: not a member, never counted for quoracy or votes."""
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    form = OfficerForm()
    form.user_id.choices = [("", "No login, or not listed")] + [
        (u.id, u.name) for u in db.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.name))]
    if form.validate_on_submit():
        try:
            officer = services.add_officer(meeting, dict(
                name=form.name.data, job_title=form.job_title.data,
                organisation=form.organisation.data,
                user=db.session.get(User, form.user_id.data) if form.user_id.data else None))
            db.session.commit()
            flash(f"{officer.name} added as in attendance.", "success")
            return redirect(url_for(".attendance", meeting_id=meeting.id) + "#officers")
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
    return render_template("meetings/officer.html", meeting=meeting, form=form), \
        status_of(form)


# --- declarations -------------------------------------------------------------------------


@bp.route("/<int:meeting_id>/declarations/new", methods=["GET", "POST"])
@login_required
def new_declaration(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    form = DeclarationForm(data=None if request.method == "POST" else
                           {"item_id": id_arg("item_id", "The agenda item")})
    form.member_id.choices = [("", "Not a member")] + [
        (m.id, m.name) for m in services.members_of(meeting)]
    form.item_id.choices = [("", "The whole meeting")] + [
        (i.id, f"{i.number}. {i.title}") for i in meeting.items]
    if form.validate_on_submit():
        members = {m.id: m for m in services.members_of(meeting)}
        items = {i.id: i for i in meeting.items}
        try:
            services.record_declaration(meeting, dict(
                member=members.get(form.member_id.data), person_name=form.person_name.data,
                interest=form.interest.data, action=form.action.data,
                item=items.get(form.item_id.data)))
            db.session.commit()
            flash("Declaration of interest recorded.", "success")
            return redirect(url_for(".detail", meeting_id=meeting.id) + "#declarations")
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
    return render_template("meetings/declaration.html", meeting=meeting,
                           form=form), status_of(form)


@bp.route("/interests")
@login_required
def interests():
    require(permissions.can_read_committees(current_user))
    declarations = db.session.scalars(
        services.interests_register(id_arg("committee_id", "The committee"))).all()
    by_person: dict[str, list] = {}
    allowed: dict[int, bool] = {}
    for d in declarations:
        if d.item is not None and d.item.private:
            if d.meeting_id not in allowed:
                allowed[d.meeting_id] = access.sees_private(current_user, d.meeting)
            if not allowed[d.meeting_id]:
                continue  # an interest on private business is private business
        by_person.setdefault(d.who, []).append(d)
    return render_template("meetings/interests.html", by_person=dict(sorted(by_person.items())))


# --- item: decision, vote, minutes --------------------------------------------------------


def _later_meeting_choices(meeting: Meeting) -> list:
    """The committee's later meetings: where a correction of this meeting's approved record
    may have been approved."""
    later = db.session.scalars(select(Meeting).where(
        Meeting.committee_id == meeting.committee_id, Meeting.starts_at > meeting.starts_at)
        .order_by(Meeting.starts_at)).all()
    return [("", "Choose the meeting")] + [
        (m.id, f"{services.as_london(m.starts_at):%d %b %Y}") for m in later]


def _item_page(meeting, item, consensus_form=None, vote_form=None, minutes_form=None,
               status=200):
    ctx = _context(meeting)
    q = ctx["q"]
    roster = services.roster_for(item, q) if q.inputs else []
    chair_id = services.item_chair_id(item, q) if q.inputs else None
    minutes_form = minutes_form or MinutesForm(obj=item, formdata=None)
    if meeting.minutes_locked and not minutes_form.approved_at_id.choices:
        minutes_form.approved_at_id.choices = _later_meeting_choices(meeting)
    from .reports import report_for_item
    return render_template(
        "meetings/item.html", item=item, roster=roster, highlight=report_for_item(item),
        chair=next((v.name for v in roster if v.id == chair_id), None), chair_id=chair_id,
        iq=q.items.get(item.id), consensus_form=consensus_form or ConsensusForm(formdata=None),
        vote_form=vote_form or VoteForm(formdata=None), minutes_form=minutes_form,
        form=minutes_form, ballots=request.form if request.method == "POST" else {},
        **ctx), status


@bp.route("/<int:meeting_id>/items/<int:item_id>")
@login_required
def item(meeting_id: int, item_id: int):
    require(permissions.can_read_committees(current_user))
    meeting = load_meeting(meeting_id)
    return _item_page(meeting, load_item(meeting, item_id))[0]


@bp.route("/<int:meeting_id>/items/<int:item_id>/consensus", methods=["POST"])
@login_required
def consensus(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    item = load_item(meeting, item_id)
    form = ConsensusForm()
    if form.validate_on_submit():
        try:
            services.record_consensus(item, form.decision.data)
            db.session.commit()
            flash(f"Decision recorded for item {item.number}: {item.outcome}", "success")
            return redirect(url_for(".item", meeting_id=meeting.id, item_id=item.id))
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
            item = load_item(meeting, item_id)
    return _item_page(meeting, item, consensus_form=form, status=422)


@bp.route("/<int:meeting_id>/items/<int:item_id>/vote", methods=["POST"])
@login_required
def vote(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    item = load_item(meeting, item_id)
    form = VoteForm()
    if form.validate_on_submit():
        ballots = []
        for key, value in request.form.items():
            if key.startswith("ballot-") and value:
                try:
                    ballots.append((int(key.removeprefix("ballot-")), value))
                except ValueError:
                    abort(400)
        if not ballots:
            form.form_errors.append("Record at least one vote for, against or abstaining")
        else:
            try:
                vote = services.record_vote(item, ballots, form.casting_vote.data or None,
                                            by=current_user, motion=form.motion.data)
                db.session.commit()
                flash(f"Vote recorded for item {item.number}: {vote.summary}", "success")
                return redirect(url_for(".item", meeting_id=meeting.id, item_id=item.id))
            except MeetingError as err:
                db.session.rollback()
                form.form_errors.append(err.message[:1].upper() + err.message[1:])
                meeting = load_meeting(meeting_id)
                item = load_item(meeting, item_id)
    return _item_page(meeting, item, vote_form=form, status=422)


@bp.route("/<int:meeting_id>/items/<int:item_id>/minutes", methods=["POST"])
@login_required
def minutes(meeting_id: int, item_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    item = load_item(meeting, item_id)
    form = MinutesForm()
    form.approved_at_id.choices = _later_meeting_choices(meeting)
    if form.validate_on_submit():
        try:
            services.update_minutes(item, form.minutes_discussion.data or "",
                                    form.minutes_decision.data or "", by=current_user,
                                    reason=form.reason.data,
                                    approved_at=db.session.get(Meeting, form.approved_at_id.data)
                                    if form.approved_at_id.data else None)
            db.session.commit()
            flash("Minutes saved.", "success")
            return redirect(url_for(".item", meeting_id=meeting.id, item_id=item.id)
                            + "#minutes")
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
            item = load_item(meeting, item_id)
    return _item_page(meeting, item, minutes_form=form, status=422)


@bp.route("/<int:meeting_id>/approve-minutes", methods=["POST"])
@login_required
def approve_minutes(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    form = ApproveMinutesForm()
    later = db.session.scalars(select(Meeting).where(
        Meeting.committee_id == meeting.committee_id, Meeting.starts_at > meeting.starts_at)
    ).all()
    form.at_meeting_id.choices = [(m.id, str(m.id)) for m in later]
    if form.validate_on_submit():
        try:
            services.approve_minutes(meeting, db.session.get(Meeting, form.at_meeting_id.data))
            db.session.commit()
            flash("Minutes approved and locked: later changes are recorded as corrections.",
                  "success")
        except MeetingError as err:
            db.session.rollback()
            flash(err.message, "error")
    else:
        flash("; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for(".detail", meeting_id=meeting_id) + "#minutes")


# --- action log ---------------------------------------------------------------------------


@bp.route("/<int:meeting_id>/actions/new", methods=["GET", "POST"])
@login_required
def new_action(meeting_id: int):
    meeting = load_meeting(meeting_id)
    require(can_manage())
    if services.is_record_locked(meeting):
        return _refuse_locked(meeting)
    form = ActionForm()
    form.assignee_id.choices = [("", "Not assigned")] + [
        (u.id, u.name) for u in db.session.scalars(
            select(User).where(User.active.is_(True)).order_by(User.name))]
    form.item_id.choices = [("", "Not from an item")] + [
        (i.id, f"{i.number}. {i.title}") for i in meeting.items]
    if form.validate_on_submit():
        try:
            services.add_action(meeting, dict(detail=form.detail.data,
                                              assignee_id=form.assignee_id.data,
                                              item_id=form.item_id.data,
                                              due_date=form.due_date.data))
            db.session.commit()
            flash("Action added to the action log.", "success")
            return redirect(url_for(".detail", meeting_id=meeting.id) + "#actions")
        except MeetingError as err:
            refuse(form, err)
            meeting = load_meeting(meeting_id)
    return render_template("meetings/action.html", meeting=meeting,
                           form=form), status_of(form)


@bp.route("/actions/<int:action_id>", methods=["POST"])
@login_required
def update_action(action_id: int):
    action = db.get_or_404(MeetingAction, action_id)
    require(can_manage())
    form = ActionStatusForm()
    if form.validate_on_submit():
        services.update_action(action, dict(status=form.status.data,
                                            update=form.update.data or action.update),
                               today=date.today())
        db.session.commit()
        flash(f"Action updated: {form.status.data}.", "success")
    else:
        flash("Choose a status for the action", "error")
    next_meeting = as_id(request.form.get("next_meeting"))  # a hand-edited value: ignored
    return redirect(url_for(".detail", meeting_id=next_meeting or action.meeting_id)
                    + "#actions")
