"""Back-dated reviews (form and API) and the API as at a past day (issue 14)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.risks.models import Risk, ScoreRecord

from .. import factories


def _login(auth, role=Role.RISK_MANAGER):
    user = factories.make_user(role)
    auth.login(user)
    return user


def test_a_review_held_on_10_dec_2023_shows_dec_and_jan_in_the_23_24_movement(baf, client,
                                                                               auth):
    _login(auth)
    r = client.post("/api/v1/risks/BAF0006/reviews", json={
        "consequence": 4, "likelihood": 4, "rationale": "Monthly BAF review",
        "held_on": "2023-12-10"})
    assert r.status_code == 201, r.get_json()
    body = r.get_json()
    assert body["held_on"] == "2023-12-10" and body["score"] == 16
    assert body["correction"] is False
    months = {m["month"]: m for m in client.get(
        "/api/v1/risks/BAF0006/movement?fy=2023").get_json()["months"]}
    assert (months["2023-11"]["score"], months["2023-11"]["reviewed"]) == (20, True)
    assert (months["2023-12"]["score"], months["2023-12"]["reviewed"]) == (16, True)
    assert (months["2024-01"]["score"], months["2024-01"]["reviewed"]) == (16, False)


def test_review_dates_refused_with_the_field_and_reason(baf, client, auth):
    _login(auth)
    future = (date.today() + timedelta(days=1)).isoformat()
    cases = [
        ({"held_on": future}, "held_on", "today or in the past"),
        ({"held_on": "2023-02-01"}, "held_on", "on or after the date the risk was opened"),
        ({"held_on": "2023-13-45"}, "held_on", "YYYY-MM-DD"),
        ({"held_on": "2023-11-01"}, "held_on", "correcting"),
        ({"held_on": "2023-12-10", "rationale": ""}, "rationale", ""),
    ]
    for extra, field, words in cases:
        r = client.post("/api/v1/risks/BAF0006/reviews", json={
            "consequence": 4, "likelihood": 4, "rationale": "Review", **extra})
        assert r.status_code == 400, (extra, r.get_json())
        assert r.get_json()["field"] == field and words in r.get_json()["error"]
    assert db.session.scalar(select(ScoreRecord).where(
        ScoreRecord.rationale == "Review")) is None


def test_a_correction_of_history_is_recorded_as_one_and_leaves_the_current_score(baf, client,
                                                                               auth):
    _login(auth)
    r = client.post("/api/v1/risks/BAF0006/reviews", json={
        "no_change": True, "rationale": "Missed review", "held_on": "2023-11-01",
        "correcting": True})
    assert r.status_code == 201 and r.get_json()["correction"] is True
    risk = db.session.scalar(select(Risk).where(Risk.reference == "BAF0006"))
    assert risk.current_score == 20


def test_a_stale_version_is_409(baf, client, auth):
    _login(auth)
    r = client.post("/api/v1/risks/BAF0006/reviews", json={
        "consequence": 4, "likelihood": 4, "rationale": "Review", "held_on": "2023-12-10",
        "version": 0})
    assert r.status_code == 409


def test_the_review_form_takes_the_date_held_and_keeps_what_was_typed(baf, client, auth):
    _login(auth)
    r = client.post("/risks/BAF0006/review", data={
        "consequence": "4", "likelihood": "4", "rationale": "Held last Tuesday",
        "held_on-day": "1", "held_on-month": "11", "held_on-year": "2023", "version": "1"})
    page = r.get_data(as_text=True)
    assert r.status_code == 422 and "Confirm that you are correcting" in page
    assert "Held last Tuesday" in page and 'name="correcting"' in page
    r = client.post("/risks/BAF0006/review", data={
        "consequence": "4", "likelihood": "4", "rationale": "Held on 10 Dec",
        "held_on-day": "10", "held_on-month": "12", "held_on-year": "2023", "version": "1"},
        follow_redirects=True)
    assert "recorded as held on 10 Dec 2023" in r.get_data(as_text=True)


def test_the_api_answers_as_at_a_past_day(baf, client, auth):
    _login(auth)
    client.post("/api/v1/risks/BAF0006/reviews", json={
        "consequence": 4, "likelihood": 4, "rationale": "Review", "held_on": "2023-12-10"})
    then = client.get("/api/v1/risks?as_of=2023-11-29&per_page=200").get_json()
    assert then["total"] == 11
    baf6 = next(r for r in then["items"] if r["ref"] == "BAF0006")
    assert baf6["current"]["score"] == 20 and baf6["as_of"] == "2023-11-29"
    detail = client.get("/api/v1/risks/BAF0006?as_of=2023-11-29").get_json()
    assert len(detail["actions"]) == 1 and detail["actions"][0]["status"] == "In Progress"
    assert then["items"][0]["first_recorded_on"] is None  # held then
    # Before riskapp held it: as first recorded, by its business dates, and said so.
    may = client.get("/api/v1/risks?as_of=2023-05-31&per_page=200").get_json()
    assert [r["ref"] for r in may["items"]] == [f"BAF{n:04d}" for n in range(1, 10)]
    assert {r["first_recorded_on"] for r in may["items"]} == {"2023-11-29"}
    baf6 = next(r for r in may["items"] if r["ref"] == "BAF0006")
    assert baf6["current"]["score"] == 15
    assert client.get("/api/v1/risks/BAF0011?as_of=2023-05-31").status_code == 404
    assert client.get("/api/v1/risks/BAF0006?as_of=2023-04-14").status_code == 404
    r = client.get("/api/v1/risks?as_of=2023-04-14")
    assert r.status_code == 400 and r.get_json()["field"] == "as_of"
    assert client.get("/api/v1/risks/BAF0006").get_json()["current"]["score"] == 16
