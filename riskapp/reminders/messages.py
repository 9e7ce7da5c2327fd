"""Single messages through the reminder outbox: an invitation, a password reset.

A reminder is gathered with others into one digest per person on the daily run; a message of
a kind registered here goes on its own, as soon as it is queued, and otherwise as any outbox
row does: claimed, sent over SMTP, retried with backoff when the server is down, shown in the
outbox with its attempts. `still_owed(item_id)` says whether a queued message should still
go (a reset link used or expired since: withdrawn instead).
"""
from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flask import current_app

from ..auth.models import User
from ..extensions import db
from .models import SENDING, Reminder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MessageKind:
    name: str
    #: How the outbox and "Reminders sent to me" name it.
    label: str
    subject: str
    #: Template names without the extension: `.txt` and `.html` are both sent.
    template: str
    still_owed: Callable[[int], bool]


MESSAGE_KINDS: dict[str, MessageKind] = {}


def message_kind(name: str, label: str, subject: str, template: str):
    """Register `still_owed(item_id) -> bool` as the check of the message kind `name`."""
    def register(still_owed):
        MESSAGE_KINDS[name] = MessageKind(name, label, subject, template, still_owed)
        return still_owed
    return register


def queue(kind: str, item_id: int, recipient: User, text: str, link: str, now: datetime):
    """Put one message in the outbox, claimed for sending straight away; return its claim.

    The caller commits, then calls `send_soon(claim)`. Until it is sent the row is an
    ordinary outbox row: if the mail server is down, the scheduler's retry pass sends it.
    """
    from .services import Pending
    token = uuid.uuid4().hex
    row = Reminder(kind=kind, item_id=item_id, recipient_id=recipient.id, period=str(item_id),
                   as_of=now.date() if isinstance(now, datetime) else date.today(), text=text,
                   note="", link=link, status=SENDING, attempts=0, created_at=now,
                   claim_token=token, claimed_at=now)
    db.session.add(row)
    db.session.flush()
    return token, Pending(row.id, kind, item_id, recipient.id, row.period, row.as_of, text, "",
                          None, False, link, 0, recipient.name, recipient.email,
                          recipient.active)


def send_soon(claim) -> None:
    """Send a queued message after the caller's commit: in the request when testing, else on
    a thread of its own, so the answer does not wait for (or tell anything by) the SMTP
    conversation."""
    from .outbox import send_claimed
    token, pending = claim
    app = current_app._get_current_object()
    if app.config.get("MESSAGES_SEND_INLINE", app.testing):
        send_claimed(token, [pending])
        return

    def run():
        with app.app_context():
            try:
                send_claimed(token, [pending])
            except Exception:  # the row stays in the outbox for the retry pass
                logger.exception("Sending outbox message %s failed", pending.id)
            finally:
                db.session.remove()
    threading.Thread(target=run, name=f"outbox-message-{pending.id}", daemon=True).start()
