"""The JSON API, /api/v1: one module per resource, mounted here."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from . import risks  # noqa: E402,F401
from . import committees  # noqa: E402,F401
from . import meetings  # noqa: E402,F401
