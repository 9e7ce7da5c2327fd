"""Meetings: agenda, attendance, quoracy, declarations, votes, minutes and the action log."""
from flask import Blueprint

bp = Blueprint("meetings", __name__, url_prefix="/meetings")

from . import decisions, document_views, paper_views, report_views, upcoming, views  # noqa: E402,F401,I001
