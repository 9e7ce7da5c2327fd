"""Changes to risk actions. Flush, never commit."""
from __future__ import annotations

from datetime import date

from ..extensions import db
from ..risks.models import Action, ActionProgress, Risk
from ..risks.services import check_version, populate

ACTION_FIELDS = ("detail", "assignee_id", "target_date", "status", "completed_on")


def _apply_status(action: Action, today: date) -> None:
    if action.status == "Complete" and action.completed_on is None:
        action.completed_on = today
    elif action.status != "Complete":
        action.completed_on = None


def add_action(risk: Risk, data: dict, *, today: date) -> Action:
    action = new_action(risk, data, today=today)
    db.session.flush()
    return action


def new_action(risk: Risk, data: dict, *, today: date) -> Action:
    """`add_action` without the flush (an import of thousands flushes once)."""
    action = Action(risk=risk)
    populate(action, data, ACTION_FIELDS)
    action.original_target_date = action.target_date
    _apply_status(action, today)
    db.session.add(action)
    return action


def _move_target(action: Action, new_target: date | None) -> None:
    """Set a new target date, keeping the first one and counting the slip."""
    old_target = action.target_date
    if new_target == old_target:
        return
    action.target_date = new_target
    if action.original_target_date is None:
        action.original_target_date = old_target or new_target
    if old_target is not None:
        action.target_date_changes += 1


def update_action(action: Action, data: dict, *, seen_version, today: date) -> dict:
    """Change an action; a moved target date keeps the original and counts the slip."""
    check_version(action, seen_version)
    changes = set_action(action, data, today=today)
    db.session.flush()
    return changes


def set_action(action: Action, data: dict, *, today: date) -> dict:
    """`update_action` without the version check or the flush (an import flushes once)."""
    data = dict(data)
    if "target_date" in data:
        _move_target(action, data.pop("target_date"))
    changes = populate(action, data, ACTION_FIELDS)
    _apply_status(action, today)
    return changes


def record_progress(action: Action, note: str, status: str, *, by, today: date,
                    target_date: date | None = None, seen_version=None) -> ActionProgress:
    """Add a dated progress note, set the status, maybe move the target (an assignee's rights)."""
    check_version(action, seen_version)
    if target_date is not None:
        _move_target(action, target_date)
    progress = ActionProgress(action=action, noted_on=today, note=note.strip(),
                              by_id=by.id if by else None)
    db.session.add(progress)
    action.status = status
    _apply_status(action, today)
    db.session.flush()
    return progress
