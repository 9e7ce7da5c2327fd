"""Meeting statuses: what can be recorded about a meeting, and when.

No Flask, no SQLAlchemy: the service passes the meeting's start and the time now.
"""
from __future__ import annotations

from datetime import datetime

HELD = "Held"


def held_too_early(status: str, starts_at: datetime | None, now: datetime) -> str | None:
    """Refuse "Held" for a meeting that has not started yet; return the reason, or None.

    A meeting in the future marked held would count in the year's attendance report as a
    meeting every member missed.
    """
    if status == HELD and starts_at is not None and starts_at > now:
        return ("A meeting can only be marked as held once it has started. "
                "Leave it as planned until then")
    return None
