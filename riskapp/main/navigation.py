"""The service navigation, by role."""
from flask import url_for


def nav_items(user, endpoint: str) -> list[dict]:
    """Return the header navigation for `user`, marking the section of `endpoint` active."""
    if not user.is_authenticated:
        return []
    from ..auth.permissions import can_configure_register, can_manage_users
    items = [
        ("My risks", "risks.mine", "risks.mine"),
        ("My actions", "actions.mine", "actions."),
        ("Risk register", "risks.index", "risks."),
        ("Committees", "committees.index", "committees."),
        ("Meetings", "meetings.upcoming", "meetings."),
        ("Reports", "reports.index", "reports."),
        ("Reminders", "reminders.mine", "reminders."),
        ("Your account", "auth.account", "auth."),
    ]
    if can_configure_register(user):
        items.append(("Settings", "settings.index", "settings."))
    if can_manage_users(user):
        items.append(("Users", "admin.users", "admin."))
    result, active_found = [], False
    for label, target, prefix in items:
        exact = endpoint == target
        result.append({"label": label, "url": url_for(target), "active": exact, "prefix": prefix})
        active_found |= exact
    if not active_found:
        for item in result:
            if endpoint.startswith(item["prefix"]) and item["prefix"].endswith("."):
                item["active"] = True
                break
    return result
