"""The reminder tests' real SMTP server (aiosmtpd), for invitations and resets."""
from tests.reminders.conftest import BASE_URL, SmtpServer, smtp  # noqa: F401
