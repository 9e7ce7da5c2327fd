"""`flask worker`: the process that runs the long work (a Huey consumer)."""
from __future__ import annotations

import logging

import click
from flask import current_app
from flask.cli import with_appcontext

from . import bp, queue

logger = logging.getLogger(__name__)


@bp.cli.command("worker")
@click.option("--workers", type=click.IntRange(1, 16), default=1, show_default=True,
              help="How many jobs to run at once (one per CPU core at most).")
@with_appcontext
def worker(workers: int) -> None:
    """Run the long work (packs, large exports, imports) until stopped (Ctrl+C or SIGTERM)."""
    from ..extensions import db
    from ..serving import prepare_for_requests
    app = current_app._get_current_object()
    prepare_for_requests(app)
    huey = queue.huey_for(app)

    # Each job runs in a process of its own (Huey forks them at start): a pack is mostly
    # Python drawing pages, and threads would share one interpreter lock, so two packs asked
    # for at once would take as long as both one after the other. A forked process must not
    # use its parent's database connections: the parent lets go of its own before the fork,
    # and each worker starts with an empty pool (SQLAlchemy's advice for os.fork()).
    @huey.on_startup(name="riskapp.fresh_database_connections")
    def fresh_database_connections() -> None:
        with app.app_context():
            db.engine.dispose(close=False)

    db.engine.dispose()
    # An idle worker looks for new work at least every second (Huey's default backs off to
    # 10 s): a small job (a BAF cover paper of 20 risks) is then ready about as soon as asked.
    consumer = huey.create_consumer(workers=workers, worker_type="process", periodic=True,
                                    check_worker_health=True, max_delay=1.0)
    click.echo(f"Worker running {workers} job(s) at a time; stop with Ctrl+C.")
    consumer.run()
