"""Who may do what. Plain predicates over a user and the object, used by views and the API.

DESIGN.md "Who uses it": owners and leads edit their risks; assignees progress their actions;
the risk manager does everything on risks and registers; the secretariat and board members
cannot change risk scores; the administrator manages users and settings.
"""
from __future__ import annotations

from flask import abort

from .models import Role


def require(allowed: bool) -> None:
    """Refuse the request with 403 unless `allowed`."""
    if not allowed:
        abort(403)


def is_risk_manager(user) -> bool:
    return user.is_authenticated and user.role == Role.RISK_MANAGER


def is_admin(user) -> bool:
    return user.is_authenticated and user.role == Role.ADMIN


def can_read(user) -> bool:
    """Every signed-in user may read the register (board members read everything)."""
    return user.is_authenticated and user.active


def can_create_risk(user) -> bool:
    return is_risk_manager(user)


def can_edit_risk(user, risk) -> bool:
    """Edit the risk's description, scores, controls, assurances and gaps."""
    return is_risk_manager(user) or (user.is_authenticated and risk.is_owned_or_led_by(user))


def can_rescore(user, risk) -> bool:
    """Record a review: only of an open risk (a closed one is no longer reviewed)."""
    return risk.status == "Open" and can_edit_risk(user, risk)


def can_escalate_risk(user) -> bool:
    """Moving a risk between registers (CRR to BAF and back) is the risk manager's call."""
    return is_risk_manager(user)


def can_manage_risk_settings(user, risk=None) -> bool:
    """Status, register, owner and lead: the risk manager's decisions."""
    return is_risk_manager(user)


def can_add_action(user, risk) -> bool:
    return can_edit_risk(user, risk)


def can_edit_action(user, action) -> bool:
    """Change everything about an action: the risk's owner/lead, or the risk manager."""
    return can_edit_risk(user, action.risk)


def can_progress_action(user, action) -> bool:
    """Add progress notes and change status: also the action's assignee."""
    return can_edit_action(user, action) or (
        user.is_authenticated and action.assignee_id == user.id)


def can_configure_register(user) -> bool:
    """Bands, appetite levels and categories, registers, directorates: the risk manager, and
    the administrator who sets riskapp up on day one."""
    return is_risk_manager(user) or is_admin(user)


def can_manage_organisation(user) -> bool:
    """The organisation's name and logo, and how people sign in."""
    return is_admin(user) and user.active


def can_manage_users(user) -> bool:
    return is_admin(user)


def can_import_register(user) -> bool:
    """Import risks and actions from a spreadsheet: the risk manager's job (DESIGN.md)."""
    return is_risk_manager(user) and user.active


def can_manage_committees(user) -> bool:
    """Committees, terms of reference, members and meetings: the secretariat (and the admin)."""
    return user.is_authenticated and user.active and user.role in (Role.SECRETARIAT, Role.ADMIN)


def can_read_committees(user) -> bool:
    """Board members and everyone signed in read committees and meetings."""
    return can_read(user)


def can_view_outbox(user) -> bool:
    """The reminder outbox (every reminder, to anyone, and its errors): administrators."""
    return is_admin(user) and user.active
