"""The JSON API, /api/v1: one module per resource, mounted here."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import risks  # noqa: E402,F401
from . import committees  # noqa: E402,F401
from . import meetings  # noqa: E402,F401
from . import risk_writes  # noqa: E402,F401
from . import settings  # noqa: E402,F401
from . import assurance  # noqa: E402,F401
from . import meeting_cycle  # noqa: E402,F401


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3.1 description of this API, made from the schemas that validate requests.

    Public, like any API's description: it says what can be asked, never what is stored.
    """
    from flask import jsonify

    from .described import openapi_document
    return jsonify(openapi_document())


@bp.before_request
def _csrf_for_cookie_writes():
    """A write authenticated by the session cookie needs the CSRF token (header X-CSRFToken).

    Bearer-token calls carry no cookie a forged cross-site request could ride on, so they are
    exempt; everything else on /api/v1 is not.
    """
    from flask import current_app, g, request
    from flask_login import current_user

    from ..extensions import csrf
    if request.method in ("GET", "HEAD", "OPTIONS") or not current_app.config.get(
            "WTF_CSRF_ENABLED", True):
        return None
    current_user.is_authenticated  # run the loaders: a session user wins over a token
    if g.get("login_via_token"):
        return None
    csrf.protect()
    return None
