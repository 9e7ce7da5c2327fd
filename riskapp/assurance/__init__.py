"""The assurance map: sufficiency rules, computed gaps in assurance, committee oversight."""
from flask import Blueprint

bp = Blueprint("assurance", __name__, url_prefix="/assurance")

from . import views  # noqa: E402,F401
