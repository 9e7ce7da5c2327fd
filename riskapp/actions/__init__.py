from flask import Blueprint

bp = Blueprint("actions", __name__, url_prefix="/actions")

from . import views  # noqa: E402,F401
