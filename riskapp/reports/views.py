"""Report pages: the heatmap, the BAF pack download, export and import.

Reading, the heatmap, the pack and the exports: anyone signed in. Import: the risk manager.
"""
from __future__ import annotations

import io
import json
import logging
import secrets
from datetime import date

from flask import (abort, current_app, flash, redirect, render_template, request, send_file,
                   url_for)
from flask_login import current_user, login_required

from ..auth import permissions
from ..auth.models import Directorate, User, utcnow
from ..auth.permissions import require
from ..committees.models import Committee
from ..extensions import db
from ..ratelimits import count_this_request, per_person
from ..web_args import as_id, as_of_args, date_parts_args, id_arg
from ..risks.models import Register
from . import bp
from .forms import (VIEW_LABELS, ConfirmImportForm, HeatmapForm, ImportForm, PackForm,
                    ReportFilterForm, set_filter_choices, set_pack_choices)
from .pack import (REFERENCES_PER_CELL, VIEWS, Selection, build_pack, heatmap, heatmap_as_at,
                   pack_filename, rule_bands)

logger = logging.getLogger(__name__)

#: A checked file may be confirmed for this long (seconds); then it is checked again.
IMPORT_MAX_AGE = 3600


def _selection(form: ReportFilterForm) -> Selection:
    """The risks the filters choose; values already checked against the choices."""
    def get(model, value):
        return db.session.get(model, as_id(value)) if as_id(value) else None

    return Selection(register=get(Register, form.register.data),
                     committee=get(Committee, form.committee.data),
                     directorate=get(Directorate, form.directorate.data),
                     owner=get(User, form.owner.data))


def _clean(form: ReportFilterForm) -> None:
    """Unknown filter values (an old bookmark, a hand-edited address) are ignored."""
    if not form.validate():
        for name in ("register", "committee", "directorate", "owner", "view"):
            field = getattr(form, name, None)
            if field is not None and field.errors:
                field.data = ""
                field.errors = []


def _filter_args(form: ReportFilterForm) -> dict:
    return {name: getattr(form, name).data for name in ("register", "committee", "directorate",
                                                        "owner") if getattr(form, name).data}


@bp.route("/")
@login_required
def index():
    require(permissions.can_read(current_user))
    return render_template("reports/index.html", registers=list(db.session.scalars(
        db.select(Register).order_by(Register.id))),
        can_import=permissions.can_import_register(current_user))


@bp.route("/heatmap")
@login_required
def heatmap_page():
    """The heatmap of the register today, or as it stood at the end of a past day (`as_of`)."""
    require(permissions.can_read(current_user))
    form = HeatmapForm(date_parts_args(request.args))
    set_filter_choices(form)
    _clean(form)
    view = form.view.data if form.view.data in VIEWS else "current"
    bands = rule_bands()
    args_today = _filter_args(form)
    args = dict(args_today)
    as_of = form.as_of.data if not form.as_of.errors else None
    later = 0
    if as_of is not None and as_of < date.today():
        args.update(as_of_args(form.as_of))
        rows, unplaced, later = heatmap_as_at(_selection(form), view, bands, as_of)
    else:
        as_of = None
        # The counts of each position come from SQL (window functions), whatever the size.
        rows, unplaced = heatmap(_selection(form), view, bands)
    total = unplaced.count + sum(cell.count for row in rows for cell in row)
    return render_template("reports/heatmap.html", form=form, rows=rows, unplaced=unplaced,
                           total=total, view=view, view_label=VIEW_LABELS[view], bands=bands,
                           args=args, views=VIEWS, view_labels=VIEW_LABELS,
                           per_cell=REFERENCES_PER_CELL, as_of=as_of, args_today=args_today,
                           recorded_later=later), \
        422 if form.as_of.errors else 200


@bp.route("/pack")
@login_required
def pack_options():
    """The pack's options (as-at date, financial year) beside the filters."""
    require(permissions.can_read(current_user))
    form = PackForm(date_parts_args(request.args))
    set_pack_choices(form)
    _clean(form)
    return render_template("reports/pack.html", form=form)


@bp.route("/baf.pdf", methods=["GET", "POST"])
@login_required
@per_person("packs", methods=["POST"])
def baf_pdf():
    """Ask for the BAF pack: it is made by the worker (riskapp.jobs), then downloaded.

    At 5,000 risks the pack takes about a minute of CPU, too long for a web request; the
    job's page shows progress and offers the file when it is ready."""
    from ..jobs.views import start
    require(permissions.can_read(current_user))
    if request.method == "GET":  # an old link or bookmark: the options, filled in
        return redirect(url_for(".pack_options", **request.args))
    form = PackForm(request.form)
    set_pack_choices(form)
    if not form.validate():
        return render_template("reports/pack.html", form=form), 422
    params = {name: as_id(getattr(form, name).data) for name in ("register", "committee",
                                                                 "directorate", "owner")}
    params.update(as_of=form.as_of.data.isoformat() if form.as_of.data else None,
                  fy=form.fy.data)
    return start("pack", params)


EXPORT_LABELS = {"register": "risks and actions", "risks": "risks", "actions": "actions"}


@bp.route("/export/<what>.<fmt>", methods=["GET", "POST"])
@login_required
@per_person("exports", methods=["GET", "POST"])
def export(what, fmt):
    """`risks` or `actions` as csv or xlsx; `register.xlsx` is both sheets in one workbook.

    A small export downloads at once. A large one (more than `EXPORT_AT_ONCE_ROWS` rows) is
    made by the worker, like the pack: the page offers a button that asks for it (POST), then
    the job's page shows progress and the download (issue 15, finding 1)."""
    from ..jobs.views import start
    from . import exports  # openpyxl: loaded by the pages that use it
    require(permissions.can_read(current_user))
    if fmt not in exports.FORMATS or what not in ("risks", "actions", "register") or (
            what == "register" and fmt != "xlsx"):
        return render_template("errors/404.html"), 404
    register_id = id_arg("register", "The register")
    register = db.get_or_404(Register, register_id) if register_id else None
    # `as_of=YYYY-MM-DD`: the register as riskapp held it at the end of that day (issue 14).
    try:
        as_of = date.fromisoformat(request.args["as_of"]) if request.args.get("as_of") \
            else None
    except ValueError:
        as_of = None
    if as_of is not None and as_of >= date.today():
        as_of = None  # today's register is today's rows
    if request.method == "POST":
        return start("register", {"what": what, "fmt": fmt,
                                  "register": register.id if register else None,
                                  "as_of": as_of.isoformat() if as_of else None})
    rows = exports.rows_to_export(what, register)
    if rows > current_app.config.get("EXPORT_AT_ONCE_ROWS", exports.AT_ONCE_ROWS):
        return render_template("reports/export_large.html", what=what, fmt=fmt, rows=rows,
                               register=register, as_of=as_of, label=EXPORT_LABELS[what])
    filename, mimetype, body = exports.export_file(what, fmt, register, as_of, date.today())
    count_this_request()
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=filename, max_age=0)


@bp.route("/import", methods=["GET", "POST"])
@login_required
@per_person("imports", methods=["POST"])
def import_upload():
    """Upload a file: its size and kind are checked at once, then the worker reads it and
    checks every row (riskapp.reports.import_jobs); the job's page shows progress and then
    the preview. Reading a 10,000-row workbook takes seconds of CPU: never in a web request."""
    from ..jobs.views import start
    from . import imports
    require(permissions.can_import_register(current_user))
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("reports/import.html", form=form), 422 if form.errors else 200
    upload = form.file.data
    limits = imports.Limits.from_config(current_app.config)
    data = upload.stream.read(limits.max_bytes + 1)
    try:
        imports.check_file(upload.filename, data, limits)
    except imports.ImportRefused as refusal:
        form.file.errors.append(str(refusal))
        return render_template("reports/import.html", form=form), 422
    # A fresh check each time (never a reused one): a check is confirmed once only.
    return start("import", {"step": "check", "filename": (upload.filename or "")[-200:],
                            "upload": secrets.token_hex(8)}, upload=data)


def _my_import(job_id: int):
    from ..jobs.models import Job
    job = db.get_or_404(Job, job_id)
    if job.user_id != current_user.id or job.kind != "import":
        abort(404)  # someone else's: not even its existence is told
    return job


def _upload_again(message: str, status: int = 422):
    form = ImportForm(formdata=None)
    form.form_errors.append(message)
    return render_template("reports/import.html", form=form), status


@bp.route("/import/<int:job_id>")
@login_required
def import_result(job_id: int):
    """A checked file's preview, or a saved import's outcome, from the job's result."""
    from ..jobs.models import DONE
    from . import import_jobs
    require(permissions.can_import_register(current_user))
    job = _my_import(job_id)
    if job.state != DONE:
        return redirect(url_for("jobs.show", job_id=job.id))
    if job.result is None:
        return _upload_again("This import was checked more than a day ago and is no longer "
                             "kept: upload the file again.", 200)
    result = json.loads(job.result)
    filename = result["filename"]
    if json.loads(job.params).get("step") == "apply":
        if result.get("already"):
            return render_template("reports/import_saved.html", filename=filename,
                                   already=True)
        if result.get("changed_since"):
            return render_template("reports/preview.html", filename=filename, confirm=None,
                                   plan=import_jobs.plan_from_json(result["plan"]),
                                   sheets=result["sheets"], changed_since=True), 422
        outcome = result["outcome"]
        flash(f"Import of {filename} saved: {len(outcome['added'])} added, "
              f"{len(outcome['updated'])} updated, {outcome['unchanged']} unchanged.", "success")
        return render_template("reports/import_saved.html", filename=filename,
                               outcome=outcome, already=False, shown=IMPORT_LIST_AT_MOST)
    if "refused" in result:
        form = ImportForm(formdata=None)
        form.file.errors = [result["refused"]]  # beside the field, as if refused at once
        return render_template("reports/import.html", form=form), 422
    plan = import_jobs.plan_from_json(result["plan"])
    confirm = ConfirmImportForm() if plan.ok and _confirmable(job) else None
    return render_template("reports/preview.html", plan=plan, filename=filename,
                           confirm=confirm, check=job,
                           sheets=[t["kind"] for t in result["tables"]],
                           used=import_jobs.was_used(job.id), too_old=_too_old(job)), \
        200 if plan.ok else 422


#: The outcome page lists at most this many references of each (added, updated).
IMPORT_LIST_AT_MOST = 500


def _too_old(job) -> bool:
    from ..jobs.services import _aware
    finished = _aware(job.finished_at)
    return finished is None or \
        (utcnow() - finished).total_seconds() > current_app.config.get("IMPORT_MAX_AGE",
                                                                        IMPORT_MAX_AGE)


def _confirmable(job) -> bool:
    from . import import_jobs
    return not _too_old(job) and not import_jobs.was_used(job.id)


@bp.route("/import/<int:job_id>/confirm", methods=["POST"])
@login_required
def import_confirm(job_id: int):
    """Save a checked file: the worker checks it again against the register, then saves all
    of it or nothing. A check is saved once only (issue 15, finding 9)."""
    from ..jobs.models import DONE
    from ..jobs.views import start
    from . import import_jobs
    require(permissions.can_import_register(current_user))
    job = _my_import(job_id)
    form = ConfirmImportForm()
    result = json.loads(job.result) if job.state == DONE and job.result else {}
    params = json.loads(job.params)
    if not form.validate_on_submit() or params.get("step") != "check" or "plan" not in result \
            or result["plan"]["errors"]:
        return _upload_again("The import could not be confirmed: upload the file again.")
    if import_jobs.was_used(job.id):
        flash(f"This import of {result['filename']} has already been saved: nothing was added "
              f"again.", "info")
        return redirect(url_for("risks.index"))
    if _too_old(job):
        return _upload_again("The check of this file is more than an hour old: upload the "
                             "file again.")
    return start("import", {"step": "apply", "check": job.id,
                            "filename": result["filename"]})
