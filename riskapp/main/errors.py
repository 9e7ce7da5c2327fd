"""Error pages: HTML for pages, JSON for the API; never a stack trace.

An error page must come out whatever is broken. The 500 page (and any error page whose own
drawing fails, or a request refused before it was routed, e.g. for an unknown Host) is drawn
by `plain_page`: the page template alone, with no context processor, no signed-in user and no
URL map, so it never touches the database. Every error page carries the request id and the
security headers (riskapp.security.apply_headers).
"""
import logging

from flask import current_app, jsonify, render_template, request
from flask.globals import request_ctx
from jinja2 import Environment
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)

_PLAIN: dict[int, Environment] = {}


def wants_json() -> bool:
    return request.path.startswith("/api/")


def plain_page(template: str, status: int, **context):
    """`template` drawn without the database, the signed-in user or the URL map."""
    from ..security import apply_headers, request_id
    app = current_app._get_current_object()
    env = _PLAIN.get(id(app))
    if env is None:
        env = _PLAIN[id(app)] = Environment(loader=app.jinja_loader, autoescape=True)
    html = env.get_template(template).render(
        request_id=request_id(), organisation_name=app.config.get("ORGANISATION_NAME", ""),
        **context)
    response = app.response_class(html, status=status, mimetype="text/html")
    return apply_headers(response)


def _server_error():
    if wants_json():
        from ..security import apply_headers
        response = jsonify(error="Internal Server Error",
                           message="Sorry, there is a problem with the service.")
        response.status_code = 500
        return apply_headers(response)
    return plain_page("errors/500.html", 500)


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:
            # The refusal brought its own answer (a rate limit's page, with Retry-After).
            return error.response
        if wants_json():
            return jsonify(error=error.name, message=error.description), error.code
        template = f"errors/{error.code}.html" if error.code in (403, 404, 409) else None
        if request_ctx.url_adapter is None:
            # Refused before routing (an unknown Host): nothing of the app is drawn, and
            # nothing of what was sent is shown back.
            from werkzeug.exceptions import BadRequest
            return plain_page("errors/generic.html", error.code, error=BadRequest(
                "This web address is not one riskapp answers to.") if error.code == 400
                else error)
        try:
            if template:
                return render_template(template, error=error), error.code
            return render_template("errors/generic.html", error=error), error.code
        except Exception:  # drawing the page needs the database, and it is down
            logger.exception("Could not draw the %s page; showing the plain one", error.code)
            return plain_page(template or "errors/generic.html", error.code, error=error)

    @app.errorhandler(StaleDataError)
    def stale(error):
        # Two saves raced past the version check; the second lost the race at the database.
        from ..extensions import db
        db.session.rollback()
        if wants_json():
            return jsonify(error="Conflict",
                           message="Someone else changed this record. Reload it and try again."), 409
        return render_template("errors/409.html", error=error), 409

    if app.testing and not app.config.get("ERROR_PAGES_IN_TESTS"):
        return  # let tests see the real exception

    @app.errorhandler(Exception)
    def unexpected(error):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        try:
            from ..extensions import db
            db.session.rollback()
        except Exception:  # the database is down: nothing to roll back
            pass
        return _server_error()
