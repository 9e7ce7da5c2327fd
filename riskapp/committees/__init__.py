"""Committees: the Board, its committees, their terms of reference and members."""
from flask import Blueprint

bp = Blueprint("committees", __name__, url_prefix="/committees")

from . import views  # noqa: E402,F401
