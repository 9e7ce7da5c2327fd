"""The start page: what needs the signed-in person's attention."""
from flask import redirect, url_for
from flask_login import current_user, login_required

from . import bp


@bp.route("/")
@login_required
def index():
    """Land each person where their work is (issue 17); on an empty database, a newcomer's
    first page says what to set up next (issue 16)."""
    from ..auth.permissions import is_admin
    from .setup import is_day_one
    if is_admin(current_user) and is_day_one():
        return redirect(url_for("main.setup"))
    return redirect(url_for(landing_endpoint(current_user)))


def landing_endpoint(user) -> str:
    """The secretariat on upcoming meetings, a board member on the BAF heatmap, a risk owner
    or lead on their risks, an action assignee on their actions, the rest on the register."""
    from sqlalchemy import or_, select

    from ..extensions import db
    from ..risks.models import Risk
    role = user.role.value
    if role == "secretariat":
        return "meetings.upcoming"
    if role == "board":
        return "reports.heatmap_page"
    if role == "staff":
        owns = db.session.scalar(select(Risk.id).where(
            or_(Risk.owner_id == user.id, Risk.lead_id == user.id)).limit(1))
        return "risks.mine" if owns else "actions.mine"
    return "risks.index"


@bp.route("/setup")
@login_required
def setup():
    """Getting started: the setup steps in order, with links for those this person can do."""
    from flask import render_template

    from ..rules.setup import who_does
    from .setup import setup_steps
    all_steps, upcoming = setup_steps(current_user)
    return render_template("main/setup.html", steps=all_steps, upcoming=upcoming,
                           who_does=who_does)


@bp.route("/health")
def health():
    """For the load balancer: the app answers and the database is reachable."""
    from sqlalchemy import text

    from ..extensions import db
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.route("/bands.css")
def bands_css():
    """Colours of the configured bands as CSS classes (no inline styles, for the CSP)."""
    from flask import Response
    from sqlalchemy import select

    from ..extensions import db
    from ..risks.models import Band
    from .colours import band_class, text_colour_for

    rules = []
    for band in db.session.scalars(select(Band)):
        rules.append(f".{band_class(band.name)}{{background-color:{band.colour};"
                     f"color:{text_colour_for(band.colour)};border-color:{band.colour}}}")
    response = Response("\n".join(rules) + "\n", mimetype="text/css")
    response.cache_control.max_age = 60
    return response
