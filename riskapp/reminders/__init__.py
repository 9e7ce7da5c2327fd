"""Reminders: what is due is queued in an outbox and sent as one digest per person by SMTP.

`flask reminders run` and the scheduler (`flask reminders scheduler`) share `outbox.run`.
"""
from flask import Blueprint

bp = Blueprint("reminders", __name__, url_prefix="/reminders", cli_group="reminders")

from . import cli, views  # noqa: E402,F401
