"""A line's state on the map, judged by the database, for the map filtered by state.

The same verdict as `rules.assurance.line_cell`, from a risk's recorded assurances of the
line given by the day, best first: positive (a current positive that lasts beyond the next
30 days), expiring (a current positive), negative (a current negative), not yet judged (a
current one with no judgement), expired (any given by the day), missing (none given). A state
is one fact about the risk's assurances of the line that holds and one better that does not
(see STATES), so the database judges and pages a whole register and Python judges no row.

The facts are read in one pass over the register's assurances, grouped by risk: for each
line asked about, whether any assurance of that kind exists (MAX of 1 or 0), joined to the
risks (none at all: NULL, counted as 0). One pass, not an EXISTS per fact and line: for "any
line", six correlated EXISTS made PostgreSQL's cost estimate pass its JIT threshold, and
compiling the plan took longer (30 ms) than running it (15 ms).

"Current" compares dates only, portable to SQLite and PostgreSQL: an assurance's own end
date, else its date against the earliest date still current on the day for the line's months
(`rules.assurance.earliest_date_current_on`), else (undated) always current.

Committee evidence (2nd line) is not here: it is worked out from meetings' quoracy in Python;
the caller judges the few risks that have any in Python instead.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, case, false, func, or_, select, true

from ..risks.models import Assurance, Risk
from ..rules import assurance as rules

#: Each state: the fact about a line's assurances that must hold, and the better one that
#: must not (None: no such fact).
STATES = {
    rules.POSITIVE: ("positive_lasting", None),
    rules.EXPIRING: ("positive_current", "positive_lasting"),
    rules.NEGATIVE: ("negative_current", "positive_current"),
    rules.NOT_JUDGED: ("unjudged_current", "judged_current"),
    rules.EXPIRED: ("given", "current"),
    rules.MISSING: (None, "given"),
}


def _current_on(day: date, months: int) -> ColumnElement[bool]:
    """The assurance is current on `day` (its line's assurances stay current `months`)."""
    earliest = rules.earliest_date_current_on(day, months)
    return or_(Assurance.valid_until >= day,
               and_(Assurance.valid_until.is_(None),
                    or_(Assurance.assured_on.is_(None), Assurance.assured_on >= earliest)))


def _fact(name: str, day: date, months: int) -> ColumnElement[bool]:
    """One fact about an assurance given by `day`, of a line whose assurances stay current
    `months` months."""
    current = _current_on(day, months)
    # Lasting: still current EXPIRING_WITHIN_DAYS days on (so current today too).
    lasting = _current_on(day + timedelta(days=rules.EXPIRING_WITHIN_DAYS), months)
    return {
        "given": true(),
        "current": current,
        "positive_current": and_(Assurance.positive.is_(True), current),
        "positive_lasting": and_(Assurance.positive.is_(True), lasting),
        "negative_current": and_(Assurance.positive.is_(False), current),
        "unjudged_current": and_(Assurance.positive.is_(None), current),
        "judged_current": and_(Assurance.positive.is_not(None), current),
    }[name]


def in_state(stmt: Select, state: str, lines, day: date, months: dict[int, int],
             scope) -> tuple[Select, ColumnElement[bool]]:
    """`stmt` (a SELECT from `Risk`) joined to the facts it needs, and the condition that a
    risk is in `state` in any of `lines` on `day`. `scope`: a SELECT of the ids of the risks
    that may be asked about (the facts are read for those only)."""
    if state not in STATES:
        return stmt, false()
    lines = tuple(lines)
    names = [n for n in STATES[state] if n is not None]
    columns = {(name, line): func.max(case(
        (and_(Assurance.line == line,
              _fact(name, day, months.get(line, rules.DEFAULT_VALID_MONTHS))), 1),
        else_=0)).label(f"{name}_{line}") for line in lines for name in names}
    facts = (select(Assurance.risk_id, *columns.values())
             .where(Assurance.risk_id.in_(scope), Assurance.line.in_(lines),
                    or_(Assurance.assured_on.is_(None), Assurance.assured_on <= day))
             .group_by(Assurance.risk_id).subquery("line_facts"))

    def holds(name: str, line: int) -> ColumnElement[bool]:
        return func.coalesce(facts.c[f"{name}_{line}"], 0) == 1

    must, better = STATES[state]
    condition = or_(*(and_(holds(must, line) if must else true(),
                           ~holds(better, line) if better else true())
                      for line in lines))
    return stmt.outerjoin(facts, facts.c.risk_id == Risk.id), condition
