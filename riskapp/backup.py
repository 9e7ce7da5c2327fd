"""`flask backup create` and `flask backup restore`: a consistent copy of the SQLite database,
with the meeting papers' files beside it.

Papers are files (RISKAPP_PAPERS_DIR), not rows, so a copy of the database alone restores
papers whose files are gone. `create` copies the database first, then every file the copy's
`papers` table names into `<backup>.papers/`: a paper's file is written once under a random
name and never changed or removed (a newer version is a new file), so the files a database
copy names are exactly the ones it needs, whatever is uploaded meanwhile. `restore` puts back
the files missing from the papers folder and never overwrites one. `flask backup papers DIR`
does the same copy for PostgreSQL (beside pg_dump).

SQLite's online backup API copies the database page by page under its own locks, so the copy is
consistent even while the app is serving and writing (WAL mode). For PostgreSQL, use the
server's tools, which do the same job properly:

    pg_dump --format=custom --file=riskapp.dump "$DATABASE_URL"
    pg_restore --clean --if-exists --no-owner --dbname="$DATABASE_URL" riskapp.dump
"""
from __future__ import annotations

import re
import shutil
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
Then copy the meeting papers the dump names: flask backup papers riskapp-YYYYMMDD-HHMM.papers
Run both from cron (or your platform's scheduled job) and keep copies off the server."""

STORED_NAME = re.compile(r"[0-9a-f]{40}\.(pdf|docx)")


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


def papers_folder_of(backup: Path) -> Path:
    """Where a backup's paper files are: beside it, `<backup>.papers/`."""
    return backup.with_name(backup.name + ".papers")


def _stored_names(rows) -> list[str]:
    # Only names riskapp makes (hex and a known suffix): a damaged or hostile backup cannot
    # make restore write outside the papers folder.
    return sorted({name for (name,) in rows if name and STORED_NAME.fullmatch(name)})


def stored_names_in_sqlite(path: Path) -> list[str]:
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return _stored_names(connection.execute("SELECT stored_name FROM papers"))
    except sqlite3.OperationalError:  # a database from before papers existed
        return []
    finally:
        connection.close()


def copy_paper_files(names: list[str], source: Path, target: Path) -> tuple[int, list[str]]:
    """Copy the named files from `source` to `target`, never overwriting one there already;
    (how many were copied, the names missing from `source`)."""
    if not target.exists():
        target.mkdir(parents=True)
        target.chmod(0o700)  # board papers, some private business
    copied, missing = 0, []
    for name in names:
        if (target / name).exists():
            continue
        if not (source / name).is_file():
            missing.append(name)
            continue
        shutil.copy2(source / name, target / name)
        (target / name).chmod(0o600)
        copied += 1
    return copied, missing


def _say_missing(missing: list[str], where: Path) -> None:
    if missing:
        click.echo(f"Warning: {len(missing)} paper file{'' if len(missing) == 1 else 's'} "
                   f"named by the database {'is' if len(missing) == 1 else 'are'} not in "
                   f"{where}: " + ", ".join(missing[:10]), err=True)


@backup_cli.command("papers")
@click.argument("target", type=click.Path(file_okay=False, path_type=Path))
def papers_backup(target: Path):
    """Copy every meeting paper's file the database names into TARGET (for PostgreSQL
    backups; `create` does this itself on SQLite)."""
    from sqlalchemy import select

    from .extensions import db
    from .meetings.models import Paper
    from .meetings.papers import papers_dir
    names = _stored_names(db.session.execute(select(Paper.stored_name)))
    copied, missing = copy_paper_files(names, papers_dir(), target)
    click.echo(f"Copied {copied} paper file{'' if copied == 1 else 's'} to {target}")
    _say_missing(missing, papers_dir())


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
    # After the database: the files its copy names were all written before it was taken.
    from .meetings.papers import papers_dir
    folder = papers_folder_of(target)
    copied, missing = copy_paper_files(stored_names_in_sqlite(target), papers_dir(), folder)
    click.echo(f"Copied {copied} paper file{'' if copied == 1 else 's'} to {folder}")
    _say_missing(missing, papers_dir())


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
    from .meetings.papers import papers_dir
    folder = papers_folder_of(backup)
    copied, missing = copy_paper_files(stored_names_in_sqlite(target), folder, papers_dir())
    click.echo(f"Put back {copied} paper file{'' if copied == 1 else 's'} from {folder}")
    _say_missing(missing, folder)
