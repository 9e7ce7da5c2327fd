"""Export the register and its actions as CSV and XLSX, in the columns the import reads back.

Every text cell a spreadsheet could run as a formula is made inert by `riskapp.rules.cells`
(the one place for every CSV and XLSX the app writes); the import strips that again, so an
export imported unchanged changes nothing.
"""
from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font

from ..rules.cells import csv_bytes, neutralise, unneutralise  # noqa: F401 (the one place)
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..risks.models import Action, Band, Control, Register, Risk
from ..rules import scoring
from ..rules.actions import CLOSED_STATUSES

logger = logging.getLogger(__name__)



@dataclass(frozen=True)
class Column:
    header: str
    #: Read back by the import; read-only columns are information for the reader only.
    imported: bool = True
    required: bool = False


RISK_COLUMNS: tuple[Column, ...] = (
    Column("Reference"),
    Column("Register", required=True),
    Column("Title", required=True),
    Column("Description"),
    Column("Owner", imported=False),
    Column("Owner email", required=True),
    Column("Lead", imported=False),
    Column("Lead email"),
    Column("Directorate"),
    Column("Status", required=True),
    Column("Initial consequence", required=True),
    Column("Initial likelihood", required=True),
    Column("Current consequence", required=True),
    Column("Current likelihood", required=True),
    Column("Current score", imported=False),
    Column("Band", imported=False),
    Column("Target consequence"),
    Column("Target likelihood"),
    Column("Target date"),
    Column("Controls", imported=False),
    Column("Open actions", imported=False),
)

ACTION_COLUMNS: tuple[Column, ...] = (
    Column("Action ID"),
    Column("Risk reference", required=True),
    Column("Detail", required=True),
    Column("Assignee", imported=False),
    Column("Assignee email"),
    Column("Target date"),
    Column("Original target date", imported=False),
    Column("Status", required=True),
    Column("Completed on", imported=False),
)

SHEETS = {"Risks": RISK_COLUMNS, "Actions": ACTION_COLUMNS}


# --- Rows -------------------------------------------------------------------------------------

def risk_rows(register: Register | None = None) -> list[list]:
    """One row per risk, counts of controls and open actions included, in three queries."""
    controls = (select(Control.risk_id, func.count(Control.id).label("n"))
                .group_by(Control.risk_id).subquery())
    open_actions = (select(Action.risk_id, func.count(Action.id).label("n"))
                    .where(Action.status.not_in(CLOSED_STATUSES))
                    .group_by(Action.risk_id).subquery())
    stmt = (select(Risk, func.coalesce(controls.c.n, 0), func.coalesce(open_actions.c.n, 0))
            .outerjoin(controls, controls.c.risk_id == Risk.id)
            .outerjoin(open_actions, open_actions.c.risk_id == Risk.id)
            .options(joinedload(Risk.owner), joinedload(Risk.lead), joinedload(Risk.register),
                     joinedload(Risk.directorate))
            .order_by(Risk.register_id, Risk.number, Risk.reference))
    if register is not None:
        stmt = stmt.where(Risk.register_id == register.id)
    bands = [b.as_rule() for b in db.session.scalars(select(Band).order_by(Band.min_score))]
    rows = []
    for risk, n_controls, n_open in db.session.execute(stmt).unique():
        band = scoring.band_for(risk.current_score, bands)
        rows.append([
            risk.reference, risk.register.prefix, risk.title, risk.description or "",
            risk.owner.name, risk.owner.email, risk.lead.name if risk.lead else "",
            risk.lead.email if risk.lead else "",
            risk.directorate.name if risk.directorate else "", risk.status,
            risk.initial_consequence, risk.initial_likelihood,
            risk.current_consequence, risk.current_likelihood, risk.current_score,
            band.name if band else "", risk.target_consequence, risk.target_likelihood,
            risk.target_date, n_controls, n_open,
        ])
    return rows


def action_rows(register: Register | None = None) -> list[list]:
    """One row per action, with its risk's reference and its assignee, in one query."""
    stmt = (select(Action).join(Risk, Action.risk_id == Risk.id)
            .options(joinedload(Action.risk), joinedload(Action.assignee))
            .order_by(Risk.register_id, Risk.number, Action.id))
    if register is not None:
        stmt = stmt.where(Risk.register_id == register.id)
    rows = []
    for action in db.session.scalars(stmt):
        rows.append([
            action.id, action.risk.reference, action.detail,
            action.assignee.name if action.assignee else "",
            action.assignee.email if action.assignee else "",
            action.target_date, action.original_target_date, action.status, action.completed_on,
        ])
    return rows


def _as_at(register: Register | None, as_of: date):
    from ..auth.models import Directorate, User
    from ..record.as_at import register_as_at
    held = register_as_at(register.id if register else None, as_of)
    people = {u.id: u for u in db.session.scalars(select(User))}
    directorates = dict(db.session.execute(select(Directorate.id, Directorate.name)).all())
    prefixes = dict(db.session.execute(select(Register.id, Register.prefix)).all())
    return held, people, directorates, prefixes


def risk_rows_as_at(register: Register | None, as_of: date) -> list[list]:
    """risk_rows as riskapp held the register at the end of `as_of` (the version store)."""
    held, people, directorates, prefixes = _as_at(register, as_of)
    bands = [b.as_rule() for b in db.session.scalars(select(Band).order_by(Band.min_score))]
    rows = []
    for r in held:
        risk, owner, lead = r.risk, people.get(r.risk.owner_id), people.get(r.risk.lead_id)
        consequence, likelihood = r.current
        band = scoring.band_for(r.current_score, bands)
        rows.append([
            risk.reference, prefixes.get(risk.register_id, ""), risk.title,
            risk.description or "", owner.name if owner else "", owner.email if owner else "",
            lead.name if lead else "", lead.email if lead else "",
            directorates.get(risk.directorate_id, ""), risk.status,
            risk.initial_consequence, risk.initial_likelihood, consequence, likelihood,
            r.current_score, band.name if band else "", risk.target_consequence,
            risk.target_likelihood, risk.target_date, len(r.controls), len(r.open_actions()),
        ])
    return rows


def action_rows_as_at(register: Register | None, as_of: date) -> list[list]:
    """action_rows as riskapp held them at the end of `as_of` (the version store)."""
    held, people, _, _ = _as_at(register, as_of)
    rows = []
    for r in held:
        for action in r.actions:
            who = people.get(action.assignee_id)
            rows.append([action.id, r.reference, action.detail, who.name if who else "",
                         who.email if who else "", action.target_date,
                         action.original_target_date, action.status, action.completed_on])
    return rows


# --- Writers ----------------------------------------------------------------------------------

def to_csv(columns: Sequence[Column], rows: Iterable[Sequence]) -> bytes:
    """CSV in UTF-8 with a byte order mark, every text cell inert (`rules.cells`)."""
    return csv_bytes([c.header for c in columns], rows)


_CONTROL_CHARS = ILLEGAL_CHARACTERS_RE


def _xlsx_value(value):
    if isinstance(value, str):
        # XML cannot carry most control characters; openpyxl refuses them outright.
        return neutralise(_CONTROL_CHARS.sub("", value))
    return value


def to_xlsx(sheets: dict[str, tuple[Sequence[Column], Iterable[Sequence]]]) -> bytes:
    """A workbook with one sheet per entry, header row bold and frozen (streamed, write-only)."""
    workbook = Workbook(write_only=True)
    for title, (columns, rows) in sheets.items():
        sheet = workbook.create_sheet(title)
        sheet.freeze_panes = "A2"
        for index, column in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = max(
                12, min(60, len(column.header) + 4))
        header = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=column.header)
            cell.font = Font(bold=True)
            header.append(cell)
        sheet.append(header)
        for row in rows:
            sheet.append([_xlsx_cell(sheet, v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _xlsx_cell(sheet, value):
    if isinstance(value, str):
        cell = WriteOnlyCell(sheet, value=_xlsx_value(value))
        # Never a formula, whatever the text: openpyxl guesses one from a leading "=".
        cell.data_type = "s"
        return cell
    if isinstance(value, (date, datetime)):
        cell = WriteOnlyCell(sheet, value=value)
        cell.number_format = "yyyy-mm-dd"
        return cell
    return value


def export_filename(what: str, register: Register | None, fmt: str, today: date,
                    as_of: date | None = None) -> str:
    scope = re.sub(r"[^a-z0-9]+", "-", register.prefix.lower()) if register else "all"
    if as_of is not None:
        return f"{what}-{scope}-as-at-{as_of.isoformat()}.{fmt}"
    return f"{what}-{scope}-{today.isoformat()}.{fmt}"


FORMATS = {"csv": "text/csv",
           "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
#: Exports of more rows than this (risks and actions together) are made by the worker, off the
#: request (riskapp.jobs): a 5,000-risk workbook takes 7-16 s to write (issue 15, finding 1).
AT_ONCE_ROWS = 1_000


def rows_to_export(what: str, register: Register | None) -> int:
    """How many rows the export `what` of `register` has: two counts, no rows read."""
    count = 0
    if what in ("risks", "register"):
        stmt = select(func.count(Risk.id))
        count += db.session.scalar(stmt.where(Risk.register_id == register.id)
                                   if register else stmt) or 0
    if what in ("actions", "register"):
        stmt = select(func.count(Action.id)).join(Risk, Action.risk_id == Risk.id)
        count += db.session.scalar(stmt.where(Risk.register_id == register.id)
                                   if register else stmt) or 0
    return count


def export_file(what: str, fmt: str, register: Register | None, as_of: date | None,
                today: date, progress=lambda percent, step: None) -> tuple[str, str, bytes]:
    """The export `what` ("risks", "actions" or "register": both sheets) as `fmt`, of
    `register` (None: every register), as at the end of `as_of` (None: now): its file name,
    type and bytes. The page (small exports) and the worker (large ones) both call this."""
    sheets = {}
    if what in ("risks", "register"):
        progress(10, "Reading the risks")
        sheets["Risks"] = (RISK_COLUMNS, risk_rows(register) if as_of is None
                           else risk_rows_as_at(register, as_of))
    if what in ("actions", "register"):
        progress(40, "Reading the actions")
        sheets["Actions"] = (ACTION_COLUMNS, action_rows(register) if as_of is None
                             else action_rows_as_at(register, as_of))
    progress(70, "Writing the file")
    if fmt == "csv":
        ((columns, rows),) = sheets.values()
        body = to_csv(columns, rows)
    else:
        body = to_xlsx(sheets)
    return export_filename(what, register, fmt, today, as_of), FORMATS[fmt], body
