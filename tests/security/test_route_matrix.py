"""The permission matrix: every route of `app.url_map` × every role, on objects a role owns and
on objects it does not (ASVS V4). A route missing from MATRIX fails the test, so no route can
be added without deciding who may use it. GET never changes anything.

Answers: an allowed role gets anything but 401/403/sign-in; a refused signed-in role gets 403
(or 404 where the matrix says the object's existence is hidden); anonymous gets the sign-in
page (HTML) or 401 (API), unless the route is public.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select, text

from riskapp.extensions import db as _db
from tests.factories import PASSWORD, make_action, make_risk, make_user

ROLES = ("anonymous", "staff", "owner", "lead", "assignee", "secretariat", "board",
         "risk_manager", "admin")
ALL = frozenset(ROLES)
READ = ALL - {"anonymous"}
EDIT_RISK = frozenset({"owner", "lead", "risk_manager"})
PROGRESS = EDIT_RISK | {"assignee"}
RM = frozenset({"risk_manager"})
ADMIN = frozenset({"admin"})
COMMITTEE = frozenset({"secretariat", "admin"})
#: Routes on one risk (or its sub-records): run again on a risk nobody of the world owns.
RISK_OBJECT = "risk"
#: Own-object routes where another person's object is hidden with 404.
HIDDEN = 404

#: (endpoint, method) -> (roles allowed on the world's objects, special)
MATRIX: dict[tuple[str, str], tuple[frozenset, object]] = {
    ("static", "GET"): (ALL, None),
    ("main.health", "GET"): (ALL, None),
    ("main.bands_css", "GET"): (ALL, None),
    ("main.index", "GET"): (READ, None),
    ("auth.login", "GET"): (ALL, None),
    ("auth.login", "POST"): (ALL, None),
    ("auth.forgot_password", "GET"): (ALL, None),
    ("auth.forgot_password", "POST"): (ALL, None),
    ("auth.set_password", "GET"): (ALL, None),
    ("auth.set_password", "POST"): (ALL, None),
    ("auth.sso_start", "GET"): (ALL, None),
    ("auth.sso_callback", "GET"): (ALL, None),
    ("auth.logout", "POST"): (READ, None),
    ("auth.account", "GET"): (READ, None),
    ("auth.password", "GET"): (READ, None),
    ("auth.password", "POST"): (READ, None),
    ("auth.api", "GET"): (READ, None),
    ("auth.tokens", "GET"): (READ, None),
    ("auth.tokens", "POST"): (READ, None),
    ("auth.revoke_token", "POST"): (frozenset({"staff"}), HIDDEN),  # staff's own token
    # the risk register
    ("risks.index", "GET"): (READ, None),
    ("risks.mine", "GET"): (READ, None),
    ("risks.movement", "GET"): (READ, None),
    ("risks.detail", "GET"): (READ, None),
    ("risks.trail", "GET"): (READ, None),
    ("risks.new", "GET"): (RM, None),
    ("risks.new", "POST"): (RM, None),
    ("risks.move", "GET"): (RM, None),
    ("risks.move", "POST"): (RM, None),
    ("risks.edit", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("risks.edit", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("risks.rescore", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("risks.rescore", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("risks.control_new", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("risks.control_new", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("risks.control_edit", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("risks.control_edit", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("risks.assurance_new", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("risks.assurance_new", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("risks.assurance_edit", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("risks.assurance_edit", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("risks.gap_new", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("risks.gap_new", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("risks.gap_close", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("actions.mine", "GET"): (READ, None),
    ("actions.new", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("actions.new", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("actions.edit", "GET"): (EDIT_RISK, RISK_OBJECT),
    ("actions.edit", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("actions.progress", "GET"): (PROGRESS, RISK_OBJECT),
    ("actions.progress", "POST"): (PROGRESS, RISK_OBJECT),
    ("assurance.map_page", "GET"): (READ, None),
    ("assurance.rule_new", "GET"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("assurance.rule_new", "POST"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("assurance.rule_edit", "GET"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("assurance.rule_edit", "POST"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("assurance.rules_suggested", "POST"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("reports.cover_page", "GET"): (READ, None),
    ("reports.cover_page", "POST"): (READ, None),
    ("reports.cover_draft", "GET"): (frozenset({"staff"}), HIDDEN),  # staff's own paper
    ("api.assurance_map", "GET"): (READ, None),
    ("settings.index", "GET"): (RM | ADMIN, None),
    ("settings.bands", "POST"): (RM | ADMIN, None),
    ("settings.appetite", "POST"): (RM | ADMIN, None),
    ("settings.appetite_categories", "POST"): (RM | ADMIN, None),
    ("settings.directorates", "POST"): (RM | ADMIN, None),
    ("settings.registers", "POST"): (RM | ADMIN, None),
    ("settings.register_edit", "GET"): (RM | ADMIN, None),
    ("settings.register_edit", "POST"): (RM | ADMIN, None),
    ("settings.organisation_settings", "GET"): (ADMIN, None),
    ("settings.organisation_settings", "POST"): (ADMIN, None),
    ("settings.sign_in_settings", "POST"): (ADMIN, None),
    ("settings.logo", "GET"): (ALL, None),
    ("main.setup", "GET"): (READ, None),
    ("admin.users", "GET"): (ADMIN, None),
    ("admin.user_new", "GET"): (ADMIN, None),
    ("admin.user_new", "POST"): (ADMIN, None),
    ("admin.user_edit", "GET"): (ADMIN, None),
    ("admin.user_edit", "POST"): (ADMIN, None),
    ("admin.user_invite", "GET"): (ADMIN, None),
    ("admin.user_invite", "POST"): (ADMIN, None),
    ("admin.user_reinvite", "POST"): (ADMIN, None),
    # committees and meetings
    ("committees.index", "GET"): (READ, None),
    ("committees.detail", "GET"): (READ, None),
    ("committees.trail", "GET"): (READ, None),
    ("committees.terms", "GET"): (READ, None),
    ("committees.new_draft", "POST"): (COMMITTEE, None),
    ("committees.edit_terms", "GET"): (COMMITTEE, None),
    ("committees.edit_terms", "POST"): (COMMITTEE, None),
    ("committees.add_position", "POST"): (COMMITTEE, None),
    ("committees.remove_position", "POST"): (COMMITTEE, None),
    ("committees.add_requirement", "POST"): (COMMITTEE, None),
    ("committees.remove_requirement", "POST"): (COMMITTEE, None),
    ("committees.approve_terms", "GET"): (COMMITTEE, None),
    ("committees.approve_terms", "POST"): (COMMITTEE, None),
    ("committees.add_member", "GET"): (COMMITTEE, None),
    ("committees.add_member", "POST"): (COMMITTEE, None),
    ("committees.end_member", "GET"): (COMMITTEE, None),
    ("committees.end_member", "POST"): (COMMITTEE, None),
    ("committees.new", "GET"): (COMMITTEE, None),
    ("committees.new", "POST"): (COMMITTEE, None),
    ("committees.edit", "GET"): (COMMITTEE, None),
    ("committees.edit", "POST"): (COMMITTEE, None),
    ("committees.dissolve", "GET"): (COMMITTEE, None),
    ("committees.dissolve", "POST"): (COMMITTEE, None),
    ("committees.change_member", "GET"): (COMMITTEE, None),
    ("committees.change_member", "POST"): (COMMITTEE, None),
    ("committees.renew_member", "GET"): (COMMITTEE, None),
    ("committees.renew_member", "POST"): (COMMITTEE, None),
    ("committees.attendance_report", "GET"): (READ, None),
    ("committees.attendance_pdf", "GET"): (READ, None),
    ("committees.calendar", "GET"): (READ, None),
    ("committees.reset_feed", "POST"): (READ, None),
    # the calendar feeds: the secret in the URL is the credential (for calendar apps)
    ("committees.user_feed", "GET"): (ALL, None),
    ("committees.committee_feed", "GET"): (ALL, None),
    ("meetings.index", "GET"): (READ, None),
    ("meetings.upcoming", "GET"): (READ, None),
    ("meetings.decisions", "GET"): (READ, None),
    ("meetings.new_chairs_action", "GET"): (COMMITTEE, None),  # and the committee's chair
    ("meetings.new_chairs_action", "POST"): (COMMITTEE, None),
    ("meetings.schedule", "GET"): (COMMITTEE, None),
    # issue 17: papers and documents; who sees private business is tested in
    # tests/meetings/test_private_business.py
    ("meetings.new_paper", "GET"): (COMMITTEE, None),
    ("meetings.new_paper", "POST"): (COMMITTEE, None),
    ("meetings.paper", "GET"): (READ, None),
    ("meetings.publish", "GET"): (COMMITTEE, None),
    ("meetings.publish", "POST"): (COMMITTEE, None),
    ("meetings.agenda_pack", "POST"): (READ, None),  # asks the worker for it (a job)
    ("meetings.agenda_pack_link", "GET"): (READ, None),
    ("meetings.minutes_docx", "GET"): (READ, None),
    ("meetings.minutes_pdf", "GET"): (READ, None),
    ("meetings.report", "GET"): (READ, None),
    ("meetings.report", "POST"): (COMMITTEE, HIDDEN),  # a draft is private business
    ("meetings.approve_report", "POST"): (READ, None),  # the chair: tested in test_reports.py
    ("meetings.action_progress", "GET"): (COMMITTEE, None),
    ("meetings.action_progress", "POST"): (COMMITTEE, None),
    ("meetings.interests", "GET"): (READ, None),
    ("meetings.detail", "GET"): (READ, None),
    ("meetings.attendance", "GET"): (READ, None),
    ("meetings.item", "GET"): (READ, None),
    ("meetings.new", "GET"): (COMMITTEE, None),
    ("meetings.new", "POST"): (COMMITTEE, None),
    ("meetings.edit", "GET"): (COMMITTEE, None),
    ("meetings.edit", "POST"): (COMMITTEE, None),
    ("meetings.new_item", "GET"): (COMMITTEE, None),
    ("meetings.new_item", "POST"): (COMMITTEE, None),
    ("meetings.edit_item", "GET"): (COMMITTEE, None),
    ("meetings.edit_item", "POST"): (COMMITTEE, None),
    ("meetings.save_register", "POST"): (COMMITTEE, None),
    ("meetings.register_quoracy", "POST"): (COMMITTEE, None),
    ("meetings.new_officer", "GET"): (COMMITTEE, None),
    ("meetings.new_officer", "POST"): (COMMITTEE, None),
    ("meetings.new_declaration", "GET"): (COMMITTEE, None),
    ("meetings.new_declaration", "POST"): (COMMITTEE, None),
    ("meetings.consensus", "POST"): (COMMITTEE, None),
    ("meetings.vote", "POST"): (COMMITTEE, None),
    ("meetings.minutes", "POST"): (COMMITTEE, None),
    ("meetings.approve_minutes", "POST"): (COMMITTEE, None),
    ("meetings.correct_attendance", "GET"): (COMMITTEE, None),
    ("meetings.correct_attendance", "POST"): (COMMITTEE, None),
    ("meetings.correct_record", "GET"): (COMMITTEE, None),
    ("meetings.correct_record", "POST"): (COMMITTEE, None),
    ("meetings.trail", "GET"): (READ, None),
    ("meetings.new_action", "GET"): (COMMITTEE, None),
    ("meetings.new_action", "POST"): (COMMITTEE, None),
    ("meetings.update_action", "POST"): (COMMITTEE, None),
    # reports and reminders
    ("reports.index", "GET"): (READ, None),
    ("reports.heatmap_page", "GET"): (READ, None),
    ("reports.pack_options", "GET"): (READ, None),
    ("reports.baf_pdf", "GET"): (READ, None),
    ("reports.baf_pdf", "POST"): (READ, None),
    ("jobs.show", "GET"): (frozenset({"staff"}), HIDDEN),  # staff's own pack
    ("jobs.download", "GET"): (frozenset({"staff"}), HIDDEN),
    ("jobs.progress", "GET"): (frozenset({"staff"}), HIDDEN),
    ("reports.export", "GET"): (READ, None),
    ("reports.export", "POST"): (READ, None),
    ("reports.import_upload", "GET"): (RM, None),
    ("reports.import_upload", "POST"): (RM, None),
    ("reports.import_result", "GET"): (RM, None),  # their own checks only (else 404)
    ("reports.import_confirm", "POST"): (RM, None),
    ("reminders.mine", "GET"): (READ, None),
    ("reminders.outbox", "GET"): (ADMIN, None),
    ("reminders.retry", "POST"): (ADMIN, None),
    # the JSON API: the same rights as the pages
    ("api.openapi", "GET"): (ALL, None),
    ("api.risks", "GET"): (READ, None),
    ("api.risk", "GET"): (READ, None),
    ("api.movement", "GET"): (READ, None),
    ("api.risks_create", "POST"): (RM, None),
    ("api.registers_index", "GET"): (READ, None),
    ("api.registers_create", "POST"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("api.bands_index", "GET"): (READ, None),
    ("api.bands_replace", "PUT"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("api.appetite_levels_index", "GET"): (READ, None),
    ("api.appetite_levels_replace", "PUT"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("api.registers_update", "PATCH"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("api.review_frequencies_index", "GET"): (READ, None),
    ("api.review_frequencies_replace", "PUT"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("api.appetite_categories_index", "GET"): (READ, None),
    ("api.appetite_categories_replace", "PUT"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("api.directorates_index", "GET"): (READ, None),
    ("api.directorates_replace", "PUT"): (RM | ADMIN, None),  # the register's settings: day one's admin too
    ("api.risks_update", "PATCH"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_close", "POST"): (RM, None),
    ("api.risks_escalate", "POST"): (RM, None),
    ("api.risks_add_control", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_update_control", "PATCH"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_add_assurance", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_update_assurance", "PATCH"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_add_gap", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_close_gap", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_add_action", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_update_action", "PATCH"): (EDIT_RISK, RISK_OBJECT),
    ("api.risks_action_progress", "POST"): (PROGRESS, RISK_OBJECT),
    ("api.risk_reviews", "POST"): (EDIT_RISK, RISK_OBJECT),
    ("api.committees_index", "GET"): (READ, None),
    ("api.committee_detail", "GET"): (READ, None),
    ("api.committee_terms", "GET"): (READ, None),
    ("api.committee_members", "GET"): (READ, None),
    ("api.committee_add_member", "POST"): (COMMITTEE, None),
    ("api.committee_quoracy_check", "POST"): (READ, None),
    ("api.committees_create", "POST"): (COMMITTEE, None),
    ("api.committees_update", "PATCH"): (COMMITTEE, None),
    ("api.committees_dissolve", "POST"): (COMMITTEE, None),
    ("api.committee_new_draft", "POST"): (COMMITTEE, None),
    ("api.committee_update_terms", "PATCH"): (COMMITTEE, None),
    ("api.committee_add_position", "POST"): (COMMITTEE, None),
    ("api.committee_remove_position", "DELETE"): (COMMITTEE, None),
    ("api.committee_add_requirement", "POST"): (COMMITTEE, None),
    ("api.committee_remove_requirement", "DELETE"): (COMMITTEE, None),
    ("api.committee_approve_terms", "POST"): (COMMITTEE, None),
    ("api.committee_change_member", "PATCH"): (COMMITTEE, None),
    ("api.committee_renew_member", "POST"): (COMMITTEE, None),
    ("api.committee_end_member", "POST"): (COMMITTEE, None),
    ("api.committee_attendance_report", "GET"): (READ, None),
    ("api.meetings_index", "GET"): (READ, None),
    # issue 17: the meeting cycle's API; private business is tested in
    # tests/api/test_meeting_cycle_api.py
    ("api.meeting_cycle_papers", "GET"): (READ, None),
    ("api.meeting_cycle_add_paper", "POST"): (COMMITTEE, None),
    ("api.meeting_cycle_paper", "GET"): (READ, None),
    ("api.meeting_cycle_paper_file", "GET"): (READ, None),
    ("api.meeting_cycle_publish", "POST"): (COMMITTEE, None),
    ("api.meeting_cycle_report", "GET"): (READ, None),
    ("api.meeting_cycle_save_report", "PUT"): (COMMITTEE, HIDDEN),  # a draft is private
    ("api.meeting_cycle_approve_report", "POST"): (READ, None),  # the chair: tested there
    ("api.meeting_cycle_chairs_actions", "GET"): (READ, None),
    ("api.meeting_cycle_add_chairs_action", "POST"): (COMMITTEE, None),  # and the chair
    ("api.meeting_cycle_decisions", "GET"): (READ, None),
    ("api.meetings_create", "POST"): (COMMITTEE, None),
    ("api.meetings_detail", "GET"): (READ, None),
    ("api.meetings_items", "GET"): (READ, None),
    ("api.meetings_add_item", "POST"): (COMMITTEE, None),
    ("api.meetings_attendance", "GET"): (READ, None),
    ("api.meetings_record_attendance", "PUT"): (COMMITTEE, None),
    ("api.meetings_declarations", "GET"): (READ, None),
    ("api.meetings_add_declaration", "POST"): (COMMITTEE, None),
    ("api.meetings_quoracy", "GET"): (READ, None),
    ("api.meetings_item_quoracy", "GET"): (READ, None),
    ("api.meetings_votes", "GET"): (READ, None),
    ("api.meetings_vote", "POST"): (COMMITTEE, None),
    ("api.meetings_update", "PATCH"): (COMMITTEE, None),
    ("api.meetings_update_item", "PATCH"): (COMMITTEE, None),
    ("api.meetings_officers", "GET"): (READ, None),
    ("api.meetings_add_officer", "POST"): (COMMITTEE, None),
    ("api.meetings_officer_status", "PUT"): (COMMITTEE, None),
    ("api.meetings_consensus", "POST"): (COMMITTEE, None),
    ("api.meetings_minutes", "PUT"): (COMMITTEE, None),
    ("api.meetings_approve_minutes", "POST"): (COMMITTEE, None),
    ("api.meetings_add_action", "POST"): (COMMITTEE, None),
    ("api.meetings_update_action", "PATCH"): (COMMITTEE, None),
    ("api.meetings_corrections", "GET"): (READ, None),
    ("api.meetings_correct", "POST"): (COMMITTEE, None),
}

#: Values for URL arguments; (endpoint, argument) overrides the plain argument name.
OVERRIDES = {("meetings.update_action", "action_id"): "meeting_action_id",
             ("api.meetings_update_action", "action_id"): "meeting_action_id",
             ("api.meetings_officer_status", "officer_id"): "item_id",  # none: 404 when allowed
             ("meetings.paper", "paper_id"): "item_id",
             ("api.meeting_cycle_paper", "paper_id"): "item_id",
             ("api.meeting_cycle_paper_file", "paper_id"): "item_id",
             ("meetings.action_progress", "action_id"): "meeting_action_id",
             ("reports.export", "what"): "export_what", ("reports.export", "fmt"): "export_fmt",
             ("static", "filename"): "static_file",
             ("meetings.correct_record", "kind"): "correction_kind",
             ("meetings.correct_record", "record_id"): "item_id"}


def _rules(app):
    for rule in app.url_map.iter_rules():
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule, method


def test_every_route_is_in_the_matrix(app):
    missing = sorted(f"{rule.endpoint} {method} {rule.rule}" for rule, method in _rules(app)
                     if (rule.endpoint, method) not in MATRIX)
    assert not missing, ("Routes with no decision on who may use them; add them to MATRIX in "
                         "tests/security/test_route_matrix.py:\n" + "\n".join(missing))
    stale = set(MATRIX) - {(rule.endpoint, method) for rule, method in _rules(app)}
    assert not stale, f"MATRIX names routes that no longer exist: {sorted(stale)}"


@pytest.fixture
def world(baf):
    """The demo committees and meetings; a risk with owner, lead and assignee; a risk of
    someone else; one user per role; a token of the staff user; a failed reminder."""
    from riskapp.auth.models import ApiToken
    from riskapp.committees.models import Committee, TermsOfReference
    from riskapp.meetings.models import AgendaItem, Meeting, MeetingAction
    from riskapp.reminders.models import Reminder
    from riskapp.risks.models import Assurance, Control, Gap

    users = {role: make_user(role) for role in ("secretariat", "board", "risk_manager", "admin")}
    users.update(staff=make_user(), owner=make_user(), lead=make_user(), assignee=make_user())
    ids = {}
    for key, owner, lead, assignee in (("", users["owner"], users["lead"], users["assignee"]),
                                       ("other_", make_user(), make_user(), make_user())):
        risk = make_risk(owner, lead_id=lead.id)
        action = make_action(risk, assignee, target_date=date(2023, 1, 1))
        control = Control(risk=risk, description="c")
        assurance = Assurance(risk=risk, line=1, source="s")
        gap = Gap(risk=risk, kind="control", description="g")
        _db.session.add_all([control, assurance, gap])
        _db.session.flush()
        ids.update({f"{key}reference": risk.reference, f"{key}action_id": action.id,
                    f"{key}control_id": control.id, f"{key}assurance_id": assurance.id,
                    f"{key}gap_id": gap.id})
    from riskapp.committees.calendar import feed_token_for
    feed = feed_token_for(users["staff"])
    token, _ = ApiToken.issue(users["staff"], 30)
    _db.session.add(token)
    committee = _db.session.scalar(select(Committee).join(Committee.terms).join(
        TermsOfReference.requirements).order_by(Committee.id).limit(1))
    tor = next(t for t in committee.terms if t.requirements and t.positions)
    meeting = _db.session.scalar(select(Meeting).join(Meeting.items).order_by(Meeting.id).limit(1))
    item = _db.session.scalar(select(AgendaItem).where(AgendaItem.meeting_id == meeting.id)
                              .limit(1))
    meeting_action = MeetingAction(meeting=meeting, detail="Follow up")
    reminder = Reminder(kind="action_overdue", item_id=1, recipient_id=users["staff"].id,
                        period="2024-05", as_of=date(2024, 5, 1), text="t", status="failed")
    from riskapp.jobs.models import Job
    job = Job(user_id=users["staff"].id, kind="pack", params="{}", key="k", state="done",
              result=b"%PDF-", filename="baf-pack.pdf", mimetype="application/pdf",
              expires_at=datetime.now(timezone.utc) + timedelta(hours=1))
    _db.session.add_all([meeting_action, reminder, job])
    _db.session.flush()
    from riskapp.assurance.services import add_rule
    rule = add_rule({"kind": "controls_covered"}, by=users["risk_manager"], today=date.today())
    member = committee.members[0]
    ids.update(committee_id=committee.id, tor_id=tor.id, position_id=tor.positions[-1].id,
               requirement_id=tor.requirements[-1].id, member_id=member.id,
               meeting_id=meeting.id, item_id=item.id, meeting_action_id=meeting_action.id,
               reminder_id=reminder.id, token_id=token.id, job_id=job.id, user_id=users["staff"].id,
               ref=ids["reference"], export_what="risks", export_fmt="csv",
               static_file="app.css", correction_kind="item", token=feed.token,
               rule_key=rule.rule_key, register_id=risk.register_id)
    _db.session.commit()
    return users, ids


def _url(app, rule, ids, prefix=""):
    values = {}
    for arg in rule.arguments:
        key = OVERRIDES.get((rule.endpoint, arg), arg)
        if key == "reference" or arg == "ref":
            key = "reference"
        values[arg] = ids.get(prefix + key, ids.get(key))
    with app.test_request_context():
        from flask import url_for
        return url_for(rule.endpoint, **values)


def _refused(response, role, api: bool) -> bool:
    if role == "anonymous":
        if api:
            return response.status_code == 401
        return response.status_code == 302 and "/auth/login" in response.location
    return response.status_code == 403


def _answer(client, method, url):
    kwargs = {"json": {}} if url.startswith("/api/") and method != "GET" else {"data": {}}
    response = client.open(url, method=method, **kwargs)
    response.get_data()
    response.close()  # static files are streamed from an open file
    return response


#: Tables a GET may write, and why. Keep this empty but for a reason a board would accept.
GET_MAY_WRITE = {
    # committees.calendar shows the person's feed URL, creating its secret on first view.
    "calendar_feed_tokens",
    # a signed-in session's last-seen time moves on (at most once a minute): not the record.
    "user_sessions",
    # a download of the register counts toward the person's hourly allowance of exports.
    "rate_limit_counters",
}


def _snapshot():
    """Every row of every table, except the refusals a 403 writes to the audit trail."""
    rows = {}
    for table in _db.metadata.sorted_tables:
        if table.name in GET_MAY_WRITE:
            continue
        stmt = select(table)
        if table.name == "audit_entries":
            stmt = stmt.where(table.c.operation != "refused")
        rows[table.name] = sorted(map(repr, _db.session.execute(stmt).all()))
    return rows


def test_every_route_answers_every_role_as_the_matrix_says(app, world):
    users, ids = world
    clients = {}
    for role in ROLES:
        clients[role] = app.test_client()
        if role != "anonymous":
            response = clients[role].post("/auth/login", data={"email": users[role].email,
                                                               "password": PASSWORD})
            assert response.status_code == 302, role
    wrong = []

    def check(rule, method, role, allowed, url, hidden=None):
        api = rule.rule.startswith("/api/")
        response = _answer(clients[role], method, url)
        if role in allowed:
            if _refused(response, role, api) or response.status_code in (401, 403):
                wrong.append(f"{role} refused {method} {url}: {response.status_code}")
        elif hidden and role != "anonymous":
            if response.status_code != hidden:
                wrong.append(f"{role} not {hidden} on {method} {url}: {response.status_code}")
        elif not _refused(response, role, api):
            wrong.append(f"{role} allowed {method} {url}: {response.status_code}")

    rules = list(_rules(app))
    before = _snapshot()
    for rule, method in rules:
        if method != "GET" or (rule.endpoint, method) not in MATRIX:
            continue
        allowed, special = MATRIX[(rule.endpoint, method)]
        for role in ROLES:
            check(rule, method, role, allowed, _url(app, rule, ids),
                  special if special == HIDDEN else None)
            if special == RISK_OBJECT:  # the same route on a risk none of them holds
                check(rule, method, role, allowed - {"owner", "lead", "assignee"},
                      _url(app, rule, ids, "other_"))
    _db.session.expire_all()
    assert _snapshot() == before, "a GET changed the database"

    writes = [(r, m) for r, m in rules if m != "GET" and (r.endpoint, m) in MATRIX
              and r.endpoint != "auth.logout"]
    for rule, method in writes:
        allowed, special = MATRIX[(rule.endpoint, method)]
        hidden = special if special == HIDDEN else None
        # refused roles first, so an allowed role's change cannot hide a missing check
        for role in sorted(ROLES, key=lambda r: r in allowed):
            if special == RISK_OBJECT:
                check(rule, method, role, allowed - {"owner", "lead", "assignee"},
                      _url(app, rule, ids, "other_"))
            check(rule, method, role, allowed, _url(app, rule, ids), hidden)
    for role in ROLES:
        check(app.url_map._rules_by_endpoint["auth.logout"][0], "POST", role,
              MATRIX[("auth.logout", "POST")][0], "/auth/logout")
    assert not wrong, "\n".join(wrong)


def test_refusals_come_before_any_change(app, world):
    """A refused write leaves no trace but the refusal itself."""
    users, ids = world
    client = app.test_client()
    client.post("/auth/login", data={"email": users["board"].email, "password": PASSWORD})
    before = _snapshot()
    for rule, method in _rules(app):
        if method != "GET" and rule.endpoint not in ("auth.logout", "auth.login",
                                                     "auth.password", "auth.tokens") \
                and "board" not in MATRIX.get((rule.endpoint, method), (ALL,))[0]:
            _answer(client, method, _url(app, rule, ids))
    _db.session.expire_all()
    assert _snapshot() == before
    count = _db.session.scalar(text("SELECT count(*) FROM audit_entries WHERE operation = 'refused'"))
    assert count > 20
