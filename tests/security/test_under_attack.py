"""Issue 15: each finding of the attack, load and fault review, with the test that shows it fixed.

Every test here failed on the code before the fix (the finding's number is in its name).
"""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from riskapp.auth.models import Role
from riskapp.extensions import db
from tests import factories
from tests.committees.conftest import members, pccac, people  # noqa: F401 (fixtures)

LONDON = ZoneInfo("Europe/London")


# --- 6. Formula injection in every CSV --------------------------------------------------------

def test_6_attendance_csv_names_are_inert(client, auth, pccac, people):
    from riskapp.committees import services as committee_services
    from riskapp.meetings import services as meeting_services
    committee_services.add_member(pccac, dict(
        person_name='=HYPERLINK("http://evil.example","x")',
        positions=[pccac.members[0].positions[0]], appointed_on=date(2020, 1, 1)))
    meeting_services.create_meeting(pccac, dict(starts_at=datetime(2024, 5, 16, 10, tzinfo=LONDON),
                                                location="Room 1", status="Held"))
    auth.login(people[Role.BOARD])
    body = client.get(f"/committees/{pccac.id}/attendance?fy=2024&format=csv")
    rows = list(csv.reader(io.StringIO(body.get_data(as_text=True).lstrip("\ufeff"))))
    names = [row[0] for row in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example\",\"x\")" in names
    assert not any(name.lstrip().startswith(("=", "+", "-", "@")) for name in names)


@pytest.mark.parametrize("title", [" =1+1", "\n=1+1", "\xa0=1+1"])
def test_6_risk_csv_catches_formulas_after_leading_whitespace(client, auth, app, title):
    owner = factories.make_user(Role.RISK_MANAGER)
    factories.make_risk(owner, title=title)
    auth.login(owner)
    body = client.get("/reports/export/risks.csv").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][2] == "'" + title


# --- 4. Sign-in takes the same work whether or not the account exists -------------------------

@pytest.mark.parametrize("who", ["unknown", "inactive", "known"])
def test_4_a_password_hash_is_checked_for_every_sign_in(client, db, monkeypatch, who):
    import werkzeug.security

    from riskapp.auth import models
    checked = []
    real = werkzeug.security.check_password_hash

    def counting(pwhash, password):
        checked.append(password)
        return real(pwhash, password)
    monkeypatch.setattr(werkzeug.security, "check_password_hash", counting)
    monkeypatch.setattr(models, "check_password_hash", counting)
    user = factories.make_user(active=(who != "inactive"))
    db.session.commit()
    email = "nobody@example.org" if who == "unknown" else user.email
    response = client.post("/auth/login", data={"email": email, "password": "wrong guess 123"})
    assert response.status_code == 422
    assert checked == ["wrong guess 123"]


# --- 5. Administrator-set passwords, the secret key, limits across workers --------------------

def test_5_a_password_an_administrator_sets_follows_the_policy(client, auth, db):
    from riskapp.auth.models import User
    admin = factories.make_user(Role.ADMIN)
    someone = factories.make_user()
    before = someone.password_hash
    auth.login(admin)
    page = client.post(f"/admin/users/{someone.id}", data={
        "name": someone.name, "email": someone.email, "role": "staff", "active": "y",
        "password": "password1234"})
    assert page.status_code == 422
    assert "This password is too common" in page.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, someone.id).password_hash == before
    new = client.post("/admin/users/new", data={
        "name": "Pat New", "email": "pat@example.org", "role": "staff", "active": "y",
        "password": "password1234"})
    assert new.status_code == 422
    assert db.session.scalar(select(func.count()).select_from(User)
                             .where(User.email == "pat@example.org")) == 0


def test_5_an_administrator_setting_a_password_ends_that_persons_tokens(client, auth, db):
    from riskapp.auth import services
    from riskapp.auth.models import ApiToken
    admin = factories.make_user(Role.ADMIN)
    someone = factories.make_user()
    token, _ = services.issue_token(someone, 30)
    auth.login(admin)
    response = client.post(f"/admin/users/{someone.id}", data={
        "name": someone.name, "email": someone.email, "role": "staff", "active": "y",
        "password": "a brand new long passphrase"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ApiToken, token.id).revoked_at is not None


def test_5_a_short_secret_key_stops_the_app_starting(monkeypatch, tmp_path):
    from riskapp import create_app
    from riskapp.config import WeakSecretKey
    monkeypatch.setenv("SECRET_KEY", "a")
    with pytest.raises(WeakSecretKey, match="at least 32"):
        create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/x.sqlite"})


WORKER = """
import sys
from riskapp import create_app
from riskapp.extensions import db
app = create_app({"TESTING": True, "SECRET_KEY": "x" * 32, "SQLALCHEMY_DATABASE_URI": sys.argv[1],
                  "WTF_CSRF_ENABLED": False, "RATELIMIT_LOGIN": "3 per minute"})
with app.app_context():
    db.create_all()
client = app.test_client()
print(" ".join(str(client.post("/auth/login", data={"email": f"{sys.argv[2]}{n}@example.org",
                                                    "password": "x"}).status_code)
               for n in range(2)))
"""


@pytest.mark.sqlite_only
def test_5_the_sign_in_limit_is_shared_by_every_worker(tmp_path):
    """Two processes on one database are two workers: together they get the one limit."""
    import subprocess
    import sys
    url = f"sqlite:///{tmp_path}/shared.sqlite"
    codes = [subprocess.run([sys.executable, "-c", WORKER, url, worker], check=True,
                            capture_output=True, text=True).stdout.split()
             for worker in ("a", "b")]
    assert codes == [["422", "422"], ["422", "429"]]


# --- 7. Numbers from the address or a form: 400/404 with a message, never a 500 ---------------

HUGE = "99999999999999999999"


OUT_OF_RANGE = [
    ("/committees/{c}/attendance?fy=-1", 400, "The financial year must be a whole number"),
    ("/committees/{c}/attendance?fy=10000", 400, "from 2,000 to 2,100"),
    ("/committees/{c}/attendance?fy=10000&format=csv", 400, "The financial year"),
    ("/committees/{c}/attendance.pdf?fy=10000", 400, "The financial year"),
    ("/api/v1/committees/{c}/attendance-report?fy=10000", 400,
     "fy must be a whole number from 2,000 to 2,100"),
    ("/risks/?page=" + HUGE, 200, ""),  # a page number past the end: the last page
    ("/meetings/?page=" + HUGE, 200, "Meetings"),
    ("/committees/{c}?meetings=" + HUGE, 200, "Meetings"),
    ("/actions/mine?assigned_page=" + HUGE, 200, ""),
    ("/risks/movement?register=" + HUGE, 400, "The register"),
    ("/risks/movement?fy=10000", 400, "The financial year"),
    ("/reports/export/risks.csv?register=" + HUGE, 400, "The register"),
    ("/meetings/new?committee_id=" + HUGE, 400, "The committee"),
    ("/meetings/interests?committee_id=" + HUGE, 400, "The committee"),
    ("/committees/" + HUGE, 404, ""),
    ("/meetings/" + HUGE, 404, ""),
    ("/api/v1/committees/" + HUGE, 404, ""),
    ("/api/v1/meetings?committee_id=" + HUGE, 400, "committee_id must be a whole number"),
    ("/api/v1/risks?register=" + HUGE, 400, "register must be an id"),
    ("/api/v1/risks?owner=" + HUGE, 400, "owner must be an id"),
]


def test_7_numbers_out_of_range_are_refused_with_a_message(client, auth, pccac, people):
    auth.login(people[Role.ADMIN])
    answers = {}
    for path, status, message in OUT_OF_RANGE:
        response = client.get(path.format(c=pccac.id))
        answers[path] = (response.status_code, message in response.get_data(as_text=True))
    assert answers == {path: (status, True) for path, status, _ in OUT_OF_RANGE}


def test_7_impossible_filter_ids_are_ignored(client, auth, pccac, people):
    auth.login(people[Role.ADMIN])
    for path in ("/risks/?register={h}&owner={h}&committee={h}",
                 "/reports/heatmap?register={h}&owner={h}&committee={h}",
                 "/reports/pack?register={h}&owner={h}"):
        assert client.get(path.format(h=HUGE)).status_code == 200, path


def test_7_next_with_a_line_break_goes_home(client, db):
    user = factories.make_user()
    db.session.commit()
    response = client.post("/auth/login?next=/risks/%0d%0aSet-Cookie:%20planted=1",
                           data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "planted" not in response.headers.get("Set-Cookie", "")


def test_7_deeply_nested_json_is_a_400(client, auth, pccac, people):
    auth.login(people[Role.SECRETARIAT])
    body = "[" * 100_000 + "]" * 100_000
    response = client.post(f"/api/v1/committees/{pccac.id}/quoracy-check", data=body,
                           content_type="application/json")
    assert response.status_code == 400
    assert "JSON" in response.get_json()["error"] + response.get_json().get("message", "")


def test_7_a_hand_edited_next_meeting_is_ignored(client, auth, pccac, people):
    from riskapp.meetings import services as meeting_services
    from riskapp.meetings.models import MeetingAction
    meeting = meeting_services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 5, 16, 10, tzinfo=LONDON), location="Room 1", status="Held"))
    action = MeetingAction(meeting=meeting, detail="Write to the provider", status="Open")
    db.session.add(action)
    db.session.flush()
    auth.login(people[Role.SECRETARIAT])
    response = client.post(f"/meetings/actions/{action.id}",
                           data={"status": "Completed", "next_meeting": "abc"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/meetings/{meeting.id}#actions")


# --- 8. The Host header is never trusted --------------------------------------------------------

def test_8_an_unknown_host_is_refused_and_feeds_use_the_base_url(client, auth, app, pccac,
                                                                 people):
    from riskapp.committees.calendar import feed_token_for
    from riskapp.meetings import services as meeting_services
    meeting_services.create_meeting(pccac, dict(starts_at=datetime(2030, 5, 16, 10, tzinfo=LONDON),
                                                location="Room 1", status="Planned"))
    token = feed_token_for(people[Role.BOARD]).token
    auth.login(people[Role.BOARD])
    evil = client.get("/committees/calendar", headers={"Host": "evil.example"})
    assert evil.status_code == 400
    feed = client.get(f"/committees/calendar/{token}.ics", headers={"Host": "evil.example"})
    assert feed.status_code == 400
    base = app.config["BASE_URL"].rstrip("/")
    feed = client.get(f"/committees/{pccac.id}/calendar/{token}.ics").get_data(as_text=True)
    assert f"URL:{base}/meetings/" in feed.replace("\r\n ", "")
    page = client.get("/committees/calendar").get_data(as_text=True)
    assert f"{base}/committees/calendar/{token}.ics" in page


# --- 13. Error pages never touch the database ---------------------------------------------------

def test_13_with_the_database_down_the_error_page_still_comes_with_its_id_and_headers(tmp_path):
    from riskapp import create_app
    from riskapp.auth.views import SESSION_KEY
    # Nothing listens on port 1: every query fails as if PostgreSQL were down.
    app = create_app({"TESTING": True, "ERROR_PAGES_IN_TESTS": True, "SECRET_KEY": "x" * 32,
                      "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://riskapp@127.0.0.1:1/x",
                      "SQLALCHEMY_ENGINE_OPTIONS": {"connect_args": {"connect_timeout": 2}},
                      "PROPAGATE_EXCEPTIONS": False})
    client = app.test_client()
    with client.session_transaction() as session:
        # A signed-in person (their id and their session's key): finding them needs the database.
        session["_user_id"] = "1:nonce"
        session[SESSION_KEY] = "a-session-key"
        session["_fresh"] = True
    for path in ("/risks/", "/api/v1/risks"):
        response = client.get(path, headers={"X-Request-ID": "trace-me-12345"})
        assert response.status_code == 500, path
        assert response.headers["X-Request-ID"] == "trace-me-12345"
        assert "default-src 'self'" in response.headers["Content-Security-Policy"]
        assert response.headers["X-Frame-Options"] == "DENY"
        if path == "/risks/":
            page = response.get_data(as_text=True)
            assert "Sorry, there is a problem with the service" in page
            assert "trace-me-12345" in page


# --- 11. A double-clicked attendance mark -------------------------------------------------------

def test_11_a_second_first_mark_changes_the_row_the_first_saved(pccac, members, monkeypatch):
    from riskapp.meetings import services as meeting_services
    from riskapp.meetings.models import Attendance
    meeting = meeting_services.create_meeting(pccac, dict(
        starts_at=datetime(2024, 5, 16, 10, tzinfo=LONDON), location="Room 1", status="Held"))
    member = next(iter(members.values()))
    meeting_services.record_attendance(meeting, member, dict(status="present"))
    db.session.commit()
    # The second click's request read "no row yet" before the first one's was saved.
    monkeypatch.setattr(meeting_services, "attendance_of", lambda meeting: {})
    meeting_services.record_attendance(meeting, member, dict(status="remote"))
    db.session.commit()
    rows = db.session.scalars(select(Attendance).where(Attendance.meeting_id == meeting.id,
                                                       Attendance.member_id == member.id)).all()
    assert [row.status for row in rows] == ["remote"]


# --- 9. "private": "false" is not true ----------------------------------------------------------

def test_9_a_string_false_is_refused_not_read_as_true(client, auth, pccac, people):
    from riskapp.meetings import services as meeting_services
    meeting = meeting_services.create_meeting(pccac, dict(
        starts_at=datetime(2030, 5, 16, 10, tzinfo=LONDON), location="Room 1", status="Planned"))
    auth.login(people[Role.SECRETARIAT])
    response = client.post(f"/api/v1/meetings/{meeting.id}/items", json={
        "number": "1", "title": "Minutes", "private": "false"})
    assert response.status_code == 400


# --- 14. A digest keeps its Message-ID when it is sent again ------------------------------------

def test_14_a_digest_sent_again_keeps_its_message_id(app):
    from riskapp.reminders.outbox import build_digest
    from riskapp.reminders.services import Pending

    def pending(id, item_id):
        return Pending(id=id, kind="risk_action_overdue", item_id=item_id, recipient_id=7,
                       period="2024-05", as_of=date(2024, 5, 1), text=f"Action {item_id}",
                       note="", due_date=date(2024, 4, 30), escalated=False,
                       link="http://127.0.0.1:5000/actions/mine", attempts=0,
                       recipient_name="Olive Owner", recipient_email="olive@example.org",
                       recipient_active=True)
    rows = [pending(1, 10), pending(2, 11)]
    first = build_digest(rows, "riskapp@example.nhs.uk")
    retry = build_digest(list(reversed(rows)), "riskapp@example.nhs.uk")
    assert first.message_id == retry.message_id
    assert f"Message-ID: {first.message_id}".encode() in retry.data
    other = build_digest([pending(3, 12)], "riskapp@example.nhs.uk")
    assert other.message_id != first.message_id


# --- 10. Changing only a risk's committees is a new version, on the audit trail ----------------

def test_10_a_committee_only_change_bumps_the_version_and_is_audited(pccac):
    from riskapp.committees.models import Committee
    from riskapp.record import trail as record_trail
    from riskapp.risks import services as risk_services
    owner = factories.make_user(Role.RISK_MANAGER)
    risk = factories.make_risk(owner)
    db.session.commit()
    before = risk.version
    other = db.session.scalar(select(Committee).where(Committee.id != pccac.id))
    risk_services.update_risk(risk, {}, seen_version=before, committees=[pccac, other])
    db.session.commit()
    assert risk.version == before + 1
    links = [e.record for e in record_trail.risk_trail(risk.id)
             if e.kind == "committee" and e.change == "Added"]
    assert f'Committee "{pccac.name}"' in links and f'Committee "{other.name}"' in links
    with pytest.raises(risk_services.StaleEdit):  # the page opened before that save
        risk_services.update_risk(risk, {}, seen_version=before, committees=[])
