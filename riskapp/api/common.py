"""What every API module shares: errors as JSON, list envelopes, argument parsing."""
from __future__ import annotations

from datetime import date

from flask import jsonify, request
from flask_login import current_user

from ..auth import permissions
from ..web_args import MAX_ID


class ApiError(Exception):
    def __init__(self, status: int, message: str, field: str | None = None):
        super().__init__(message)
        self.status, self.message, self.field = status, message, field
        #: Every bad field with its messages, when a schema refused several at once.
        self.errors: dict[str, list[str]] | None = None


def error_response(error: ApiError):
    body = {"error": error.message}
    if error.field or error.status == 409:  # a conflict names no field: "field": null
        body["field"] = error.field
    if error.errors and len(error.errors) > 1:
        body["errors"] = error.errors
    return jsonify(body), error.status


def require_reader() -> None:
    if not current_user.is_authenticated:
        raise ApiError(401, "Sign in or send a valid token as 'Authorization: Bearer <token>'")
    if not permissions.can_read(current_user):
        raise ApiError(403, "You do not have permission to read this")


def page_envelope(items: list, total: int, page: int, per_page: int) -> dict:
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def int_arg(name: str, default=None, minimum: int | None = None, maximum: int | None = MAX_ID):
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw) if len(raw) <= 12 else None
    except ValueError:
        value = None
    if value is None:
        raise ApiError(400, f"{name} must be a whole number", field=name)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        raise ApiError(400, f"{name} must be between {minimum} and {maximum}", field=name)
    return value


def date_arg(name: str, default: date | None = None) -> date | None:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, f"{name} must be a date written YYYY-MM-DD", field=name)


def choice_arg(name: str, choices, default=None):
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    if raw not in choices:
        raise ApiError(400, f"{name} must be one of: {', '.join(map(str, choices))}", field=name)
    return raw
