"""The sender: claim queued reminders, send one digest per recipient over SMTP, record it.

This is a job, like the CLI command and the scheduler that call it, so it commits: the claim
first (so other senders see the rows are taken), then the "sent" marks of the digests the
server accepted, at least every second (`COMMIT_EVERY_SECONDS`) and before any failure is
recorded. Delivery is exactly once unless the process dies between the server accepting a
message and that commit; then the claim lease expires and those digests go again (at least
once, never lost).
"""
from __future__ import annotations

import logging
import random
import smtplib
import threading
import time
import uuid
from binascii import b2a_qp
from collections import deque
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from email.message import Message
from email.policy import compat32
from email.header import Header
from email.utils import formataddr, formatdate

from flask import current_app
from sqlalchemy import update

from ..extensions import db
from ..rules import reminders as rules
from ..settings.organisation import name as organisation_name
from ..words import plural
from . import services
from .models import SENDING, Reminder

logger = logging.getLogger(__name__)

#: Errors that mean the mail server is unreachable: stop this run, every row stays queued.
CONNECTION_ERRORS = (OSError, smtplib.SMTPServerDisconnected, smtplib.SMTPConnectError,
                     smtplib.SMTPHeloError, smtplib.SMTPAuthenticationError,
                     smtplib.SMTPNotSupportedError)


#: Mark accepted digests sent (one commit) at least this often; one commit per digest would
#: cost a disk sync each.
COMMIT_EVERY_SECONDS = 1.0
#: SMTP wants CRLF line ends; smtplib only fixes them for str messages, not bytes.
SMTP_LINES = compat32.clone(linesep="\r\n")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class Mailer:
    """One SMTP connection for a run, from SMTP_* settings, opened on first use."""

    def __init__(self, config):
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        smtp = smtplib.SMTP(c["SMTP_HOST"], c["SMTP_PORT"], timeout=c["SMTP_TIMEOUT"])
        if c.get("SMTP_STARTTLS"):
            smtp.starttls()
        if c.get("SMTP_USERNAME"):
            smtp.login(c["SMTP_USERNAME"], c.get("SMTP_PASSWORD") or "")
        return smtp

    def send(self, mail_from: str, to: str, message: Digest) -> None:
        if self.smtp is None:
            self.smtp = self._connect()
        try:
            self.smtp.sendmail(mail_from, [to], message.data)
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


class BadAddress(ValueError):
    """A stored email address that cannot go into a header or an RCPT command as it is."""


def _address(name: str, email: str) -> str:
    # Names are user text: no line breaks into a header; formataddr quotes and encodes the rest.
    # An address is never altered (that could send board business to someone else): one with
    # a blank, a control character or no @ is refused, for this recipient only.
    if (not email or "@" not in email
            or any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in email)):
        raise BadAddress(f"Not a usable email address: {email!r}")
    display = " ".join((name or "").split())
    if "=?" in display:
        # Text that looks like an RFC 2047 encoded word would be decoded by mail clients
        # (into line breaks, say): encode it ourselves, so it reads back exactly as typed.
        display = Header(display, "utf-8", maxlinelen=998).encode()
    return formataddr((display, email))


def _render(name: str, context: dict) -> str:
    # Straight from the Jinja environment: no request here, so no request context processors.
    # Autoescaping follows the file name: on for .html, off for .txt.
    return current_app.jinja_env.get_template(name).render(**context)


@dataclass(frozen=True)
class Digest:
    """A built digest: its Message-ID and the whole message as SMTP wants it (CRLF lines)."""
    message_id: str
    data: bytes


def _text_part(content_type: str, text: str) -> bytes:
    """A UTF-8 text part in quoted-printable (in C, 76-character lines). The bodies are mostly
    ASCII, so it is about a quarter smaller than base64 (a 45-item digest: 19 KB, not 25),
    which a run's 500 digests feel at both ends of the SMTP connection (issue 9). Every mail
    client reads either. Line breaks are CRLF, as SMTP wants."""
    one_kind_of_break = text.replace("\r\n", "\n").replace("\r", "\n")
    body = b2a_qp(one_kind_of_break.encode("utf-8"), istext=True).replace(b"\n", b"\r\n")
    return (f"Content-Type: {content_type}; charset=\"utf-8\"\r\nMIME-Version: 1.0\r\n"
            "Content-Transfer-Encoding: quoted-printable\r\n\r\n").encode("ascii") + body + \
        (b"" if body.endswith(b"\r\n") else b"\r\n")


def digest_message_id(recipient_id: int, reminder_ids, domain: str) -> str:
    """The same for the same recipient and reminders, so a digest sent again after a failure
    or a stop mid-run (its reminders not yet marked sent) keeps its Message-ID and the mail
    server can drop the duplicate (issue 15, finding 14)."""
    import hashlib
    ids = ",".join(str(i) for i in sorted(reminder_ids))
    digest = hashlib.sha256(f"{recipient_id}:{ids}".encode()).hexdigest()[:32]
    return f"<reminders.{digest}@{domain}>"


def build_digest(rows: list[services.Pending], mail_from: str) -> Digest:
    """One multipart (text and HTML) message listing all of a recipient's reminders."""
    first = rows[0]
    links = {(r.kind, r.item_id): r.link for r in rows}
    # Each item as the plain values both bodies show, unpacked in the templates: attribute
    # and dict look-ups and strftime in Jinja were most of a run's template time (issue 9).
    sections = [(kind, [(due.text, due.due_date.strftime("%d %b %Y") if due.due_date
                         else "no date", due.note, due.escalated, links[(due.kind, due.item_id)])
                        for due in dues])
                for kind, dues in rules.digest(r.as_due() for r in rows).get(first.recipient_id, [])]
    context = dict(recipient_name=first.recipient_name, sections=sections,
                   count=len(rows),
                   organisation=organisation_name(),
                   mine_url=services.absolute_link("reminders.mine", {}))
    # The headers (user text among them) go through the email package as before: formataddr
    # encodes names, the compat32 generator folds. The two bodies are joined here: building
    # them with email.mime cost about 0.9 ms a digest, a second or more for a run's thousand
    # and more digests (profile in the commit that made this change).
    # A boundary needs to be unlikely in the text, not unguessable: the email package makes
    # its own with `random` too (uuid4 reads the OS's random source, slow here across threads).
    boundary = f"===============riskapp{random.getrandbits(128):032x}=="
    message = Message()
    message["Subject"] = (f"riskapp: {plural(len(rows), 'item')} "
                          f"{plural(len(rows), 'needs', 'need', number=False)} your attention")
    message["From"] = mail_from
    message["To"] = _address(first.recipient_name, first.recipient_email)
    domain = mail_from.rpartition("@")[2].strip("> ") or "riskapp.local"
    message_id = digest_message_id(first.recipient_id, [r.id for r in rows], domain)
    message["Message-ID"] = message_id
    message["Date"] = formatdate(localtime=False, usegmt=True)
    # No Content-Type on `message`, or the generator would write an empty multipart body.
    head = (f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n'
            "MIME-Version: 1.0\r\n").encode("ascii") + message.as_bytes(policy=SMTP_LINES)
    delimiter = f"--{boundary}\r\n".encode("ascii")
    data = b"".join((
        head, delimiter,
        _text_part("text/plain", _render("reminders/email.txt", context)), delimiter,
        _text_part("text/html", _render("reminders/email.html", context)),
        f"--{boundary}--\r\n".encode("ascii")))
    return Digest(message_id, data)


@dataclass
class SendResult:
    claimed: int = 0
    sent: int = 0
    messages: int = 0
    failed: int = 0
    withdrawn: int = 0
    errors: list[str] = field(default_factory=list)


class _ServerDown(Exception):
    """Another connection already found the server down: do not try this one."""


def build_message(rows: list[services.Pending], mail_from: str) -> Digest:
    """One message for `rows`: a single message of its own kind, or a digest of reminders."""
    from .messages import MESSAGE_KINDS
    kind = MESSAGE_KINDS.get(rows[0].kind)
    if kind is None:
        return build_digest(rows, mail_from)
    row = rows[0]
    context = dict(recipient_name=row.recipient_name, text=row.text, link=row.link,
                   organisation=organisation_name())
    message = Message()
    message["Subject"] = kind.subject
    message["From"] = mail_from
    message["To"] = _address(row.recipient_name, row.recipient_email)
    domain = mail_from.rpartition("@")[2].strip("> ") or "riskapp.local"
    message_id = digest_message_id(row.recipient_id, [row.id], domain)  # stable when re-sent
    message["Message-ID"] = message_id
    message["Date"] = formatdate(localtime=False, usegmt=True)
    boundary = f"===============riskapp{random.getrandbits(128):032x}=="
    head = (f'Content-Type: multipart/alternative;\r\n boundary="{boundary}"\r\n'
            "MIME-Version: 1.0\r\n").encode("ascii") + message.as_bytes(policy=SMTP_LINES)
    delimiter = f"--{boundary}\r\n".encode("ascii")
    data = b"".join((
        head, delimiter,
        _text_part("text/plain", _render(kind.template + ".txt", context)), delimiter,
        _text_part("text/html", _render(kind.template + ".html", context)),
        f"--{boundary}--\r\n".encode("ascii")))
    return Digest(message_id, data)


def send_claimed(token: str, rows: list[services.Pending],
                 now: Callable[[], datetime] = utcnow) -> SendResult:
    """Send rows already claimed by `token` (a message just queued), and nothing else."""
    return _send(token, rows, now, None, claim_others=False)


def send_pending(now: Callable[[], datetime] = utcnow,
                 progress: Callable[[int, int], None] | None = None) -> SendResult:
    """Send every sendable reminder, one digest per recipient; commit as it goes."""
    return _send(uuid.uuid4().hex, [], now, progress)


def _send(token: str, fresh: list[services.Pending], now: Callable[[], datetime],
          progress: Callable[[int, int], None] | None, claim_others: bool = True) -> SendResult:
    """Claim what is sendable for `token` and send it with `fresh` (rows it already holds).

    Messages are built here (Jinja needs the app) and handed to a few SMTP connections in
    threads (SMTP_CONNECTIONS, default 4): the round trips, not the database, bound a run.
    """
    result = SendResult()
    claimed_ids = services.claim_ids(token, now()) if claim_others else []
    db.session.commit()
    rows = fresh
    if claimed_ids:
        rows = sorted(fresh + services.claimed(token, claimed_ids),
                      key=lambda row: (row.recipient_id, row.id))
    result.claimed = len(rows)
    if not rows:
        return result
    keep = services.withdraw_stale(rows, known_due={row.id for row in fresh})
    result.withdrawn = len(rows) - len(keep)
    db.session.commit()

    from .messages import MESSAGE_KINDS
    by_recipient: dict[int, list[services.Pending]] = {}
    singles: list[list[services.Pending]] = []  # messages of their own: never in a digest
    for row in keep:
        if row.kind in MESSAGE_KINDS:
            singles.append([row])
        else:
            by_recipient.setdefault(row.recipient_id, []).append(row)
    groups = singles + list(by_recipient.values())
    mail_from = current_app.config["MAIL_FROM"]
    config = dict(current_app.config, SMTP_TIMEOUT=services.setting("SMTP_TIMEOUT"))
    connections = max(1, min(services.setting("SMTP_CONNECTIONS"), len(groups)))

    local, mailers, lock = threading.local(), [], threading.Lock()
    down: list[BaseException] = []

    def deliver(to: str, message) -> None:
        if down:
            raise _ServerDown()
        mailer = getattr(local, "mailer", None)
        if mailer is None:
            mailer = local.mailer = Mailer(config)
            with lock:
                mailers.append(mailer)
        try:
            mailer.send(mail_from, to, message)
        except CONNECTION_ERRORS as error:
            down.append(error)
            raise

    accepted: list[tuple[list[services.Pending], str, datetime]] = []
    unsent: list[services.Pending] = []  # left queued because the server is down
    last_commit = last_renewal = time.monotonic()
    done = 0

    def commit_accepted():
        # Marks for digests the server has taken: never lose them to a later failure.
        if accepted:
            services.record_sent_many(token, accepted)
            db.session.commit()
            accepted.clear()

    def settle(group, message, future):
        nonlocal done, last_commit, last_renewal
        try:
            future.result()
        except (_ServerDown, *CONNECTION_ERRORS):
            unsent.extend(group)
        except smtplib.SMTPException as error:
            # This recipient refused (bad address, 4xx/5xx): retry them later, go on.
            commit_accepted()
            error_text = f"{type(error).__name__}: {error}"
            services.record_failure(token, group, now(), error_text)
            db.session.commit()
            result.failed += len(group)
            result.errors.append(error_text)
            logger.warning("Reminder digest to %s failed: %s", group[0].recipient_email,
                           error_text)
        else:
            accepted.append((group, message.message_id, now()))
            result.sent += len(group)
            result.messages += 1
        done += 1
        if progress:
            progress(done, len(groups))
        if time.monotonic() - last_commit >= COMMIT_EVERY_SECONDS:
            commit_accepted()
            last_commit = time.monotonic()
        if time.monotonic() - last_renewal > 60:
            commit_accepted()
            _renew_claim(token, now())
            last_renewal = time.monotonic()

    try:
        with ThreadPoolExecutor(max_workers=connections,
                                thread_name_prefix="reminders-smtp") as pool:
            in_flight: deque = deque()
            for index, group in enumerate(groups):
                if down:
                    unsent.extend(r for g in groups[index:] for r in g)
                    break
                try:
                    message = build_message(group, mail_from)
                except BadAddress as error:
                    # This recipient's stored address is unusable: record it, go on.
                    commit_accepted()
                    services.record_failure(token, group, now(), str(error))
                    db.session.commit()
                    result.failed += len(group)
                    result.errors.append(str(error))
                    logger.warning("Reminder digest not built: %s", error)
                    done += 1
                    continue
                in_flight.append((group, message,
                                  pool.submit(deliver, group[0].recipient_email, message)))
                while len(in_flight) > connections * 2:
                    settle(*in_flight.popleft())
            while in_flight:
                settle(*in_flight.popleft())
        commit_accepted()
        if unsent:
            # The server is down: nothing more can go this run; all of it stays queued.
            error = down[0]
            error_text = f"{type(error).__name__}: {error}"
            services.record_failure(token, unsent, now(), error_text)
            db.session.commit()
            result.failed += len(unsent)
            result.errors.append(error_text)
            logger.warning("SMTP unavailable, %d reminders left queued: %s", len(unsent),
                           error_text)
    finally:
        for mailer in mailers:
            mailer.close()
    return result


def _renew_claim(token: str, now: datetime) -> None:
    """Keep our claim fresh on a long run, so no other sender takes it as abandoned."""
    db.session.execute(update(Reminder).where(Reminder.claim_token == token,
                                              Reminder.status == SENDING)
                       .values(claimed_at=now).execution_options(synchronize_session=False))
    db.session.commit()


def run(today: date, now: Callable[[], datetime] = utcnow,
        progress: Callable[[int, int], None] | None = None) -> tuple[dict, SendResult]:
    """The daily job: queue what is due on `today`, commit, then send everything pending.

    What it queues goes in already claimed by this run, so only older rows (retries) are
    claimed by an UPDATE and read back.
    """
    token = uuid.uuid4().hex
    queued, fresh = services.queue_and_claim(today, now(), token)
    db.session.commit()
    return queued, _send(token, fresh, now, progress)
