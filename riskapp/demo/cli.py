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


@bp.cli.command("scale")
@click.option("--risks", type=click.IntRange(1, 100_000), default=5000, show_default=True,
              help="How many risks to generate; everything else scales in proportion.")
@click.option("--seed", type=int, default=1, show_default=True,
              help="Random seed: the same seed (and --today) gives the same data.")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Generate as if today were this day (YYYY-MM-DD). Default: today.")
def scale(risks, seed, today):
    """Fill the database with a large trust's register (for benchmarks), on top of the demo."""
    from .scale import AlreadyScaled, ScalePlan, build_scale

    plan = ScalePlan(risks)
    try:
        with click.progressbar(length=plan.rows(), label=f"Generating {risks} risks") as bar:
            counts = build_scale(risks, seed=seed, today=today.date() if today else None,
                                 progress=bar.update)
    except AlreadyScaled as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    _analyze()
    click.echo(f"Generated {sum(counts.values())} rows (seed {seed}):")
    for table, n in counts.items():
        click.echo(f"  {table:22} {n:>8}")


def _analyze() -> None:
    """On PostgreSQL, vacuum and analyze what was just loaded, as its manual advises after a
    bulk load: the planner gets statistics (a committee's risk count became an index-only
    scan, 1.8 -> 0.9 ms), and autovacuum does not do the same work a minute later in the
    middle of whatever runs next (the benchmark). SQLite keeps no statistics unless asked
    (ANALYZE), and its pages were tuned without them."""
    with db.engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
                "VACUUM ANALYZE")
