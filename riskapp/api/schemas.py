"""The API's request and response schemas: they validate requests and describe the API.

Numbers are strict (a JSON string "3" is not a number), booleans accept only JSON true/false,
dates are YYYY-MM-DD. Messages are plain English; the field is named beside them.
"""
from __future__ import annotations

from marshmallow import fields, validate

from ..committees.models import (COMMITTEE_KINDS, DEPUTY_POLICIES, FREQUENCIES, MAJORITY_BASES,
                                 POSITION_CATEGORIES)
from ..forms_common import DOCUMENT_LIMIT, LINE_LIMIT, TEXT_LIMIT
from ..risks.queries import SORTS
from .described import Body, Query


def Int(**kwargs):  # noqa: N802 - a field factory, read like the field classes
    """A whole number, and only a JSON number: "3" or 3.5 is refused."""
    return fields.Integer(strict=True, error_messages={
        "invalid": "must be a whole number", "required": "is required",
        "null": "must not be empty"}, **kwargs)


def Bool(**kwargs):  # noqa: N802
    """true or false, and only those: "false" (a string) is refused rather than read as true."""
    return fields.Boolean(truthy={True}, falsy={False}, error_messages={
        "invalid": "must be true or false", "required": "is required"}, **kwargs)


def Str(max_length: int = TEXT_LIMIT, required: bool = False, **kwargs):  # noqa: N802
    """Text of at most `max_length` characters (the forms' limit for a text area by default:
    no free text is unbounded, issue 15)."""
    validators = [validate.Length(min=1 if required else 0, max=max_length, error=(
        f"must be {'1 to ' if required else 'at most '}{max_length:,} characters"))]
    return fields.String(required=required, validate=validators, error_messages={
        "invalid": "must be text", "required": "is required"}, **kwargs)


def Date(**kwargs):  # noqa: N802
    return fields.Date(error_messages={"invalid": "must be a date written YYYY-MM-DD",
                                       "required": "is required (YYYY-MM-DD)"}, **kwargs)


def OneOf(choices, **kwargs):  # noqa: N802
    choices = list(choices)
    return fields.String(validate=validate.OneOf(
        choices, error=f"must be one of: {', '.join(choices)}"),
        error_messages={"required": "is required", "invalid": "must be text"}, **kwargs)


def IntList(**kwargs):  # noqa: N802
    return fields.List(Int(), error_messages={"invalid": "must be a list of ids"}, **kwargs)


def StrList(**kwargs):  # noqa: N802
    return fields.List(Str(max_length=200, required=True),
                       error_messages={"invalid": "must be a list of names"}, **kwargs)


# --- committees --------------------------------------------------------------------------------


class CommitteeIn(Body):
    """A committee: its name, place in the structure, the risks it oversees, its settings."""

    name = Str(200, required=True)
    short_name = Str(30, allow_none=True)
    kind = OneOf(COMMITTEE_KINDS, load_default=COMMITTEE_KINDS[1])
    parent_id = Int(allow_none=True, metadata={"description": "The committee it reports to"})
    risks = StrList(metadata={"description": "References of the risks it oversees"})
    attendance_threshold_percent = Int(allow_none=True,
                                       validate=validate.Range(0, 100, error="must be 0 to 100"))
    papers_deadline_days = Int(allow_none=True, validate=validate.Range(
        0, 30, error="must be 0 to 30 working days"))


class DissolveIn(Body):
    dissolved_on = Date(required=True)


class DraftIn(Body):
    """A new draft version: a copy of the latest version's text and rules."""

    version = Str(20, required=True)


class TermsIn(Body):
    """A draft's text and rules (any of them)."""

    version = Str(20)
    text = Str(DOCUMENT_LIMIT)
    deputy_policy = OneOf(DEPUTY_POLICIES)
    majority_base = OneOf(MAJORITY_BASES)
    voting_rule = Str()
    papers_deadline_days = Int(validate=validate.Range(0, 30, error="must be 0 to 30"))
    attendance_threshold_percent = Int(validate=validate.Range(0, 100,
                                                               error="must be 0 to 100"))
    frequency = OneOf(FREQUENCIES)
    min_voting_members = Int(allow_none=True, validate=validate.Range(1, 50,
                                                                      error="must be 1 to 50"))


class PositionIn(Body):
    name = Str(200, required=True)
    category = OneOf(POSITION_CATEGORIES, load_default="other")
    voting = Bool(load_default=True)
    chair = Bool(load_default=False)
    deputy_chair = Bool(load_default=False)


class RequirementIn(Body):
    label = Str(200, required=True)
    count = Int(load_default=1, validate=validate.Range(1, 20, error="must be 1 to 20"))
    positions = StrList(load_default=list)
    categories = fields.List(OneOf(POSITION_CATEGORIES), load_default=list)


class ApproveIn(Body):
    approved_by = Str(300, required=True)
    approved_on = Date(required=True)
    review_due = Date(required=True)


class MemberIn(Body):
    """A member: a user (user_id) or a person with no login (person_name)."""

    user_id = Int(allow_none=True)
    person_name = Str(200, allow_none=True)
    organisation = Str(200, allow_none=True)
    positions = StrList(required=True)
    appointed_on = Date(required=True)
    term_ends_on = Date(allow_none=True)


class MemberChangeIn(Body):
    positions = StrList()
    organisation = Str(200, allow_none=True)


class RenewIn(Body):
    term_ends_on = Date(required=True)


class EndMemberIn(Body):
    ended_on = Date(required=True)


class DeputyIn(Body):
    for_member = Int(required=True)
    name = Str(200, required=True)


class QuoracyCheckIn(Body):
    present = IntList(load_default=list)
    deputies = fields.List(fields.Nested(DeputyIn), load_default=list)
    excluded = IntList(load_default=list)


# --- meetings ----------------------------------------------------------------------------------


class MeetingIn(Body):
    committee_id = Int(required=True)
    starts_at = fields.String(required=True, metadata={
        "description": "Date and time, e.g. 2024-05-16T10:00 (Europe/London unless an offset "
                       "is given)"})
    location = Str(200)
    remote = Bool()
    has_public_part = Bool()
    has_private_part = Bool()
    status = OneOf(("Planned", "Held", "Cancelled"))


class ItemIn(Body):
    number = Str(20, required=True)
    title = Str(300, required=True)
    presenter = Str(200, allow_none=True)
    private = Bool(load_default=False)
    purpose = OneOf(("decision", "information", "discussion"), load_default="information")
    risks = StrList(load_default=list)


class AttendanceIn(Body):
    status = fields.String(required=True)
    deputy_name = Str(200, allow_none=True)
    arrived_at_item = Int(allow_none=True)
    left_at_item = Int(allow_none=True)


class DeclarationIn(Body):
    member_id = Int(allow_none=True)
    person_name = Str(200, allow_none=True)
    interest = Str(required=True)
    action = fields.String(load_default="noted")
    item_id = Int(allow_none=True)


class BallotIn(Body):
    member_id = Int(required=True)
    choice = OneOf(("for", "against", "abstain"), required=True)


class VoteIn(Body):
    ballots = fields.List(fields.Nested(BallotIn), required=True,
                          validate=validate.Length(min=1, error="must list at least one ballot"))
    casting_vote = fields.String(allow_none=True)
    #: The motion put to the vote, in words; a vote with no motion is refused (issue 17).
    motion = fields.String(required=True, validate=validate.Length(
        min=1, max=TEXT_LIMIT, error=f"enter the motion put to the vote, in at most "
                                     f"{TEXT_LIMIT:,} characters"))


class MeetingUpdateIn(Body):
    """A meeting's details or status (any of them)."""

    starts_at = fields.String(metadata={"description": "Date and time, Europe/London unless an "
                                                       "offset is given"})
    location = Str(200)
    remote = Bool()
    has_public_part = Bool()
    has_private_part = Bool()
    status = OneOf(("Planned", "Held", "Cancelled"))


class ItemUpdateIn(Body):
    number = Str(20)
    title = Str(300)
    presenter = Str(200, allow_none=True)
    private = Bool()
    purpose = Str()
    risks = StrList()


class OfficerIn(Body):
    """An officer in attendance: not a member, never counted for quoracy or votes."""

    name = Str(200, allow_none=True)
    job_title = Str(200, allow_none=True)
    organisation = Str(200, allow_none=True)
    user_id = Int(allow_none=True, metadata={"description": "Their login, if they have one"})
    status = OneOf(("present", "remote", "apologies"), allow_none=True)


class OfficerStatusIn(Body):
    status = OneOf(("present", "remote", "apologies"), allow_none=True, required=True)


class ConsensusIn(Body):
    decision = Str(required=True)


class MinutesIn(Body):
    discussion = Str(DOCUMENT_LIMIT, load_default="")
    decision = Str(load_default="")
    reason = Str(LINE_LIMIT, allow_none=True, metadata={
        "description": "Why approved minutes are corrected (required once approved)"})


class ApproveMinutesIn(Body):
    at_meeting_id = Int(required=True, metadata={
        "description": "The later meeting of the same committee that approved them"})


class CorrectionIn(Body):
    """A correction to a meeting's approved minutes (issue 14): what is corrected, the values
    as corrected, why, and the later meeting of the committee that approved the correction."""

    kind = OneOf(("attendance", "declaration", "item", "decision", "vote", "minutes"),
                 required=True, metadata={"description": (
                     "attendance: a member's attendance; declaration: a declaration of "
                     "interest; item: an agenda item's title or presenter; decision: how an "
                     "item was decided and the decision; vote: a vote's counts and result; "
                     "minutes: an item's minutes text")})
    record_id = Int(required=True, metadata={"description": (
        "The declaration's or vote's id; the item's id for item, decision and minutes; the "
        "member's id for attendance")})
    values = fields.Dict(keys=fields.String(), required=True, error_messages={
        "invalid": "must be an object of the fields corrected and their corrected values",
        "required": "is required"}, metadata={"description": (
            "attendance: status, deputy_name, arrived_at_item, left_at_item (item ids); "
            "declaration: interest, action; item: title, presenter; decision: "
            "decision_method, outcome; vote: votes_for, votes_against, abstentions, carried; "
            "minutes: discussion, decision. Fields not given keep their approved value.")})
    reason = fields.String(required=True, validate=validate.Length(
        min=1, max=2000, error="Give the reason for the correction, in at most 2,000 "
                               "characters"),
        error_messages={"required": "Give the reason for the correction",
                        "null": "Give the reason for the correction",
                        "invalid": "must be text"})
    approved_at_id = Int(required=True, metadata={
        "description": "The later meeting of the same committee that approved the correction"})


class MeetingActionIn(Body):
    detail = Str(required=True)
    assignee_id = Int(allow_none=True)
    due_date = Date(allow_none=True)
    item_id = Int(allow_none=True)


class MeetingActionUpdateIn(Body):
    detail = Str()
    assignee_id = Int(allow_none=True)
    due_date = Date(allow_none=True)
    update = Str(LINE_LIMIT)
    status = fields.String()


# --- queries -----------------------------------------------------------------------------------


def QInt(minimum: int, maximum: int, **kwargs):  # noqa: N802
    """A whole number in the query string ("3"), from `minimum` to `maximum`."""
    return fields.Integer(validate=validate.Range(minimum, maximum, error=(
        f"must be a whole number from {minimum:,} to {maximum:,}")), error_messages={
        "invalid": "must be a whole number", "required": "is required"}, **kwargs)


def QText(description: str, **kwargs):  # noqa: N802
    return fields.String(validate=validate.Length(max=200, error="must be at most 200 "
                                                                  "characters"),
                         metadata={"description": description}, **kwargs)


class PageQuery(Query):
    page = QInt(1, 100000, load_default=1, metadata={"description": "Which page, from 1"})
    per_page = QInt(1, 200, load_default=50, metadata={"description": "Items a page, up to 200"})


class AsOfQuery(Query):
    as_of = Date(metadata={"description": "As riskapp held it at the end of that day "
                                          "(YYYY-MM-DD, not in the future)"})


RISK_STATUSES = ("Open", "Closed", "Archived")


class RiskListQuery(PageQuery, AsOfQuery):
    """The register's filters, as on the register page."""

    register = QText("The register's prefix (BAF) or id")
    status = OneOf(RISK_STATUSES)
    band = QText("A band's name, like High")
    owner = QText("The owner's email address or id")
    lead = QText("The lead's email address or id")
    directorate = QText("A directorate's name or id")
    committee = QText("The name or id of a committee overseeing it")
    q = QText("Words in the reference, title or description")
    above_appetite = OneOf(("0", "1", "true", "false"), metadata={
        "description": "1 or true: only risks scoring above their appetite level"})
    sort = OneOf(tuple(SORTS), load_default="reference")


class MovementQuery(AsOfQuery):
    fy = QInt(2000, 2100, metadata={"description": "The financial year by the year it starts "
                                                   "in: 2023 is April 2023 to March 2024"})


class FinancialYearQuery(Query):
    fy = QInt(2000, 2100, metadata={"description": "The financial year by the year it starts "
                                                   "in (default: this one)"})


class MembersQuery(Query):
    all = OneOf(("0", "1"), load_default="0", metadata={
        "description": "1: former members too, not only those in post today"})


class MeetingListQuery(PageQuery):
    committee_id = QInt(1, 2**31 - 1, metadata={"description": "Only this committee's"})


class AssuranceMapQuery(PageQuery, AsOfQuery):
    register = QText("The register's prefix (BAF) or id", required=True,
                     error_messages={"required": "Give the register, e.g. register=BAF"})


# --- risk reviews (issue 14) ---------------------------------------------------------------------


class ReviewIn(Body):
    """A review of a risk, held on a day (not in the future, not before the risk was opened)."""

    consequence = Int(validate=validate.Range(1, 5, error="must be 1 to 5"))
    likelihood = Int(validate=validate.Range(1, 5, error="must be 1 to 5"))
    no_change = Bool(metadata={"description": "Reviewed, score unchanged: instead of the scores"})
    rationale = Str(max_length=5000, required=True)
    held_on = Date(required=True)
    correcting = Bool(metadata={"description": "Confirms a review held before the latest one "
                                               "recorded: it shows as a correction"})
    version = Int(metadata={"description": "The risk's version the client last read; 409 if "
                                           "it has changed since"})


# --- The meeting cycle (issue 17): papers, publishing, highlight reports, chair's actions ----


class PaperIn(Body):
    """A paper for an agenda item, as JSON: the file's bytes in base64. The file is typed by
    opening it (PDF or Word .docx), never by its name."""

    filename = fields.String(required=True, validate=validate.Length(min=1, max=255),
                             metadata={"description": "The file's name, e.g. finance.pdf"})
    content_base64 = fields.String(required=True, validate=validate.Length(min=1), metadata={
        "description": "The file, base64-encoded (at most RISKAPP_PAPER_MAX_MB once decoded)"})
    title = fields.String(load_default="", validate=validate.Length(max=200), metadata={
        "description": "The title people see; from the file name when empty"})
    replaces = fields.Boolean(load_default=False, metadata={
        "description": "This paper replaces the item's current one (which is kept)"})


class PublishIn(Body):
    """Publish the agenda and the papers received."""

    publish_with_papers_awaited = fields.Boolean(load_default=False, metadata={
        "description": "Publish even though some papers are still awaited (refused with 409 "
                       "and the items awaited otherwise)"})


class HighlightReportIn(Body):
    """The Alert / Advise / Assure report to the parent committee (a draft until the chair
    approves it); at least one part must be written."""

    alert = fields.String(load_default="")
    advise = fields.String(load_default="")
    assure = fields.String(load_default="")


class ChairsActionIn(Body):
    """An urgent decision taken between meetings by the chair (or deputy chair acting)."""

    taken_on = fields.Date(required=True, metadata={"description": "Today or earlier"})
    taken_by_id = Int(required=True, metadata={
        "description": "The user id of the chair or deputy chair who took it"})
    decision = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    reasons = fields.String(required=True, validate=validate.Length(min=1, max=5000))
    consulted = fields.String(load_default="", validate=validate.Length(max=2000))


class ApproveReportIn(Body):
    """The chair's approval: nothing to send but an empty object ({})."""


class DecisionLogQuery(Query):
    """The decision log's filters (issue 17), as on its page."""

    committee_id = QInt(1, 2**31 - 1, metadata={"description": "Only this committee's"})
    q = QText("Words in the item's title, motion or decision")
    since = Date(data_key="from", metadata={"description": "Meetings from this day"})
    until = Date(data_key="to", metadata={"description": "Meetings up to this day"})
    risk = QText("A risk discussed, by reference (e.g. BAF0001)")
