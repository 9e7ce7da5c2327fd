"""Configuration: defaults here, overridden by instance/config.py and the environment."""
import os
import secrets
from pathlib import Path


#: A key shorter than this is guessable offline from one signed cookie (128 bits as hex).
SECRET_KEY_MIN_LENGTH = 32


class WeakSecretKey(RuntimeError):
    pass


def load_secret_key(instance_path: str) -> str:
    """Return SECRET_KEY from the environment, or one generated once and kept in instance/.

    A short key set in the environment stops the app starting: everything signed with it
    (sessions, import previews) could be forged.
    """
    if os.environ.get("SECRET_KEY"):
        key = os.environ["SECRET_KEY"]
        if len(key) < SECRET_KEY_MIN_LENGTH:
            raise WeakSecretKey(
                f"SECRET_KEY is {len(key)} characters long: use at least "
                f"{SECRET_KEY_MIN_LENGTH}, e.g. python3 -c 'import secrets; "
                f"print(secrets.token_hex(32))'")
        return key
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def from_environment(instance_path: str) -> dict:
    """Settings read from the environment, with safe defaults for a single SQLite process."""
    default_db = "sqlite:///" + str(Path(instance_path) / "riskapp.sqlite")
    env = os.environ
    return {
        "SQLALCHEMY_DATABASE_URI": normalise_database_url(env.get("DATABASE_URL", default_db)),
        # Before an administrator sets the name in Settings (the demo sets BLMK ICB's).
        "ORGANISATION_NAME": env.get("RISKAPP_ORGANISATION", ""),
        "BASE_URL": env.get("RISKAPP_BASE_URL", "http://127.0.0.1:5000"),
        "SMTP_HOST": env.get("SMTP_HOST", "127.0.0.1"),
        "SMTP_PORT": int(env.get("SMTP_PORT", "25")),
        "SMTP_STARTTLS": env.get("SMTP_STARTTLS", "false").lower() in ("1", "true", "yes"),
        "SMTP_USERNAME": env.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": env.get("SMTP_PASSWORD") or None,
        "MAIL_FROM": env.get("MAIL_FROM", "riskapp@localhost"),
        "API_TOKEN_DAYS": int(env.get("RISKAPP_API_TOKEN_DAYS", "90")),
    }


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs given in the common `postgres://` forms."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


class Defaults:
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_pre_ping": True}
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    WTF_CSRF_TIME_LIMIT = None
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024
    RISKS_PER_PAGE = 50
    #: Largest register import accepted (the uncompressed xlsx limit is 25 times this).
    IMPORT_MAX_BYTES = 2 * 1024 * 1024
    IMPORT_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
    TIMEZONE = "Europe/London"
