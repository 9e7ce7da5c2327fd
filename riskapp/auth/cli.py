"""`flask users create EMAIL --name NAME --role ROLE` and `flask users token EMAIL`."""
from __future__ import annotations

import sys

import click
from flask import current_app
from sqlalchemy import select

from ..extensions import db
from . import bp
from .models import ApiToken, Role, User

ROLE_CHOICES = [r.value for r in Role]


@bp.cli.command("create")
@click.argument("email")
@click.option("--name", default=None,
              help="Full name, as shown on the register (default: from the email address).")
@click.option("--role", type=click.Choice(ROLE_CHOICES), default="staff", show_default=True)
@click.option("--job-title", default=None)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user(email, name, role, job_title, password_stdin):
    """Create a user (the password is prompted for, or read from standard input)."""
    if db.session.scalar(User.by_email(email)) is not None:
        raise click.ClickException(f"A user with the email {email} already exists")
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    if len(password) < 8:
        raise click.ClickException("The password must be at least 8 characters")
    name = (name or "").strip() or name_from_email(email)
    user = User(email=email.strip().lower(), name=name, role=Role(role), job_title=job_title)
    user.set_password(password)
    db.session.add(user)
    db.session.commit()
    click.echo(f"Created {user.email} ({Role(role).label}) named {user.name}")


def name_from_email(email: str) -> str:
    """"jane.smith@example.nhs.uk" -> "Jane Smith": a start, changed later under Users."""
    local = email.strip().split("@")[0]
    words = [w for w in local.replace("_", ".").replace("-", ".").split(".") if w]
    return " ".join(w[:1].upper() + w[1:] for w in words) or email


@bp.cli.command("token")
@click.argument("email")
def create_token(email):
    """Print a new personal API token for EMAIL (its last line is the token)."""
    user = db.session.scalar(User.by_email(email))
    if user is None:
        raise click.ClickException(f"No user has the email {email}")
    token, secret = ApiToken.issue(user, current_app.config["API_TOKEN_DAYS"])
    db.session.add(token)
    db.session.commit()
    click.echo(f"Token for {user.email}, valid until {token.expires_at:%d %b %Y}. "
               "Send it as 'Authorization: Bearer <token>':")
    click.echo(secret)


@bp.cli.command("list")
def list_users():
    """List users with their roles."""
    for user in db.session.scalars(select(User).order_by(User.email)):
        click.echo(f"{user.email}\t{user.name}\t{user.role.value}\t{'active' if user.active else 'inactive'}")
