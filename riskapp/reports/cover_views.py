"""Reports → Cover paper: two dates, a preview on screen, the Word download."""
from __future__ import annotations

import io
from datetime import date

from flask import render_template, request, send_file
from flask_login import current_user, login_required

from ..auth import permissions
from ..auth.permissions import require
from ..extensions import db
from ..risks.models import Register
from . import bp
from .cover import CoverError, build_cover, default_since
from .forms import CoverForm
from ..settings.organisation import name as organisation_name


@bp.route("/cover")
@login_required
def cover_page():
    require(permissions.can_read(current_user))
    registers = list(db.session.scalars(db.select(Register).order_by(Register.id)))
    form = CoverForm(request.args)
    form.register.choices = [(str(r.id), r.name) for r in registers]
    if not form.register.data and registers:
        form.register.data = str(registers[0].id)
    asked = bool(request.args)
    paper = None
    if asked and form.validate():
        register = db.session.get(Register, int(form.register.data))
        as_of = form.as_of.data or date.today()
        since = form.since.data or default_since(register, as_of)
        if as_of > date.today():
            form.as_of.errors.append("The date of this paper must be today or in the past")
        else:
            try:
                paper = build_cover(register, since, as_of,
                                    organisation=organisation_name(),
                                    meeting=form.meeting.data or CoverForm.DEFAULT_MEETING)
            except CoverError as refusal:
                getattr(form, refusal.field).errors.append(refusal.message)
        if paper is not None and request.args.get("download"):
            from .cover_docx import cover_filename, render_cover_docx
            buffer = io.BytesIO()
            render_cover_docx(paper, buffer)
            buffer.seek(0)
            return send_file(
                buffer, as_attachment=True, download_name=cover_filename(paper), max_age=0,
                mimetype="application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    return render_template("reports/cover.html", form=form, paper=paper,
                           args={k: v for k, v in request.args.items() if k != "download"}), \
        422 if form.errors else 200
