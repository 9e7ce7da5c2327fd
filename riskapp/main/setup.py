"""Getting started: what exists in the database, as `rules.setup` needs it, and the links."""
from __future__ import annotations

from flask import url_for
from sqlalchemy import exists, func, select

from ..auth import permissions
from ..auth.models import Directorate, User
from ..committees.models import Committee
from ..extensions import db
from ..risks.models import AppetiteLevel, Band, Register, Risk
from ..rules import setup as rules
from ..settings.models import AppetiteCategory, Organisation


def is_day_one() -> bool:
    """No risks and no committees yet: the organisation is still setting up."""
    return not db.session.scalar(select(exists().where(Risk.id.isnot(None)))) and \
        not db.session.scalar(select(exists().where(Committee.id.isnot(None))))


def present() -> rules.Present:
    def count(column):
        return db.session.scalar(select(func.count(column))) or 0
    named = db.session.scalar(select(exists().where(Organisation.name != "")))
    return rules.Present(
        organisation_named=bool(named), directorates=count(Directorate.id),
        registers=count(Register.id), bands=count(Band.id),
        appetite_categories=count(AppetiteCategory.id), appetite_levels=count(AppetiteLevel.id),
        users=count(User.id), committees=count(Committee.id), risks=count(Risk.id))


def _link(step: rules.Step, user) -> str | None:
    """Where `user` does `step`, or None if it is someone else's job."""
    if step.needs == "organisation":
        return url_for("settings.organisation_settings") \
            if permissions.can_manage_organisation(user) else None
    if step.needs == "register":
        anchors = {"directorates": "directorates", "registers": "registers", "bands": "bands",
                   "appetite": "appetite-categories"}
        return url_for("settings.index") + "#" + anchors[step.key] \
            if permissions.can_configure_register(user) else None
    if step.needs == "users":
        return url_for("admin.users") if permissions.can_manage_users(user) else None
    if step.needs == "committees":
        return url_for("committees.index")
    if step.needs == "risks":
        return url_for("risks.new") if permissions.can_create_risk(user) else None
    return None


def setup_steps(user) -> tuple[list[tuple[rules.Step, str | None]], rules.Step | None]:
    all_steps = rules.steps(present())
    return [(step, _link(step, user)) for step in all_steps], rules.next_step(all_steps)
