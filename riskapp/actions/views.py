"""Risk actions: "my actions", adding and editing them, recording progress."""
from __future__ import annotations

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from markupsafe import Markup

from ..auth import permissions
from ..auth.permissions import require
from ..extensions import db
from ..web_args import page_arg
from ..risks.forms import set_owner_choices
from ..risks.models import Action
from ..risks.services import StaleEdit
from ..risks.views import load_risk, rejected, stale
from . import bp, queries, services
from .forms import ActionForm, ProgressForm


def _action_data(form) -> dict:
    return {k: form.data[k] for k in services.ACTION_FIELDS}


#: Rows a page in each "my actions" section: an executive owning 100 risks had a 240 KB page
#: of every open action (issue 9).
PER_PAGE = 25


def _page_number(param: str, total: int) -> int:
    """One section's page from `?<param>=`; past the end shows the last page, never a 404."""
    last = max(1, -(-total // PER_PAGE))
    return min(page_arg(param), last)


#: The page arguments of "my actions", carried through an update so saving returns there.
MINE_PAGES = ("assigned_page", "others_page")


def _back_to_mine() -> dict[str, int]:
    """The "my actions" page arguments an update came with (page 1 goes without saying)."""
    return {param: number for param in MINE_PAGES
            if (number := page_arg(param)) > 1}


@bp.route("/mine")
@login_required
def mine():
    """Actions assigned to me, and open actions on risks I own or lead: overdue first."""
    today, me = date.today(), current_user.id

    # The totals come from the one counts statement, so no count query per section.
    counts = queries.worklist_counts(me, today)

    def section(name: str):
        return queries.worklist_page(name, me, today, per_page=PER_PAGE,
                                     page=_page_number(f"{name}_page", counts[name]),
                                     total=counts[name])
    assigned, others = section("assigned"), section("others")
    # The Update links carry the pages shown, so saving an update comes back to them.
    here = {param: page.page for param, page in zip(MINE_PAGES, (assigned, others))
            if page.page > 1}
    from ..meetings.services import open_actions_assigned_to
    return render_template("actions/mine.html", counts=counts, assigned=assigned,
                           others=others, here=here, today=today,
                           meeting_actions=open_actions_assigned_to(me))


@bp.route("/new/<reference>", methods=["GET", "POST"])
@login_required
def new(reference):
    risk = load_risk(reference)
    require(permissions.can_add_action(current_user, risk))
    form = ActionForm()
    set_owner_choices(form.assignee_id)
    if form.validate_on_submit():
        services.add_action(risk, _action_data(form), today=date.today())
        db.session.commit()
        flash("Action added.", "success")
        return redirect(url_for("risks.detail", reference=risk.reference, _anchor="actions"))
    return render_template("actions/edit.html", form=form, risk=risk, action=None), rejected(form)


@bp.route("/<int:action_id>/edit", methods=["GET", "POST"])
@login_required
def edit(action_id):
    action = db.get_or_404(Action, action_id)
    require(permissions.can_edit_action(current_user, action))
    form = ActionForm(obj=action)
    set_owner_choices(form.assignee_id)
    if form.validate_on_submit():
        try:
            services.update_action(action, _action_data(form), seen_version=form.version.data,
                                   today=date.today())
        except StaleEdit as error:
            db.session.rollback()
            stale(form, error)
            return render_template("actions/edit.html", form=form, risk=action.risk,
                                   action=action), 409
        db.session.commit()
        flash("Action saved.", "success")
        return redirect(url_for("risks.detail", reference=action.risk.reference,
                                _anchor="actions"))
    return render_template("actions/edit.html", form=form, risk=action.risk,
                           action=action), rejected(form)


@bp.route("/<int:action_id>/progress", methods=["GET", "POST"])
@login_required
def progress(action_id):
    action = db.get_or_404(Action, action_id)
    require(permissions.can_progress_action(current_user, action))
    form = ProgressForm(obj=action if request.method == "GET" else None)
    if request.method == "GET":
        form.note.data = ""
    if form.validate_on_submit():
        try:
            services.record_progress(action, form.note.data, form.status.data,
                                     by=current_user, today=date.today(),
                                     target_date=form.target_date.data,
                                     seen_version=form.version.data)
        except StaleEdit as error:
            db.session.rollback()
            stale(form, error)
            return render_template("actions/progress.html", form=form, action=action,
                                   today=date.today(), back=_progress_back(action)), 409
        db.session.commit()
        flash(_progress_message(action), "success")
        return redirect(_progress_back(action))
    return render_template("actions/progress.html", form=form, action=action,
                           today=date.today(), back=_progress_back(action)), rejected(form)


def _progress_message(action) -> Markup:
    """Say what the update did; a finished action leaves "my actions", so say where it went."""
    risk_link = Markup('<a href="{}">{}</a>').format(
        url_for("risks.detail", reference=action.risk.reference, _anchor="actions"),
        action.risk.reference)
    if action.status == "Complete":
        return Markup("Action on {} marked complete on {}. Completed actions leave My actions; "
                      "this one stays on the risk's page with its progress notes.").format(
            risk_link, action.completed_on.strftime("%d %b %Y"))
    if action.status == "Cancelled":
        return Markup("Action on {} cancelled. Cancelled actions leave My actions; this one "
                      "stays on the risk's page with its progress notes.").format(risk_link)
    return Markup("Progress recorded on the action on {}.").format(risk_link)


def _progress_back(action) -> str:
    """Where an update returns to: the "my actions" pages it came from, else the risk."""
    if request.args.get("back") == "mine":
        return url_for("actions.mine", **_back_to_mine())
    return url_for("risks.detail", reference=action.risk.reference, _anchor="actions")
