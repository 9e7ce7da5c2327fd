"""`flask backup create` and `flask backup restore`: a consistent copy of the SQLite database.

SQLite's online backup API copies the database page by page under its own locks, so the copy is
consistent even while the app is serving and writing (WAL mode). For PostgreSQL, use the
server's tools, which do the same job properly:

    pg_dump --format=custom --file=riskapp.dump "$DATABASE_URL"
    pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" riskapp.dump
"""
from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy.engine import make_url

backup_cli = AppGroup("backup", help="Back up and restore the database.")

PG_GUIDANCE = """riskapp is on PostgreSQL: back it up with the server's own tools.
  pg_dump --format=custom --file=riskapp-$(date +%Y%m%d-%H%M).dump "$DATABASE_URL"
  pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" riskapp-YYYYMMDD-HHMM.dump
Run pg_dump from cron (or your platform's scheduled job) and keep copies off the server."""


def sqlite_path() -> Path | None:
    """The file of the app's SQLite database, or None for another database (or memory)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    return Path(url.database)


def copy_sqlite(source: Path, target: Path) -> None:
    """Copy `source` to `target` with the online backup API, then check the copy."""
    src = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
        dst.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
    finally:
        src.close()
        dst.close()
    check_backup(target)


def check_backup(path: Path) -> None:
    """Refuse a file that is not an intact riskapp database."""
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
            tables = {row[0] for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as err:
        raise click.ClickException(f"{path} is not a SQLite database: {err}")
    if result != "ok":
        raise click.ClickException(f"{path} is damaged: {result}")
    if not {"alembic_version", "risks", "users"} <= tables:
        raise click.ClickException(f"{path} is not a riskapp database")


@backup_cli.command("create")
@click.argument("target", required=False, type=click.Path(dir_okay=False, path_type=Path))
def create(target: Path | None):
    """Write a consistent copy of the SQLite database (default: instance/backups/)."""
    source = sqlite_path()
    if source is None:
        click.echo(PG_GUIDANCE)
        raise SystemExit(2)
    if target is None:
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M%S")
        target = Path(current_app.instance_path) / "backups" / f"riskapp-{stamp}.sqlite"
    if target.exists():
        raise click.ClickException(f"{target} exists: choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    copy_sqlite(source, target)
    target.chmod(0o600)  # it holds password hashes and board business
    click.echo(f"Backed up {source} to {target} ({target.stat().st_size:,} bytes)")


@backup_cli.command("restore")
@click.argument("backup", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the current database without asking.")
def restore(backup: Path, yes: bool):
    """Replace the SQLite database with BACKUP (stop the app and the scheduler first)."""
    target = sqlite_path()
    if target is None:
        click.echo(PG_GUIDANCE)
        raise SystemExit(2)
    check_backup(backup)
    if not yes:
        click.confirm(f"Replace {target} with {backup}?", abort=True)
    from .extensions import db
    db.engine.dispose()  # no pooled connection keeps the old pages
    src = sqlite3.connect(f"file:{backup}?mode=ro", uri=True)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        src.close()
        dst.close()
    click.echo(f"Restored {target} from {backup}")
