"""`flask demo load`: the BLMK ICB Board Assurance Framework of November 2023."""
from __future__ import annotations

import click

from ..extensions import db
from . import bp
from .loader import DEMO_PASSWORD, load_demo


@bp.cli.command("load")
def load():
    """Load the demo BAF (idempotent: running it twice leaves the same 11 risks)."""
    summary = load_demo()
    db.session.commit()
    click.echo(f"Demo loaded: {summary['risks_created']} risks created, "
               f"{summary['risks_existing']} already there, {summary['users_created']} users created.")
    click.echo(f"Demo logins (password for all: {DEMO_PASSWORD}):")
    for email, role in summary["logins"]:
        click.echo(f"  {email:45} {role}")
