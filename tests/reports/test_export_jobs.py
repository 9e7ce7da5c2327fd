"""Large register exports are made off the request (issue 15, finding 1): a small one downloads
at once; a large one is asked for with a button, made by the worker with progress, then
downloaded, one at a time per person. Before the fix a 5,000-risk workbook took 7-16 s of a
web request."""
from __future__ import annotations

import csv
import io

import openpyxl
from sqlalchemy import func, select

from riskapp.auth.models import Role
from riskapp.jobs.models import Job
from tests.factories import make_action, make_register, make_risk, make_user


def _register_of(rows: int):
    owner = make_user(Role.BOARD, name="Olive Owner")
    register = make_register()
    for n in range(rows):
        risk = make_risk(owner, register=register, title=f"Risk number {n + 1}")
        make_action(risk, owner, detail=f"Action for risk {n + 1}")
    return owner, register


def test_a_small_export_downloads_at_once(client, auth, db, app):
    owner, register = _register_of(3)
    db.session.commit()
    auth.login(owner)
    response = client.get(f"/reports/export/risks.csv?register={register.id}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert db.session.scalar(select(func.count(Job.id))) == 0


def test_a_large_export_is_a_job_with_progress_then_the_download(client, auth, db, app):
    app.config["EXPORT_AT_ONCE_ROWS"] = 5
    owner, register = _register_of(4)  # 4 risks + 4 actions: 8 rows, more than 5
    db.session.commit()
    auth.login(owner)
    url = f"/reports/export/register.xlsx?register={register.id}"
    page = client.get(url)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and page.mimetype == "text/html"
    assert "8 rows" in text and "Make the file" in text and "made in the background" in text
    asked = client.post(url)
    assert asked.status_code == 302 and "/jobs/" in asked.headers["Location"]
    job_page = client.get(asked.headers["Location"]).get_data(as_text=True)
    assert "Your register export is ready" in job_page and "Back to reports" in job_page
    job = db.session.scalar(select(Job))
    assert job.kind == "register"
    download = client.get(f"/jobs/{job.id}/download")
    assert download.status_code == 200 and download.data.startswith(b"PK")
    book = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True)
    assert book.sheetnames == ["Risks", "Actions"]
    titles = sorted(row[2] for row in book["Risks"].iter_rows(min_row=2, values_only=True))
    assert titles == [f"Risk number {n}" for n in range(1, 5)]
    assert len(list(book["Actions"].iter_rows(min_row=2, values_only=True))) == 4
    book.close()
    # The same as the page would have given at once.
    app.config["EXPORT_AT_ONCE_ROWS"] = 1_000
    direct = client.get(url)
    assert direct.mimetype.endswith("spreadsheetml.sheet")
    assert download.headers["Content-Disposition"] == direct.headers["Content-Disposition"]


def test_a_large_csv_export_as_at_a_past_day_is_a_job_too(client, auth, db, app):
    app.config["EXPORT_AT_ONCE_ROWS"] = 1
    owner, register = _register_of(2)
    db.session.commit()
    auth.login(owner)
    asked = client.post(f"/reports/export/actions.csv?register={register.id}")
    job = db.session.scalar(select(Job))
    assert asked.status_code == 302 and job.kind == "register"
    body = client.get(f"/jobs/{job.id}/download").get_data(as_text=True).lstrip("\ufeff")
    rows = list(csv.reader(io.StringIO(body)))
    assert len(rows) == 3 and any("Action for risk 1" in cell for cell in rows[1] + rows[2])


def test_one_export_under_way_per_person(client, auth, db, app, tmp_path):
    app.config["EXPORT_AT_ONCE_ROWS"] = 1
    owner, register = _register_of(2)
    db.session.commit()
    app.config["JOBS_RUN_AT_ONCE"] = False  # nothing runs: the first stays queued
    app.config["TASK_QUEUE_URL"] = f"sqlite:///{tmp_path / 'tasks.sqlite'}"
    try:
        auth.login(owner)
        first = client.post("/reports/export/register.xlsx").headers["Location"]
        page = client.get(first).get_data(as_text=True)
        assert "is being made" in page and "<progress" in page
        other = client.post(f"/reports/export/risks.csv?register={register.id}")
        assert other.headers["Location"] == first  # shown the one under way
        assert "still being made" in client.get(first).get_data(as_text=True)
        assert db.session.scalar(select(func.count(Job.id))) == 1
    finally:
        app.config["JOBS_RUN_AT_ONCE"] = True
