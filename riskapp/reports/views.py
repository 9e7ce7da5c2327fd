"""Report pages: the heatmap, the BAF pack download, export and import.

Reading, the heatmap, the pack and the exports: anyone signed in. Import: the risk manager.
"""
from __future__ import annotations

import io
import secrets
import logging
from datetime import date

from flask import current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user, login_required
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from markupsafe import Markup

from ..auth import permissions
from ..auth.models import Directorate, User
from ..auth.permissions import require
from ..committees.models import Committee
from ..extensions import db
from ..web_args import as_id, as_of_args, date_parts_args, id_arg
from ..risks.models import Register
from . import bp
from .forms import (VIEW_LABELS, ConfirmImportForm, HeatmapForm, ImportForm, PackForm,
                    ReportFilterForm, set_filter_choices, set_pack_choices)
from .pack import (REFERENCES_PER_CELL, VIEWS, Selection, build_pack, heatmap, heatmap_as_at,
                   pack_filename, rule_bands)

logger = logging.getLogger(__name__)

IMPORT_SALT = "riskapp.reports.import"
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
    return send_file(io.BytesIO(body), mimetype=mimetype, as_attachment=True,
                     download_name=filename, max_age=0)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=IMPORT_SALT)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_upload():
    """Upload a file and see what it would do: every row's problems, or its changes."""
    from . import imports  # openpyxl: loaded by the pages that use it
    require(permissions.can_import_register(current_user))
    form = ImportForm()
    if not form.validate_on_submit():
        return render_template("reports/import.html", form=form), 422 if form.errors else 200
    upload = form.file.data
    limits = imports.Limits.from_config(current_app.config)
    data = upload.stream.read(limits.max_bytes + 1)
    try:
        tables = imports.read_upload(upload.filename, data, limits)
    except imports.ImportRefused as refusal:
        form.file.errors.append(str(refusal))
        return render_template("reports/import.html", form=form), 422
    plan = imports.plan_import(tables)
    confirm = ConfirmImportForm()
    confirm.payload.data = _serializer().dumps({
        "user": current_user.id, "filename": upload.filename,
        "preview": secrets.token_hex(16),  # confirmed once only (UsedPreview)
        "tables": [t.as_json() for t in tables]})
    db.session.rollback()  # a preview changes nothing
    return render_template("reports/preview.html", plan=plan, filename=upload.filename,
                           confirm=confirm, tables=tables), 200 if plan.ok else 422


def _first_use_of(preview: str | None) -> bool:
    """Mark a preview confirmed; False if it was before (a replayed or double-sent form).

    The mark is saved with the import, in one transaction: the unique key makes a second
    confirmation of the same preview fail even at the same moment."""
    from sqlalchemy.exc import IntegrityError

    from .models import UsedPreview
    if not preview:
        return False
    try:
        with db.session.begin_nested():
            db.session.add(UsedPreview(preview=preview[:64], user_id=current_user.id))
        return True
    except IntegrityError:
        return False


@bp.route("/import/confirm", methods=["POST"])
@login_required
def import_confirm():
    """Apply a previewed import: checked again against the database now, then all or nothing."""
    from . import imports  # openpyxl: loaded by the pages that use it
    require(permissions.can_import_register(current_user))
    form = ConfirmImportForm()
    upload_form = ImportForm(formdata=None)
    try:
        if not form.validate_on_submit():
            raise BadSignature("no payload")
        payload = _serializer().loads(form.payload.data or "", max_age=IMPORT_MAX_AGE)
        if payload.get("user") != current_user.id:
            raise BadSignature("another user's import")
        tables = [imports.Table.from_json(t) for t in payload["tables"]]
    except SignatureExpired:
        upload_form.form_errors.append("The preview is more than an hour old: upload the file "
                                       "again.")
        return render_template("reports/import.html", form=upload_form), 422
    except (BadSignature, KeyError, TypeError, ValueError, imports.ImportRefused):
        upload_form.form_errors.append("The import could not be confirmed: upload the file "
                                       "again.")
        return render_template("reports/import.html", form=upload_form), 422
    filename = payload.get("filename") or "a spreadsheet"
    plan = imports.plan_import(tables)
    if not plan.ok:
        db.session.rollback()
        return render_template("reports/preview.html", plan=plan, filename=filename,
                               confirm=None, tables=tables, changed_since=True), 422
    if not _first_use_of(payload.get("preview")):
        db.session.rollback()
        flash(f"This import of {filename} has already been saved: nothing was added again.",
              "info")
        return redirect(url_for("risks.index"))
    try:
        outcome = imports.apply_plan(plan, by=current_user, today=date.today(), source=filename)
        db.session.commit()
    except Exception:
        db.session.rollback()
        logger.exception("import of %s failed; nothing saved", filename)
        raise
    flash(f"Import of {filename} saved: {len(outcome.added)} added, {len(outcome.updated)} "
          f"updated, {outcome.unchanged} unchanged.", "success")
    return redirect(url_for("risks.index"))
