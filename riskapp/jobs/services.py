"""Asking for long work, running it, and letting its results go after a day.

The pack and the workbook are plain functions of what was asked for (register, as-at date,
filters): the worker calls the same `draw_pack` (which also records the pack as drawn) and
export writers the command line does.
"""
from __future__ import annotations

import hashlib
import io
import json
import logging
from datetime import date

from sqlalchemy import func, select, update

from ..audit.models import AuditEntry
from ..auth.models import User, utcnow
from ..extensions import db
from ..rules import jobs as rules
from .models import DONE, FAILED, QUEUED, RUNNING, Job

logger = logging.getLogger(__name__)

KIND_LABELS = {"pack": "BAF pack", "register": "register export",
               "agenda_pack": "agenda pack", "cover": "cover paper", "import": "import"}

#: What a job says it is doing first, when that is not reading the risk register.
FIRST_STEPS = {"agenda_pack": "Reading the meeting's agenda and papers",
               "import": "Reading the file"}

#: What a failed job says, when it is not that a file could not be made.
FAILED_STEPS = {"import": "Nothing has been saved: the import could not be finished. Try "
                          "again; if it fails again, tell the risk team."}


def data_version() -> str:
    """Changes whenever anything on the record changes: the last audit entry, the last
    version-store transaction (the risk family's changes) and the counts."""
    from sqlalchemy_continuum import versioning_manager

    from ..risks.models import Action, Risk
    tx = versioning_manager.transaction_cls
    last = db.session.scalar(select(func.max(AuditEntry.id))) or 0
    last = f"{last}.{db.session.scalar(select(func.max(tx.id))) or 0}"
    risks = db.session.scalar(select(func.count(Risk.id))) or 0
    actions = db.session.scalar(select(func.count(Action.id))) or 0
    return f"{last}:{risks}:{actions}:{date.today().isoformat()}"


def request_job(user: User, kind: str, params: dict,
                upload: bytes | None = None) -> tuple[Job, str]:
    """Start `kind` for `user` with `params`, or reuse / point at one; (job, what happened).
    `upload`: an import's file, kept with the job for the worker to read."""
    text = json.dumps(params, sort_keys=True, default=str)
    key = hashlib.sha256(f"{kind}|{user.id}|{text}|{data_version()}".encode()).hexdigest()
    now = utcnow()
    mine = db.session.scalars(select(Job).where(Job.user_id == user.id, Job.kind == kind)
                              .where(Job.state != FAILED)
                              .order_by(Job.id.desc()).limit(20)).all()
    decision = rules.decide([rules.JobFacts(j.id, j.state, j.key, _aware(j.created_at),
                                            _aware(j.expires_at)) for j in mine], key, now)
    if decision.action != "start":
        return db.session.get(Job, decision.job_id), decision.action
    job = Job(user_id=user.id, kind=kind, params=text, key=key, state=QUEUED, created_at=now,
              upload=upload)
    db.session.add(job)
    db.session.flush()
    return job, "start"


def _aware(value):
    from datetime import timezone
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value


def _progress(job_id: int, percent: int, step: str, **values) -> None:
    db.session.execute(update(Job).where(Job.id == job_id)
                       .values(percent=percent, step=step, **values))
    db.session.commit()


def run_job(job_id: int) -> None:
    """Run one job in the worker: progress as it goes, the result or a failure at the end."""
    job = db.session.get(Job, job_id)
    if job is None or job.state not in (QUEUED, RUNNING):
        return
    params, kind, user = json.loads(job.params), job.kind, job.user
    preview = None
    first = "Checking the rows against the register again" if params.get("step") == "apply" \
        else FIRST_STEPS.get(kind, "Reading the register")
    _progress(job_id, 5, first, state=RUNNING, started_at=utcnow())
    try:
        if kind == "pack":
            filename, mimetype, body = _make_pack(job_id, params, user)
        elif kind == "register":
            filename, mimetype, body = _make_register(job_id, params)
        elif kind == "agenda_pack":
            filename, mimetype, body = _make_agenda_pack(job_id, params, user)
        elif kind == "cover":
            filename, mimetype, body, preview = _make_cover(job_id, params)
        elif kind == "import":
            filename, mimetype, body = _run_import(job_id, params, user)
        else:
            raise ValueError(f"unknown kind of job {kind!r}")
    except Exception:
        db.session.rollback()  # an import: nothing of it is saved
        logger.exception("Job %s (%s) failed", job_id, kind)
        _progress(job_id, 100, FAILED_STEPS.get(kind, "This file could not be made. Ask for it "
                                                      "again; if it fails again, tell the risk "
                                                      "team."),
                  state=FAILED, finished_at=utcnow(), upload=None)
        return
    now = utcnow()
    # One commit: an import's changes are saved with its outcome, or neither is.
    _progress(job_id, 100, "Ready", state=DONE, result=body, preview=preview,
              filename=filename, mimetype=mimetype, finished_at=now,
              expires_at=now + rules.KEEP_FOR, upload=None)
    logger.info("Job %s (%s) done: %s, %d bytes", job_id, kind, filename, len(body))


def _make_pack(job_id: int, params: dict, user: User) -> tuple[str, str, bytes]:
    from ..reports.pack import draw_pack, pack_filename
    from ..settings import organisation
    selection = selection_from_ids(params)

    def drawing(count: int) -> None:
        _progress(job_id, 40, f"Drawing the pages for {count:,} risk{'' if count == 1 else 's'}")
    buffer = io.BytesIO()
    pack = draw_pack(selection, buffer, organisation=organisation.name(),
                     logo=organisation.logo(), author=user.name, fy=params.get("fy"),
                     by=user, via="download", progress=drawing)
    return pack_filename(pack), "application/pdf", buffer.getvalue()


def _make_agenda_pack(job_id: int, params: dict, user: User) -> tuple[str, str, bytes]:
    """A meeting's agenda pack as `user` may have it: decided again when it is made (the
    agenda may have been unpublished, or their membership ended, since they asked)."""
    from ..auth import permissions
    from ..documents.agenda_pack import build_agenda_pack
    from ..meetings import access
    from ..meetings import services as meetings
    from ..meetings.document_data import file_stem, meeting_record
    meeting = meetings.load(params["meeting"])
    manage = permissions.can_manage_committees(user)
    if meeting is None or not permissions.can_read_committees(user) or (
            meeting.agenda_published_at is None and not manage):
        raise PermissionError(f"{user.id} may not have meeting {params['meeting']}'s pack")
    record = meeting_record(meeting, private_ok=access.sees_private(user, meeting),
                            published_only=not manage)
    papers = sum(1 for item in record.items for paper in getattr(item, "papers", ()))
    _progress(job_id, 40, f"Putting the agenda and {papers:,} paper{'' if papers == 1 else 's'}"
                          " together")
    return file_stem(meeting, "agenda pack") + ".pdf", "application/pdf", \
        build_agenda_pack(record)


def _make_cover(job_id: int, params: dict) -> tuple[str, str, bytes, str]:
    """The BAF cover paper of `register` between `since` and `as_of` (ISO dates, decided
    when asked for): the Word document, and the draft the page shows (long sections
    summarised) as JSON."""
    from ..reports.cover import build_cover
    from ..reports.cover_docx import DOCX, cover_filename, render_cover_docx
    from ..risks.models import Register
    from ..settings import organisation
    register = db.session.get(Register, params["register"])
    paper = build_cover(register, date.fromisoformat(params["since"]),
                        date.fromisoformat(params["as_of"]), organisation=organisation.name(),
                        meeting=params["meeting"],
                        progress=lambda percent, step: _progress(job_id, percent, step))
    _progress(job_id, 85, "Writing the Word document")
    buffer = io.BytesIO()
    render_cover_docx(paper, buffer)
    return (cover_filename(paper), DOCX, buffer.getvalue(),
            json.dumps(paper.summarised().to_dict()))


def _run_import(job_id: int, params: dict, user: User) -> tuple[str, str, bytes]:
    """Check an uploaded file, or save a checked one (riskapp.reports.import_jobs)."""
    from ..reports import import_jobs

    def progress(percent: int, step: str) -> None:
        _progress(job_id, percent, step)
    if params.get("step") == "apply":
        body = import_jobs.apply(params, user)
    else:
        body = import_jobs.check(db.session.get(Job, job_id).upload, params, progress)
    return params.get("filename") or "import", "application/json", body


def selection_from_ids(params: dict):
    """The pack's Selection from the ids and date a job was asked with."""
    from ..auth.models import Directorate
    from ..committees.models import Committee
    from ..reports.pack import Selection
    from ..risks.models import Register

    def get(model, name):
        return db.session.get(model, params[name]) if params.get(name) else None
    selection = Selection(register=get(Register, "register"), committee=get(Committee, "committee"),
                          directorate=get(Directorate, "directorate"), owner=get(User, "owner"))
    if selection.register is None:
        # The pack is of one register; default to the first (the BAF).
        selection.register = db.session.scalars(select(Register).order_by(Register.id)).first()
    if params.get("as_of"):
        selection.as_of = date.fromisoformat(params["as_of"])
    return selection


def _make_register(job_id: int, params: dict) -> tuple[str, str, bytes]:
    """A register export: `what` (risks, actions or register: both), `fmt` (csv or xlsx),
    `register` (an id; none: all) and `as_of` (an ISO date; none: now)."""
    from ..reports import exports
    from ..risks.models import Register
    register = db.session.get(Register, params["register"]) if params.get("register") else None
    as_of = date.fromisoformat(params["as_of"]) if params.get("as_of") else None
    return exports.export_file(params.get("what", "register"), params.get("fmt", "xlsx"),
                               register, as_of, date.today(),
                               progress=lambda percent, step: _progress(job_id, percent, step))


def let_go_of_old_results() -> int:
    """Results are kept a day: after that the file is let go (the job's row stays)."""
    count = db.session.execute(update(Job).where(Job.expires_at < utcnow(),
                                                 Job.result.is_not(None))
                               .values(result=None, preview=None)).rowcount
    # An uploaded file no worker ever read (the job died with its worker): gone after a day too.
    db.session.execute(update(Job).where(Job.created_at < utcnow() - rules.KEEP_FOR,
                                         Job.upload.is_not(None)).values(upload=None))
    db.session.commit()
    return count or 0
