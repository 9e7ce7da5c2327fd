"""Filling ORM relationships from plain statements, shared by the pages that load that way.

The risk, committee and meeting pages load an object and its relationships with one plain
statement per table and set them with `set_committed_value`: the joinedload/selectinload
chains this replaced cost more CPU than the statements they ran (issue 9). Only relationships
not loaded yet are filled, so nothing already in the session (or changed in it) is
overwritten, and anything not filled still loads lazily when read.
"""
from __future__ import annotations

from sqlalchemy.orm.attributes import instance_dict, set_committed_value


def unloaded(obj, name: str) -> bool:
    """True if `obj.name` has not been loaded (or set) in this session yet."""
    return name not in instance_dict(obj)


def fill(obj, name: str, value) -> None:
    """Set a relationship as loaded from the database, unless it is loaded already.

    The session holds objects weakly: a related object is kept by setting the relationship
    to it, not merely by loading it in the same row.
    """
    if unloaded(obj, name):
        set_committed_value(obj, name, value)


def with_related(rows, name: str) -> list:
    """The first object of each (object, related) row, with `name` filled with the related one."""
    out = []
    for obj, related in rows:
        fill(obj, name, related)
        out.append(obj)
    return out
