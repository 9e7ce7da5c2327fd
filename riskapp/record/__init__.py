"""The board's record (issue 14): the register as at any date, from one version store.

`as_at` reads what riskapp held at the end of a day; `baseline` gives rows written outside the
ORM (migrations, bulk loads) their first version; `versioning_paused` lets bulk loaders write
without the per-row versioning hooks and then call `baseline`.
"""
from contextlib import contextmanager

from sqlalchemy_continuum import versioning_manager


@contextmanager
def versioning_paused():
    """Write without versioning (bulk loads, test clean-up); call baseline.version_new_rows
    afterwards for rows that must have a history."""
    before = versioning_manager.options["versioning"]
    versioning_manager.options["versioning"] = False
    try:
        yield
    finally:
        versioning_manager.options["versioning"] = before


def date_learnt(session, issued_at) -> None:
    """Date the versioning transaction of `session`'s pending changes at `issued_at` (naive
    UTC) instead of now: for records brought in from an earlier register (the demo BAF, an
    import), which riskapp holds as known from the source's date. Call after a flush."""
    uow = versioning_manager.unit_of_work(session)
    if uow.current_transaction is not None:
        uow.current_transaction.issued_at = issued_at


def transaction_id(session) -> int | None:
    """The id of the versioning transaction that `session`'s changes so far belong to (call
    after a flush), or None when nothing versioned has changed yet. A record kept beside a
    change (a correction of approved minutes) stores it, so the trail finds every version that
    change wrote, not only the one of the record it names."""
    uow = versioning_manager.unit_of_work(session)
    return uow.current_transaction.id if uow.current_transaction is not None else None
