from flask import Blueprint

bp = Blueprint("risks", __name__, url_prefix="/risks")

from . import search, views  # noqa: E402,F401  (search: its tables are made with risks)
