"""An import's two pieces of work for `flask worker`: check the file, then save it (issue 15).

Checking: the upload page keeps the file with a job (kind "import", step "check"); the worker
reads it (size, zip bomb, cells, columns: `imports.read_upload`) and checks every row against
the register (`imports.plan_import`). The job's result is JSON: the file's tables and what
each row would do, or why the file was refused. The preview page is drawn from it.

Saving: confirming asks for a second job (step "apply", naming the check). The worker checks
the rows again against the register as it is now, marks the check used (a check is saved
once only: finding 9), makes the changes and returns what was added and updated; the job
runner saves all of it with the job's outcome in one commit, or rolls all of it back.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

from flask import current_app
from sqlalchemy.exc import IntegrityError

from ..audit.tracking import reset_actor, set_actor
from ..extensions import db
from ..words import plural
from . import imports
from .models import UsedPreview

Progress = Callable[[int, str], None]


def check(upload: bytes | None, params: dict, progress: Progress) -> bytes:
    """Read the uploaded file and say what each row would do; nothing is saved."""
    filename = params.get("filename") or "the file"
    try:
        tables = imports.read_upload(filename, upload or b"",
                                     imports.Limits.from_config(current_app.config))
    except imports.ImportRefused as refusal:
        return _json({"filename": filename, "refused": str(refusal)})
    rows = sum(len(table.rows) for table in tables)
    progress(40, f"Checking {plural(rows, 'row')} against the register")
    plan = imports.plan_import(tables)
    return _json({"filename": filename, "tables": [t.as_json() for t in tables],
                  "plan": plan_as_json(plan)})


def apply(params: dict, user) -> bytes:
    """Check the rows again and make the changes (flushed, not committed: the job runner
    commits them with the job's outcome, or rolls them back with everything else)."""
    from ..jobs.models import Job
    checked_job = db.session.get(Job, params["check"])
    if checked_job is None or checked_job.user_id != user.id or checked_job.result is None:
        raise LookupError(f"check {params['check']} is not {user.id}'s or was let go")
    checked = json.loads(checked_job.result)
    filename = checked["filename"]
    tables = [imports.Table.from_json(table) for table in checked["tables"]]
    plan = imports.plan_import(tables)
    if not plan.ok:  # the register changed since the check
        return _json({"filename": filename, "changed_since": True,
                      "sheets": [t.kind for t in tables], "plan": plan_as_json(plan)})
    # No progress from here to the end: it is committed as it goes, which would save part of
    # the import early and let go of every record the plan holds.
    if not first_use(checked_job.id, user.id):
        return _json({"filename": filename, "already": True})
    token = set_actor(user.id)  # the versions are theirs, here as on a page
    try:
        outcome = imports.apply_plan(plan, by=user, today=date.today(), source=filename)
    finally:
        reset_actor(token)
    return _json({"filename": filename, "outcome": {
        "added": outcome.added, "updated": outcome.updated, "unchanged": outcome.unchanged}})


def used_key(check_job_id: int) -> str:
    return f"import-check-{check_job_id}"


def first_use(check_job_id: int, user_id: int) -> bool:
    """Mark a check as saved; False if it was before. The mark is saved with the import in
    one transaction, and its unique key refuses a second save even at the same moment."""
    try:
        with db.session.begin_nested():
            db.session.add(UsedPreview(preview=used_key(check_job_id), user_id=user_id))
        return True
    except IntegrityError:
        return False


def was_used(check_job_id: int) -> bool:
    return db.session.get(UsedPreview, used_key(check_job_id)) is not None


def plan_as_json(plan: imports.Plan) -> dict:
    return {"rows": [[r.sheet, r.row, r.outcome, r.label, r.changed] for r in plan.rows],
            "errors": [[e.sheet, e.row, e.column, e.message] for e in plan.errors]}


def plan_from_json(data: dict) -> imports.Plan:
    """The plan as the preview page shows it (no records: only what each row would do)."""
    return imports.Plan(
        rows=[imports.RowPlan(sheet, row, outcome, label, changed=list(changed))
              for sheet, row, outcome, label, changed in data["rows"]],
        errors=[imports.RowError(*error) for error in data["errors"]])


def _json(value: dict) -> bytes:
    return json.dumps(value).encode()
