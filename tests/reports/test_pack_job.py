"""The BAF pack is made off the request (issue 15): asked for, progress, then downloaded."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from riskapp.auth.models import Role
from riskapp.extensions import db
from riskapp.jobs.models import Job
from tests.factories import make_risk, make_user


def _ask(client, **form):
    return client.post("/reports/baf.pdf", data=form)


def test_asking_for_the_pack_makes_a_job_whose_page_offers_the_download(client, auth, db):
    owner = make_user(Role.BOARD)
    make_risk(owner, title="Elective recovery")
    auth.login(owner)
    asked = _ask(client)
    assert asked.status_code == 302
    page_url = asked.headers["Location"]
    page = client.get(page_url).get_data(as_text=True)
    assert "Your BAF pack is ready" in page and "kept for a day" in page
    job = db.session.scalar(select(Job))
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200 and download.mimetype == "application/pdf"
    assert download.data.startswith(b"%PDF")
    assert "attachment" in download.headers["Content-Disposition"]


def test_the_same_request_for_the_same_data_reuses_the_result(client, auth, db):
    owner = make_user(Role.BOARD)
    make_risk(owner)
    auth.login(owner)
    first = _ask(client).headers["Location"]
    again = _ask(client).headers["Location"]
    assert first == again
    assert db.session.scalar(select(func.count(Job.id))) == 1
    make_risk(owner, title="A new risk")  # the data changed: a new pack
    db.session.commit()
    assert _ask(client).headers["Location"] != first


def test_one_running_job_of_a_kind_per_person(client, auth, db, app):
    owner = make_user(Role.BOARD)
    make_risk(owner)
    app.config["JOBS_RUN_AT_ONCE"] = False  # nothing runs: the first stays queued
    app.config["TASK_QUEUE_URL"] = f"sqlite:///{app.instance_path}/test-tasks.sqlite"
    try:
        auth.login(owner)
        first = _ask(client).headers["Location"]
        page = client.get(first).get_data(as_text=True)
        assert "is being made" in page and 'http-equiv="refresh"' in page and "<progress" in page
        other = _ask(client, fy="2023")
        assert other.headers["Location"] == first  # shown the one under way
        assert "still being made" in client.get(first).get_data(as_text=True)
        assert db.session.scalar(select(func.count(Job.id))) == 1
    finally:
        app.config["JOBS_RUN_AT_ONCE"] = True


def test_someone_elses_job_is_not_found_and_old_results_are_let_go(client, auth, db):
    from riskapp.auth.models import utcnow
    from riskapp.jobs.services import let_go_of_old_results
    owner = make_user(Role.BOARD)
    make_risk(owner)
    auth.login(owner)
    _ask(client)
    job = db.session.scalar(select(Job))
    auth.logout()
    auth.login(make_user(Role.BOARD))
    assert client.get(f"/jobs/{job.id}").status_code == 404
    assert client.get(f"/jobs/{job.id}/download").status_code == 404
    job.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    assert let_go_of_old_results() == 1
    auth.logout()
    auth.login(owner)
    assert "no longer kept" in client.get(f"/jobs/{job.id}").get_data(as_text=True)
