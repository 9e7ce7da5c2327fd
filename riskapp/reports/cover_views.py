"""Reports → Cover paper: the register and two dates; the paper is drafted off the request
(a job, riskapp.jobs: at a large trust it takes seconds), then read on screen and downloaded
as a Word document."""
from __future__ import annotations

import json
from datetime import date

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..auth import permissions
from ..auth.permissions import require
from ..extensions import db
from ..risks.models import Register
from ..web_args import date_parts_args
from . import bp
from .cover import CoverPaper, default_since, lead_line, more_line
from .forms import CoverForm


def _form(formdata, **kwargs) -> CoverForm:
    form = CoverForm(formdata, **kwargs)
    registers = list(db.session.scalars(db.select(Register).order_by(Register.id)))
    form.register.choices = [(str(r.id), r.name) for r in registers]
    if not form.register.data and registers:
        form.register.data = str(registers[0].id)
    return form


def cover_args(params: dict) -> dict:
    """The options page's address arguments for a job's parameters (to change and ask again)."""
    return {"register": params["register"], "since": params["since"],
            "as_of": params["as_of"], "meeting": params["meeting"]}


@bp.route("/cover", methods=["GET", "POST"])
@login_required
def cover_page():
    """GET: the options (filled in from the address: `since`/`as_of` as YYYY-MM-DD or the date
    boxes). POST: check them and ask for the paper; the job's page follows it."""
    require(permissions.can_read(current_user))
    if request.method == "GET":
        args = date_parts_args(date_parts_args(request.args, "since"), "as_of")
        return render_template("reports/cover.html", form=_form(args, meta={"csrf": False}),
                               paper=None, job=None)
    from ..jobs.views import start
    form = _form(request.form)
    if form.validate():
        register = db.session.get(Register, int(form.register.data))
        as_of = form.as_of.data or date.today()
        since = form.since.data or default_since(register, as_of)
        if as_of > date.today():
            form.as_of.errors.append("The date of this paper must be today or in the past")
        elif since > as_of:
            form.since.errors.append("The date of the last paper must be on or before the "
                                     "date of this one")
        else:
            return start("cover", {"register": register.id, "since": since.isoformat(),
                                   "as_of": as_of.isoformat(),
                                   "meeting": form.meeting.data or CoverForm.DEFAULT_MEETING})
    return render_template("reports/cover.html", form=form, paper=None, job=None), 422


@bp.route("/cover/<int:job_id>")
@login_required
def cover_draft(job_id: int):
    """The paper the worker drafted: read on screen (long sections summarised) beside its
    options, with the Word document to download. Someone else's: 404."""
    from ..jobs import views as jobs
    from ..jobs.models import DONE
    require(permissions.can_read(current_user))
    job = jobs.mine(job_id)
    if job.kind != "cover":
        abort(404)
    if job.state != DONE or not jobs.kept(job):
        return redirect(url_for("jobs.show", job_id=job.id))
    params = json.loads(job.params)
    form = _form(None, meta={"csrf": False}, data={
        "register": str(params["register"]), "since": date.fromisoformat(params["since"]),
        "as_of": date.fromisoformat(params["as_of"]), "meeting": params["meeting"]})
    paper = CoverPaper.from_dict(json.loads(job.preview)) if job.preview else None
    return render_template("reports/cover.html", form=form, paper=paper, job=job,
                           lead_line=lead_line, more_line=more_line)
