"""A job's page (progress, then the download) and the download itself."""
from __future__ import annotations

import io
import json

from flask import (abort, current_app, flash, jsonify, redirect, render_template, send_file,
                   url_for)
from flask_login import current_user, login_required

from ..auth.models import utcnow
from ..extensions import db
from ..ratelimits import count_this_request
from . import bp, queue, services
from .models import DONE, FAILED, Job


def start(kind: str, params: dict, upload: bytes | None = None):
    """Ask for `kind` with `params` for the person signed in; answer with its page."""
    job, what = services.request_job(current_user._get_current_object(), kind, params,
                                     upload=upload)
    db.session.commit()
    label = services.KIND_LABELS[kind]
    if what == "start":
        count_this_request()  # new work: it counts toward the person's limit
        queue.enqueue(current_app, job.id)
    elif what == "busy":
        if kind == "import":
            flash("Your import below is still under way. When it has finished you can start "
                  "another.", "info")
        else:
            flash(f"Your {label} below is still being made. When it is ready you can ask for "
                  f"another.", "info")
    return redirect(url_for("jobs.show", job_id=job.id))


def _kept(job: Job) -> bool:
    """The result is still there and less than a day old."""
    expires = services._aware(job.expires_at)
    return job.result is not None and expires is not None and expires > utcnow()


def _mine(job_id: int) -> Job:
    job = db.get_or_404(Job, job_id)
    if job.user_id != current_user.id:
        abort(404)  # someone else's file: not even its existence is told
    return job


@bp.route("/<int:job_id>")
@login_required
def show(job_id: int):
    job = _mine(job_id)
    expired = job.state == DONE and not _kept(job)
    if job.kind == "cover" and job.state == DONE and not expired:
        # The cover paper's draft is read on its own page, with the Word download.
        return redirect(url_for("reports.cover_draft", job_id=job.id))
    if job.kind == "import" and job.state == DONE:
        return redirect(url_for("reports.import_result", job_id=job.id))  # preview or outcome
    return render_template("jobs/show.html", job=job, label=services.KIND_LABELS[job.kind],
                           expired=expired, waiting=job.state not in (DONE, FAILED),
                           back=_back(job), doing=_doing(job))


def _doing(job: Job) -> str:
    """What is happening to it while the person waits, in words."""
    if job.kind != "import":
        return "being made"
    return "being saved" if json.loads(job.params).get("step") == "apply" else "being checked"


def _back(job: Job) -> tuple[str, str] | None:
    """Where the person asked for it from: (address, link text)."""
    if job.kind == "pack":
        return url_for("reports.pack_options"), "Back to the BAF pack options"
    if job.kind == "register":
        return url_for("reports.index"), "Back to reports"
    if job.kind == "cover":
        from ..reports.cover_views import cover_args
        return (url_for("reports.cover_page", **cover_args(json.loads(job.params))),
                "Back to the cover paper options")
    if job.kind == "import":
        check = json.loads(job.params).get("check")
        if check:  # saving a checked file: back to its check, to try again
            return url_for("reports.import_result", job_id=check), "Back to the check of the file"
        return url_for("reports.import_upload"), "Back to import risks and actions"
    if job.kind == "agenda_pack":
        meeting_id = json.loads(job.params).get("meeting")
        return url_for("meetings.detail", meeting_id=meeting_id), "Back to the meeting"
    return None


@bp.route("/<int:job_id>/progress")
@login_required
def progress(job_id: int):
    """How far the job has got, for its page to follow without reloading (static/job.js)."""
    job = _mine(job_id)
    response = jsonify(state=job.state, percent=job.percent, step=job.step,
                       finished=job.state in (DONE, FAILED))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.route("/<int:job_id>/download")
@login_required
def download(job_id: int):
    job = _mine(job_id)
    if job.state != DONE or not _kept(job) or job.kind == "import":  # an import: its page
        return redirect(url_for("jobs.show", job_id=job.id))
    response = send_file(io.BytesIO(job.result), mimetype=job.mimetype, as_attachment=True,
                         download_name=job.filename, max_age=0)
    # Someone's own file, perhaps with private business in it: no shared or browser cache.
    response.headers["Cache-Control"] = "private, no-store"
    return response


def mine(job_id: int) -> Job:
    """The job `job_id` of the person signed in; 404 for anyone else's (the cover paper's
    draft page)."""
    return _mine(job_id)


def kept(job: Job) -> bool:
    return _kept(job)
