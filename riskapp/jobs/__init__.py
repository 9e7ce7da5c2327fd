"""Long work off the web request: the BAF pack, agenda packs, large register exports (CSV,
XLSX) and register imports (checking the file, then saving it).

A page asks for a job (`services.request_job`), the job runs in `flask worker` (a Huey
consumer, riskapp.jobs.queue), the page shows its progress and then offers the download.
"""
from flask import Blueprint

bp = Blueprint("jobs", __name__, url_prefix="/jobs", cli_group=None)

from . import cli, views  # noqa: E402,F401
