"""Error pages: HTML for pages, JSON for the API; never a stack trace."""
import logging

from flask import jsonify, render_template, request
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

logger = logging.getLogger(__name__)


def wants_json() -> bool:
    return request.path.startswith("/api/")


def register_error_handlers(app):
    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if wants_json():
            return jsonify(error=error.name, message=error.description), error.code
        template = f"errors/{error.code}.html" if error.code in (403, 404, 409) else None
        if template:
            return render_template(template, error=error), error.code
        return render_template("errors/generic.html", error=error), error.code

    @app.errorhandler(StaleDataError)
    def stale(error):
        # Two saves raced past the version check; the second lost the race at the database.
        from ..extensions import db
        db.session.rollback()
        if wants_json():
            return jsonify(error="Conflict",
                           message="Someone else changed this record. Reload it and try again."), 409
        return render_template("errors/409.html", error=error), 409

    if app.testing:
        return  # let tests see the real exception

    @app.errorhandler(Exception)
    def unexpected(error):
        logger.exception("Unhandled error on %s %s", request.method, request.path)
        if wants_json():
            return jsonify(error="Internal Server Error",
                           message="Sorry, there is a problem with the service."), 500
        return render_template("errors/500.html"), 500
