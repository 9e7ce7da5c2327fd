"""The meetings list and its API come a page at a time (issue 9: 2,000 meetings)."""
from __future__ import annotations

import re

from sqlalchemy import func, select

from riskapp.auth.models import User
from riskapp.demo.loader import DEMO_PASSWORD
from riskapp.demo.scale import build_scale
from riskapp.meetings import views as meeting_views
from riskapp.meetings.models import Meeting


def _scaled(db):
    build_scale(50, seed=2)
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Meeting))


def test_meetings_list_pages_newest_first_and_every_meeting_is_on_one_page(
        app, db, client, auth, monkeypatch):
    total = _scaled(db)
    monkeypatch.setattr(meeting_views, "MEETINGS_PER_PAGE", 7)
    auth.login(db.session.scalar(User.by_email("secretariat@example.org")), DEMO_PASSWORD)
    seen = []
    pages = -(-total // 7)
    for page in range(1, pages + 1):
        html = client.get(f"/meetings/?page={page}").get_data(as_text=True)
        ids = [int(i) for i in re.findall(r'href="/meetings/(\d+)"', html)]
        assert len(ids) == (7 if page < pages else total - 7 * (pages - 1))
        seen += ids
    newest_first = db.session.scalars(
        select(Meeting.id).order_by(Meeting.starts_at.desc(), Meeting.id.desc()))
    assert seen == list(newest_first)
    assert "Earlier meetings" in client.get("/meetings/?page=1").get_data(as_text=True)


def test_api_meetings_is_paged_with_the_total(app, db, client, auth):
    total = _scaled(db)
    auth.login(db.session.scalar(User.by_email("risk.manager@example.org")), DEMO_PASSWORD)
    first = client.get("/api/v1/meetings?per_page=5").get_json()
    last = client.get(f"/api/v1/meetings?per_page=5&page={-(-total // 5)}").get_json()
    assert (first["total"], first["page"], first["per_page"], len(first["items"])) == \
        (total, 1, 5, 5)
    assert len(last["items"]) == total - 5 * (-(-total // 5) - 1)
    assert client.get("/api/v1/meetings?per_page=500").status_code == 400


def test_api_committees_counts_risks_and_the_committee_lists_them(app, db, client, auth):
    _scaled(db)
    auth.login(db.session.scalar(User.by_email("risk.manager@example.org")), DEMO_PASSWORD)
    listed = {c["id"]: c for c in client.get("/api/v1/committees").get_json()["items"]}
    busiest = max(listed.values(), key=lambda c: c["risk_count"])
    assert busiest["risk_count"] > 5 and "risks" not in busiest
    detail = client.get(f"/api/v1/committees/{busiest['id']}").get_json()
    assert len(detail["risks"]) == detail["risk_count"] == busiest["risk_count"]
