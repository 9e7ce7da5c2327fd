"""`flask report ...`: the BAF pack PDF from the command line (the same PDF as the download)."""
from __future__ import annotations

import logging
from pathlib import Path

import click
from sqlalchemy import func, or_, select

from ..committees.models import Committee
from ..extensions import db
from ..risks.models import Register
from . import bp
from .pack import Selection, draw_pack
from ..settings.organisation import name as organisation_name

logger = logging.getLogger(__name__)


def find_register(name: str) -> Register | None:
    """A register by its prefix (BAF) or its name, ignoring case."""
    value = name.strip().lower()
    return db.session.scalar(select(Register).where(or_(
        func.lower(Register.prefix) == value, func.lower(Register.name) == value)))


def find_committee(name: str) -> Committee | None:
    """A committee by its name or short name (ARAC), ignoring case."""
    value = name.strip().lower()
    return db.session.scalars(select(Committee).where(or_(
        func.lower(Committee.name) == value, func.lower(Committee.short_name) == value))
        .order_by(Committee.id)).first()


@bp.cli.command("baf")
@click.option("--register", "register_name", required=True,
              help="Register prefix or name, e.g. BAF.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the PDF.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="Report as at this date (YYYY-MM-DD); default today.")
@click.option("--committee", "committee_name", help="Only risks this committee oversees.")
@click.option("--fy", type=click.IntRange(2000, 2100),
              help="Financial year of the movement table by its first year, e.g. 2023 for 23/24.")
def baf_command(register_name, out, as_of, committee_name, fy):
    """Write the BAF pack (heatmap report) of a register as a PDF."""
    register = find_register(register_name)
    if register is None:
        known = ", ".join(r.prefix for r in db.session.scalars(select(Register)))
        raise click.BadParameter(f"no register {register_name!r} (known: {known})",
                                 param_hint="--register")
    committee = None
    if committee_name:
        committee = find_committee(committee_name)
        if committee is None:
            raise click.BadParameter(f"no committee {committee_name!r}", param_hint="--committee")
    selection = Selection(register=register, committee=committee,
                          as_of=as_of.date() if as_of else None)
    from ..settings import organisation
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("wb") as handle:
        pack = draw_pack(selection, handle, organisation=organisation.name(),
                         logo=organisation.logo(), author="riskapp (flask report baf)", fy=fy,
                         via="command line")
    tmp.replace(out)  # never leave half a PDF where the reader expects a whole one
    db.session.commit()  # the pack is on record as drawn (the cover paper's "since")
    actions = sum(len(r.actions) for r in pack.risks)
    click.echo(f"Wrote {out}: {len(pack.risks)} risks, {actions} actions, "
               f"financial year {pack.fy_label}.")


@bp.cli.command("cover")
@click.option("--register", "register_name", required=True,
              help="Register prefix or name, e.g. BAF.")
@click.option("--since", "since", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date of the last paper (YYYY-MM-DD): changes are counted after it. "
                   "Default: the last BAF pack drawn for the register, else the end of last "
                   "month.")
@click.option("--as-of", "as_of", type=click.DateTime(formats=["%Y-%m-%d"]),
              help="The date of this paper (YYYY-MM-DD); default today.")
@click.option("--meeting", default="Audit and Risk Assurance Committee", show_default=True,
              help="Who the paper goes to.")
@click.option("--out", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Where to write the Word document (.docx).")
def cover_command(register_name, since, as_of, meeting, out):
    """Draft the cover paper of a register between two dates as a Word document."""
    from datetime import date

    from .cover import CoverError, build_cover, default_since
    from .cover_docx import render_cover_docx
    register = find_register(register_name)
    if register is None:
        known = ", ".join(r.prefix for r in db.session.scalars(select(Register)))
        raise click.BadParameter(f"no register {register_name!r} (known: {known})",
                                 param_hint="--register")
    as_of_day = as_of.date() if as_of else date.today()
    try:
        since_day = since.date() if since else default_since(register, as_of_day)
        paper = build_cover(register, since_day, as_of_day,
                            organisation=organisation_name(),
                            meeting=meeting)
    except CoverError as refusal:
        raise click.BadParameter(refusal.message,
                                 param_hint="--since" if refusal.field == "since" else "--as-of")
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".part")
    with tmp.open("wb") as handle:
        render_cover_docx(paper, handle)
    tmp.replace(out)
    statements = sum(len(s.statements) for s in paper.sections)
    click.echo(f"Wrote {out}: cover paper of {register.name}, {paper.since} to {paper.as_of}, "
               f"{statements} statements.")
