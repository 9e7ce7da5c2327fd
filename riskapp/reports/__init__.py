"""Reports: the BAF pack (heatmap report) PDF, the heatmap on screen, export and import.

`flask report baf ...` hangs off this blueprint (cli_group "report"), so the command and the
download button build the pack with the same `pack.build_pack`.
"""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports", cli_group="report")

from . import cli, cover_views, views  # noqa: E402,F401
