"""The sender: claim queued reminders, send one digest per recipient over SMTP, record it.

This is a job, like the CLI command and the scheduler that call it, so it commits: the claim
first (so other senders see the rows are taken), then once per digest (a message that has left
cannot be rolled back, so its rows are marked sent straight after the server accepts it).
Delivery is exactly once unless the process dies between the server accepting a message and
that commit; then the claim lease expires and the digest goes again (at least once, never lost).
"""
from __future__ import annotations

import logging
import smtplib
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid

from flask import current_app
from sqlalchemy import update

from ..extensions import db
from ..rules import reminders as rules
from . import services
from .models import SENDING, Reminder

logger = logging.getLogger(__name__)

#: Errors that mean the mail server is unreachable: stop this run, every row stays queued.
CONNECTION_ERRORS = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                     smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError,
                     smtplib.SMTPNotSupportedError)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Mailer:
    """One SMTP connection for a run, from SMTP_* settings, opened on first use."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        smtp = smtplib.SMTP(c["SMTP_HOST"], c["SMTP_PORT"],
                            timeout=services.setting("SMTP_TIMEOUT"))
        if c.get("SMTP_STARTTLS"):
            smtp.starttls()
        if c.get("SMTP_USERNAME"):
            smtp.login(c["SMTP_USERNAME"], c.get("SMTP_PASSWORD") or "")
        return smtp

    def send(self, message: EmailMessage) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.send_message(message)
        except CONNECTION_ERRORS:
            self.close()
            raise

    def close(self) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except (OSError, smtplib.SMTPException):
                pass
            self.smtp = None


def _address(name: str, email: str) -> Address:
    # Names are user text: no line breaks into a header; the policy encodes the rest.
    display = " ".join((name or "").split())
    username, _, domain = email.partition("@")
    return Address(display_name=display, username=username, domain=domain)


def _render(name: str, context: dict) -> str:
    # Straight from the Jinja environment: no request here, so no request context processors.
    # Autoescaping follows the file name: on for .html, off for .txt.
    return current_app.jinja_env.get_template(name).render(**context)


def build_digest(rows: list[services.Pending], mail_from: str) -> EmailMessage:
    """One multipart (text and HTML) message listing all of a recipient's reminders."""
    first = rows[0]
    links = {(r.kind, r.item_id): r.link for r in rows}
    sections = rules.digest(r.as_due() for r in rows).get(first.recipient_id, [])
    context = dict(recipient_name=first.recipient_name, sections=sections, links=links,
                   count=len(rows),
                   organisation=current_app.config.get("ORGANISATION_NAME", ""),
                   mine_url=services.absolute_link("reminders.mine", {}))
    message = EmailMessage()
    message["Subject"] = (f"riskapp: {len(rows)} item{'s' if len(rows) != 1 else ''} "
                          "need your attention")
    message["From"] = mail_from
    message["To"] = _address(first.recipient_name, first.recipient_email)
    domain = mail_from.rpartition("@")[2].strip("> ") or "riskapp.local"
    message["Message-ID"] = make_msgid("reminders", domain=domain)
    message.set_content(_render("reminders/email.txt", context))
    message.add_alternative(_render("reminders/email.html", context), subtype="html")
    return message


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    messages: int = 0
    failed: int = 0
    withdrawn: int = 0
    errors: list[str] = field(default_factory=list)


def send_pending(mailer: Mailer | None = None, now: Callable[[], datetime] = utcnow,
                 progress: Callable[[int, int], None] | None = None) -> SendResult:
    """Send every sendable reminder, one digest per recipient; commit as it goes."""
    result = SendResult()
    token = uuid.uuid4().hex
    result.claimed = services.claim(token, now())
    db.session.commit()
    if not result.claimed:
        return result
    rows = services.claimed(token)
    keep = services.withdraw_stale(rows)
    result.withdrawn = len(rows) - len(keep)
    db.session.commit()

    by_recipient: dict[int, list[services.Pending]] = {}
    for row in keep:
        by_recipient.setdefault(row.recipient_id, []).append(row)
    mailer = mailer or Mailer(current_app.config)
    mail_from = current_app.config["MAIL_FROM"]
    groups = list(by_recipient.values())
    last_renewal = time.monotonic()
    try:
        for index, group in enumerate(groups):
            try:
                message = build_digest(group, mail_from)
                mailer.send(message)
            except CONNECTION_ERRORS as error:
                # The server is down: nothing more can go this run; all of it stays queued.
                error_text = f"{type(error).__name__}: {error}"
                rest = [r for g in groups[index:] for r in g]
                services.record_failure(token, rest, now(), error_text)
                db.session.commit()
                result.failed += len(rest)
                result.errors.append(error_text)
                logger.warning("SMTP unavailable, %d reminders left queued: %s", len(rest),
                               error_text)
                break
            except smtplib.SMTPException as error:
                # This recipient refused (bad address, 4xx/5xx): retry them later, go on.
                error_text = f"{type(error).__name__}: {error}"
                services.record_failure(token, group, now(), error_text)
                db.session.commit()
                result.failed += len(group)
                result.errors.append(error_text)
                logger.warning("Reminder digest to %s failed: %s", group[0].recipient_email,
                               error_text)
            else:
                services.record_sent(token, group, now(), message["Message-ID"])
                db.session.commit()
                result.sent += len(group)
                result.messages += 1
            if progress:
                progress(index + 1, len(groups))
            if time.monotonic() - last_renewal > 60:
                _renew_claim(token, now())
                last_renewal = time.monotonic()
    finally:
        mailer.close()
    return result


def _renew_claim(token: str, now: datetime) -> None:
    """Keep our claim fresh on a long run, so no other sender takes it as abandoned."""
    db.session.execute(update(Reminder).where(Reminder.claim_token == token,
                                              Reminder.status == SENDING)
                       .values(claimed_at=now).execution_options(synchronize_session=False))
    db.session.commit()


def run(today: date, now: Callable[[], datetime] = utcnow, mailer: Mailer | None = None,
        progress: Callable[[int, int], None] | None = None) -> tuple[dict, SendResult]:
    """The daily job: queue what is due on `today`, commit, then send everything pending."""
    queued = services.queue_due_reminders(today, now())
    db.session.commit()
    return queued, send_pending(mailer=mailer, now=now, progress=progress)
