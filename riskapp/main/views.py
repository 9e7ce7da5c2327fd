"""The start page: what needs the signed-in person's attention."""
from flask import redirect, url_for
from flask_login import current_user, login_required

from . import bp


@bp.route("/")
@login_required
def index():
    return redirect(url_for("risks.mine" if current_user.role.value == "staff" else "risks.index"))


@bp.route("/health")
def health():
    """For the load balancer: the app answers and the database is reachable."""
    from sqlalchemy import text

    from ..extensions import db
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}
