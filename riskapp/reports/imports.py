"""Import risks and actions from XLSX or CSV in the export's columns: all or nothing.

Three steps, each usable alone:

1. `read_upload(filename, data, limits)` checks the file (size, kind, zip bomb, columns) and
   returns plain `Table`s of cell values, or raises `ImportRefused` with a message for the user.
   `check_file` is its first part (size, kind), cheap enough for the web request.
2. `plan_import(tables)` checks every row against the database and returns a `Plan`: what each
   row would do (add, update, nothing) and every problem as (sheet, row, column, message).
3. `apply_plan(plan, by=..., today=...)` makes the changes through the risk and action services
   (so versions and audit rows work as for a change on screen) and flushes; the caller commits
   once, or rolls back, so a file is saved whole or not at all.

Reading, planning and applying run in `flask worker` (riskapp.reports.import_jobs): the
preview page shows the plan from the check's result; confirming asks the worker to plan the
same tables again against the database as it is then, and to apply them.
"""
from __future__ import annotations

import csv
import io
import logging
import re
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..actions import services as action_services
from ..auth.models import Directorate, User
from ..extensions import db
from ..risks import services as risk_services
from ..risks.models import RISK_STATUSES, Action, Register, Risk
from ..rules.actions import STATUSES as ACTION_STATUSES
from .exports import ACTION_COLUMNS, RISK_COLUMNS, SHEETS, Column, unneutralise

logger = logging.getLogger(__name__)

XLSX_MAGIC = b"PK\x03\x04"
#: Members every .xlsx has; a .docx or any other zip renamed .xlsx lacks the second.
XLSX_MEMBERS = ("[Content_Types].xml", "xl/workbook.xml")


class ImportRefused(Exception):
    """The file as a whole cannot be imported; the message says why, for the user."""


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 2 * 1024 * 1024
    #: Total uncompressed size of the xlsx members: a zip bomb is refused before parsing.
    max_uncompressed: int = 50 * 1024 * 1024
    max_members: int = 200
    max_rows: int = 10_000
    #: Cells in all the sheets: a register export of max_rows rows has ~30 columns. Counted in
    #: the XML before openpyxl parses it, so one row of 900,000 cells never ties up a worker.
    max_cells: int = 400_000

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(max_bytes=config.get("IMPORT_MAX_BYTES", cls.max_bytes),
                   max_uncompressed=config.get("IMPORT_MAX_UNCOMPRESSED_BYTES",
                                               cls.max_uncompressed),
                   max_rows=config.get("IMPORT_MAX_ROWS", cls.max_rows),
                   max_cells=config.get("IMPORT_MAX_CELLS", cls.max_cells))


@dataclass
class Table:
    """One sheet of the upload: "Risks" or "Actions", its headers and its rows of values.

    Values are JSON-safe (str, int, float, None; dates as ISO text) so a table can be signed
    into the preview's confirm form and read back unchanged.
    """

    kind: str
    headers: list[str]
    #: (spreadsheet row number, values in header order)
    rows: list[tuple[int, list]]

    def as_json(self) -> dict:
        return {"kind": self.kind, "headers": self.headers, "rows": self.rows}

    @classmethod
    def from_json(cls, data: dict) -> "Table":
        if data.get("kind") not in SHEETS:
            raise ImportRefused("The import could not be read back; upload the file again.")
        return cls(data["kind"], list(data["headers"]),
                   [(int(n), list(values)) for n, values in data["rows"]])


def _human_size(n: int) -> str:
    return f"{n / 1024 / 1024:.1f} MB" if n >= 1024 * 1024 else f"{n / 1024:.0f} KB"


# --- Step 1: read the file ---------------------------------------------------------------------

def check_file(filename: str, data: bytes, limits: Limits = Limits()) -> None:
    """The checks that need no unpacking or parsing (empty, size, kind), made at once when
    the file is uploaded; raise ImportRefused with the reason."""
    name = (filename or "").lower()
    if not data:
        raise ImportRefused("The selected file is empty.")
    if len(data) > limits.max_bytes:
        raise ImportRefused(f"The selected file must be smaller than "
                            f"{_human_size(limits.max_bytes)} (it is {_human_size(len(data))}).")
    if name.endswith(".xlsx"):
        if not data.startswith(XLSX_MAGIC):
            raise ImportRefused("The selected file is not a spreadsheet: it is named .xlsx but "
                                "is not an Excel workbook.")
    elif name.endswith(".csv"):
        if b"\x00" in data[:4096]:
            raise ImportRefused("The selected file is not a spreadsheet: a CSV file is text.")
    else:
        raise ImportRefused("The selected file is not a spreadsheet: upload an Excel workbook "
                            "(.xlsx) or a CSV file (.csv), as the export gives.")


def read_upload(filename: str, data: bytes, limits: Limits = Limits()) -> list[Table]:
    """Check the upload and return its tables; raise ImportRefused with the reason."""
    check_file(filename, data, limits)
    if (filename or "").lower().endswith(".xlsx"):
        tables = _read_xlsx(data, limits)
    else:
        tables = [_read_csv(data, limits)]
    if not any(t.rows for t in tables):
        raise ImportRefused("The selected file has no rows under its header row.")
    return tables


def _check_zip(data: bytes, limits: Limits) -> None:
    """Refuse a zip bomb: count the bytes each member really inflates to, up to the limit."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise ImportRefused("The selected file is not a spreadsheet: the workbook is damaged.")
    with archive:
        members = archive.infolist()
        names = {m.filename for m in members}
        if not all(member in names for member in XLSX_MEMBERS):
            raise ImportRefused("The selected file is not a spreadsheet: it is a zip file but "
                                "not an Excel workbook.")
        if len(members) > limits.max_members:
            raise ImportRefused("The selected file has too many parts to be a register export.")
        declared = sum(m.file_size for m in members)
        if declared > limits.max_uncompressed:
            raise ImportRefused(_bomb_message(limits))
        # Headers can lie about sizes: inflate for real, never more than the limit. Cells
        # of the sheets are counted on the way.
        total = cells = 0
        try:
            for member in members:
                sheet = member.filename.startswith("xl/worksheets/")
                carried = b""
                with archive.open(member) as handle:
                    while chunk := handle.read(64 * 1024):
                        total += len(chunk)
                        if total > limits.max_uncompressed:
                            raise ImportRefused(_bomb_message(limits))
                        if sheet:
                            # A tag cut by the chunk's end is counted with the next chunk.
                            text = carried + chunk
                            whole = text.rfind(b"<")
                            cells += len(_CELL_TAG.findall(text, 0, max(whole, 0)))
                            carried = text[max(whole, 0):]
                            if cells > limits.max_cells:
                                raise ImportRefused(_cells_message(limits))
                cells += len(_CELL_TAG.findall(carried))
                if cells > limits.max_cells:
                    raise ImportRefused(_cells_message(limits))
        except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError):
            raise ImportRefused("The selected file is not a spreadsheet: the workbook is "
                                "damaged.")


#: A cell's opening tag in sheet XML: <c ...>, <c>, <c/>, or with a namespace prefix (<x:c ...>).
_CELL_TAG = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?c[\s>/]")


def _cells_message(limits: Limits) -> str:
    return (f"The selected file has more than {limits.max_cells:,} cells, far more than a "
            f"register export; it has not been opened. Remove the extra columns, or split "
            f"the file.")


def _bomb_message(limits: Limits) -> str:
    return (f"The selected file unpacks to more than {_human_size(limits.max_uncompressed)}, "
            f"far more than a register export; it has not been opened.")


def _read_xlsx(data: bytes, limits: Limits) -> list[Table]:
    _check_zip(data, limits)
    from openpyxl import load_workbook  # uses defusedxml when installed (it is a requirement)
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds for a damaged workbook
        logger.info("unreadable workbook: %s", error)
        raise ImportRefused("The selected file is not a spreadsheet that can be read: "
                            "save it again from Excel as .xlsx.")
    try:
        tables = []
        sheets = {ws.title.strip().lower(): ws for ws in workbook.worksheets}
        chosen = [(kind, sheets[kind.lower()]) for kind in SHEETS if kind.lower() in sheets]
        if not chosen and workbook.worksheets:
            chosen = [(None, workbook.worksheets[0])]
        for kind, sheet in chosen:
            rows = _sheet_rows(sheet, limits)
            tables.append(_table(kind, rows, sheet.title))
        return tables
    finally:
        workbook.close()


def _sheet_rows(sheet, limits: Limits) -> list[list]:
    rows = []
    for values in sheet.iter_rows(values_only=True):
        rows.append([_json_value(v) for v in values])
        if len(rows) > limits.max_rows + 1:
            raise ImportRefused(f"The sheet {sheet.title!r} has more than {limits.max_rows} "
                                f"rows; split the file.")
    return rows


def _json_value(value):
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() \
            else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (str, int, float)) or value is None:
        return value
    return str(value)


def _read_csv(data: bytes, limits: Limits) -> Table:
    if b"\x00" in data[:4096]:
        raise ImportRefused("The selected file is not a spreadsheet: a CSV file is text.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")  # Excel's "CSV" on Windows
    try:
        rows = []
        cells = 0
        for values in csv.reader(io.StringIO(text, newline="")):
            rows.append(values)
            cells += len(values)
            if len(rows) > limits.max_rows + 1:
                raise ImportRefused(f"The file has more than {limits.max_rows} rows; split it.")
            if cells > limits.max_cells:
                raise ImportRefused(_cells_message(limits))
    except csv.Error:
        raise ImportRefused("The selected file is not a CSV file that can be read.")
    return _table(None, rows, "CSV file")


def _norm(header) -> str:
    return " ".join(str(header or "").split()).lower()


def _table(kind: str | None, rows: list[list], where: str) -> Table:
    """Check the header row against the export's columns and keep the non-empty rows."""
    if not rows:
        raise ImportRefused(f"The {where} is empty: it needs the export's header row.")
    header = [str(h).strip() if h is not None else "" for h in rows[0]]
    while header and not header[-1]:
        header.pop()
    present = {_norm(h) for h in header}
    if kind is None:  # a CSV, or a workbook whose sheets were renamed: tell by the headers
        kind = "Actions" if "action id" in present or "detail" in present else "Risks"
    columns = SHEETS[kind]
    known = {_norm(c.header): c for c in columns}
    unknown = [h for h in header if _norm(h) not in known]
    missing = [c.header for c in columns if c.required and _norm(c.header) not in present]
    duplicated = sorted({h for h in header if [_norm(x) for x in header].count(_norm(h)) > 1})
    if unknown or missing or duplicated:
        problems = []
        if missing:
            problems.append("missing " + ", ".join(missing))
        if unknown:
            problems.append("not recognised " + ", ".join(h or "(blank)" for h in unknown))
        if duplicated:
            problems.append("repeated " + ", ".join(duplicated))
        raise ImportRefused(
            f"The {where} does not have the columns of a {kind.lower()} export "
            f"({'; '.join(problems)}). The columns must be: "
            f"{', '.join(c.header for c in columns)}.")
    headers = [known[_norm(h)].header for h in header]
    body = []
    for number, values in enumerate(rows[1:], start=2):
        values = list(values[:len(headers)]) + [None] * (len(headers) - len(values))
        if all(v is None or (isinstance(v, str) and not v.strip()) for v in values):
            continue
        body.append((number, values))
    return Table(kind, headers, body)


# --- Step 2: plan ----------------------------------------------------------------------------

@dataclass(frozen=True)
class RowError:
    sheet: str
    row: int
    column: str
    message: str


@dataclass
class RowPlan:
    sheet: str
    row: int
    #: "add", "update" or "unchanged"
    outcome: str
    label: str
    target: object = None
    data: dict = field(default_factory=dict)
    changed: list[str] = field(default_factory=list)
    #: New current (consequence, likelihood) when the current score changes.
    rescore: tuple[int, int] | None = None


@dataclass
class Plan:
    rows: list[RowPlan] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def count(self, sheet: str, outcome: str) -> int:
        return sum(1 for r in self.rows if r.sheet == sheet and r.outcome == outcome)

    def errors_by_row(self) -> list[tuple[str, int, list[RowError]]]:
        grouped: dict[tuple[str, int], list[RowError]] = {}
        for error in self.errors:
            grouped.setdefault((error.sheet, error.row), []).append(error)
        return [(sheet, row, errs) for (sheet, row), errs in grouped.items()]


class _Row:
    """Cell access for one row, collecting errors against its column names."""

    def __init__(self, plan: Plan, table: Table, number: int, values: list):
        self.plan, self.sheet, self.number = plan, table.kind, number
        self.cells = dict(zip(table.headers, values))
        self.failed = False

    def has(self, column: str) -> bool:
        return column in self.cells

    def error(self, column: str, message: str) -> None:
        self.plan.errors.append(RowError(self.sheet, self.number, column, message))
        self.failed = True

    def text(self, column: str) -> str | None:
        value = self.cells.get(column)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        value = unneutralise(str(value))
        return value if value.strip() else None

    def required_text(self, column: str, max_length: int | None = None) -> str | None:
        value = self.text(column)
        if value is None:
            self.error(column, f"Enter {column.lower()}")
            return None
        value = value.strip()
        if max_length and len(value) > max_length:
            self.error(column, f"{column} must be {max_length} characters or fewer "
                               f"(it is {len(value)})")
            return None
        return value

    def rating(self, column: str, required: bool) -> int | None:
        value = self.cells.get(column)
        if value is None or (isinstance(value, str) and not value.strip()):
            if required:
                self.error(column, f"Enter {column.lower()}, a whole number from 1 to 5")
            return None
        number = None
        if isinstance(value, bool):
            number = None
        elif isinstance(value, int):
            number = value
        elif isinstance(value, float) and value.is_integer():
            number = int(value)
        elif isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            number = int(value.strip())
        if number is None or not 1 <= number <= 5:
            self.error(column, f"{column} must be a whole number from 1 to 5, not {value!r}")
            return None
        return number

    def day(self, column: str) -> date | None:
        value = self.text(column)
        if value is None:
            return None
        value = value.strip()
        for parse in (date.fromisoformat, lambda v: datetime.strptime(v, "%d/%m/%Y").date(),
                      lambda v: datetime.fromisoformat(v).date()):
            try:
                return parse(value)
            except ValueError:
                continue
        self.error(column, f"{column} must be a date like 2024-03-31, not {value!r}")
        return None

    def choice(self, column: str, choices: Sequence[str]) -> str | None:
        value = self.text(column)
        if value is None:
            self.error(column, f"Enter {column.lower()}: one of {', '.join(choices)}")
            return None
        by_lower = {c.lower(): c for c in choices}
        if value.strip().lower() not in by_lower:
            self.error(column, f"{column} must be one of {', '.join(choices)}, not {value!r}")
            return None
        return by_lower[value.strip().lower()]


class _Lookups:
    """Everything the rows refer to, loaded in a handful of queries for the whole file."""

    def __init__(self, tables: list[Table]):
        refs, action_ids, emails = set(), set(), set()
        for table in tables:
            for _, values in table.rows:
                cells = dict(zip(table.headers, values))
                for column in ("Reference", "Risk reference"):
                    if cells.get(column) not in (None, ""):
                        refs.add(str(cells[column]).strip().upper())
                for column in ("Owner email", "Lead email", "Assignee email"):
                    if cells.get(column) not in (None, ""):
                        emails.add(str(cells[column]).strip().lower())
                if table.kind == "Actions" and cells.get("Action ID") not in (None, ""):
                    try:
                        action_ids.add(int(float(cells["Action ID"])))
                    except (TypeError, ValueError):
                        pass
        self.registers = list(db.session.scalars(select(Register)))
        self.directorates = {d.name.lower(): d for d in db.session.scalars(select(Directorate))}
        self.users = {u.email.lower(): u for u in db.session.scalars(
            select(User).where(func.lower(User.email).in_(emails)))} if emails else {}
        self.risks = {r.reference.upper(): r for r in db.session.scalars(
            select(Risk).where(Risk.reference.in_(refs))
            .options(selectinload(Risk.actions), selectinload(Risk.score_records)))} \
            if refs else {}
        self.actions = {a.id: a for a in db.session.scalars(
            select(Action).where(Action.id.in_(action_ids))
            .options(joinedload(Action.risk)))} if action_ids else {}

    def register(self, value: str) -> Register | None:
        value = value.strip().lower()
        for register in self.registers:
            if value in (register.prefix.lower(), register.name.lower()):
                return register
        return None


def plan_import(tables: list[Table]) -> Plan:
    """Check every row against the database; say what each would do and every problem."""
    plan = Plan()
    lookups = _Lookups(tables)
    for table in tables:
        if table.kind == "Risks":
            _plan_risks(plan, table, lookups)
        else:
            _plan_actions(plan, table, lookups)
    return plan


def _person(row: _Row, column: str, lookups: _Lookups, current_id: int | None,
            what: str) -> tuple[bool, int | None]:
    """Resolve an e-mail column to a user id; (False, None) when it is refused."""
    email = row.text(column)
    if email is None:
        return True, None
    user = lookups.users.get(email.strip().lower())
    if user is None:
        row.error(column, f"Unknown {what}: no user has the e-mail address {email.strip()!r}")
        return False, None
    if not user.active and user.id != current_id:
        row.error(column, f"{user.name} ({email.strip()}) is not an active user")
        return False, None
    return True, user.id


def _filled(data: dict) -> list[str]:
    """The fields a new row sets (blank ones are left at their defaults)."""
    return sorted(k for k, v in data.items() if v not in (None, ""))


def _same(old, new) -> bool:
    """Equal as a spreadsheet keeps them: blank is None, line endings and edge spaces ignored."""
    if isinstance(old, str) or isinstance(new, str):
        def text(value):
            return str(value or "").replace("\r\n", "\n").replace("\r", "\n").strip()
        return text(old) == text(new)
    return old == new


def _plan_risks(plan: Plan, table: Table, lookups: _Lookups) -> None:
    seen: dict[str, int] = {}
    for number, values in table.rows:
        row = _Row(plan, table, number, values)
        reference = (row.text("Reference") or "").strip().upper() or None
        risk = None
        if reference:
            if reference in seen:
                row.error("Reference", f"{reference} is also on row {seen[reference]}: a risk "
                                       f"can appear once")
            seen.setdefault(reference, number)
            risk = lookups.risks.get(reference)
            if risk is None:
                row.error("Reference", f"No risk has the reference {reference}: leave Reference "
                                       f"blank to add a new risk")
        register = None
        register_text = row.text("Register")
        if register_text is None:
            if risk is None:
                row.error("Register", "Enter the register of the new risk, e.g. BAF")
        else:
            register = lookups.register(register_text)
            if register is None:
                row.error("Register", f"Unknown register {register_text.strip()!r}")
            elif risk is not None and register.id != risk.register_id:
                row.error("Register", f"{reference} is on the {risk.register.prefix} register; "
                                      f"a risk cannot move register by import")
        data: dict = {"title": row.required_text("Title", max_length=300)}
        if row.has("Description"):
            data["description"] = row.text("Description") or ""
        ok, owner_id = _person(row, "Owner email", lookups, risk.owner_id if risk else None,
                               "owner")
        if ok and owner_id is None:
            row.error("Owner email", "Enter the owner's e-mail address")
        data["owner_id"] = owner_id
        if row.has("Lead email"):
            _, data["lead_id"] = _person(row, "Lead email", lookups,
                                         risk.lead_id if risk else None, "lead")
        if row.has("Directorate"):
            name = row.text("Directorate")
            directorate = lookups.directorates.get(name.strip().lower()) if name else None
            if name and directorate is None:
                row.error("Directorate", f"Unknown directorate {name.strip()!r}")
            data["directorate_id"] = directorate.id if directorate else None
        data["status"] = row.choice("Status", RISK_STATUSES)
        for prefix in ("initial", "current"):
            for part in ("consequence", "likelihood"):
                column = f"{prefix.capitalize()} {part}"
                data[f"{prefix}_{part}"] = row.rating(column, required=True)
        target_given = False
        for part in ("consequence", "likelihood"):
            column = f"Target {part}"
            if row.has(column):
                data[f"target_{part}"] = row.rating(column, required=False)
                target_given = True
        if target_given and (data.get("target_consequence") is None) != (
                data.get("target_likelihood") is None) and not row.failed:
            missing = "Target likelihood" if data.get("target_likelihood") is None \
                else "Target consequence"
            row.error(missing, "Give both the target consequence and likelihood, or neither")
        if row.has("Target date"):
            data["target_date"] = row.day("Target date")
        if row.failed:
            continue
        current = (data.pop("current_consequence"), data.pop("current_likelihood"))
        label = f"{reference or 'New risk'}: {data['title']}"
        if risk is None:
            data["current_consequence"], data["current_likelihood"] = current
            plan.rows.append(RowPlan("Risks", number, "add", label, register, data,
                                     changed=_filled(data)))
            continue
        changed = [k for k, v in data.items() if not _same(getattr(risk, k), v)]
        rescore = current if current != (risk.current_consequence,
                                         risk.current_likelihood) else None
        if rescore:
            changed.append("current score")
        plan.rows.append(RowPlan("Risks", number, "update" if changed else "unchanged", label,
                                 risk, {k: data[k] for k in changed if k in data}, changed,
                                 rescore))


def _plan_actions(plan: Plan, table: Table, lookups: _Lookups) -> None:
    seen: dict[int, int] = {}
    for number, values in table.rows:
        row = _Row(plan, table, number, values)
        action = None
        raw_id = row.text("Action ID")
        if raw_id is not None:
            try:
                action_id = int(float(raw_id.strip()))
            except ValueError:
                action_id = None
                row.error("Action ID", f"Action ID must be a number, not {raw_id!r}; leave it "
                                       f"blank to add a new action")
            if action_id is not None:
                if action_id in seen:
                    row.error("Action ID", f"Action {action_id} is also on row "
                                           f"{seen[action_id]}: an action can appear once")
                seen.setdefault(action_id, number)
                action = lookups.actions.get(action_id)
                if action is None:
                    row.error("Action ID", f"No action has the ID {action_id}: leave it blank "
                                           f"to add a new action")
        reference = row.required_text("Risk reference")
        risk = None
        if reference:
            risk = lookups.risks.get(reference.upper())
            if risk is None:
                row.error("Risk reference", f"No risk has the reference {reference.upper()}")
            elif action is not None and action.risk_id != risk.id:
                row.error("Risk reference", f"Action {action.id} belongs to "
                                            f"{action.risk.reference}, not {risk.reference}")
        data: dict = {"detail": row.required_text("Detail")}
        if row.has("Assignee email"):
            _, data["assignee_id"] = _person(row, "Assignee email", lookups,
                                             action.assignee_id if action else None, "assignee")
        if row.has("Target date"):
            data["target_date"] = row.day("Target date")
        data["status"] = row.choice("Status", ACTION_STATUSES)
        if row.failed:
            continue
        label = f"{risk.reference} action {action.id if action else '(new)'}"
        if action is None:
            plan.rows.append(RowPlan("Actions", number, "add", label, risk, data,
                                     changed=_filled(data)))
            continue
        changed = [k for k, v in data.items() if not _same(getattr(action, k), v)]
        plan.rows.append(RowPlan("Actions", number, "update" if changed else "unchanged", label,
                                 action, {k: data[k] for k in changed}, changed))


# --- Step 3: apply -----------------------------------------------------------------------------

@dataclass
class Outcome:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


def apply_plan(plan: Plan, *, by, today: date, source: str) -> Outcome:
    """Make the planned changes and flush once; never commit (the caller commits, or rolls
    back, so the file is saved whole or not at all).

    The services' no-flush steps do the work, so versions and score records come out as for
    a change on screen. One flush for the whole file, because a flush per row (with a locked
    read per new reference and a bands query per risk) made each row dearer than the last:
    the version store walks every change of the transaction at each flush, and a 10,000-row
    file did not finish in 14 minutes (bench/results.md, "Applying an import").
    """
    if not plan.ok:
        raise ValueError("a plan with errors cannot be applied")
    outcome = Outcome()
    rationale = f"Imported from {source}"[:500]
    bands = risk_services.ordered_bands()
    references = _references_for_new_risks(plan)
    new_actions: list[tuple[int, Action]] = []
    with db.session.no_autoflush:  # every row's reads were made by the plan
        for row in plan.rows:
            if row.outcome == "unchanged":
                outcome.unchanged += 1
            elif row.sheet == "Risks" and row.outcome == "add":
                number, reference = next(references[row.target.id])
                risk_services.new_risk(row.target, dict(row.data, rationale=rationale),
                                       number=number, reference=reference, by=by,
                                       today=today, bands=bands)
                outcome.added.append(reference)
            elif row.sheet == "Risks":
                risk = row.target
                if row.data:
                    risk_services.set_details(risk, row.data, today=today, bands=bands)
                if row.rescore:
                    risk_services.record_review(risk, *row.rescore, rationale, by=by,
                                                today=today, bands=bands)
                outcome.updated.append(risk.reference)
            elif row.outcome == "add":
                action = action_services.new_action(row.target, row.data, today=today)
                new_actions.append((len(outcome.added), action))
                outcome.added.append(row.target.reference)  # the action's id comes at the flush
            else:
                action_services.set_action(row.target, row.data, today=today)
                outcome.updated.append(f"{row.target.risk.reference} action {row.target.id}")
    db.session.flush()
    for place, action in new_actions:
        outcome.added[place] = f"{outcome.added[place]} action {action.id}"
    return outcome


def _references_for_new_risks(plan: Plan) -> dict[int, Iterator[tuple[int, str]]]:
    """Each register's next references for the file's new risks, handed out at once."""
    wanted: dict[int, list] = {}
    for row in plan.rows:
        if row.sheet == "Risks" and row.outcome == "add":
            wanted.setdefault(row.target.id, [row.target, 0])[1] += 1
    return {register_id: iter(risk_services.allocate_references(register, count))
            for register_id, (register, count) in wanted.items()}


def column_headers(kind: str) -> list[Column]:
    return list(RISK_COLUMNS if kind == "Risks" else ACTION_COLUMNS)
