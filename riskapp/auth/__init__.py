from flask import Blueprint

bp = Blueprint("auth", __name__, url_prefix="/auth", cli_group="users")

from . import cli, views  # noqa: E402,F401
from . import invites, oidc, password_views  # noqa: E402,F401
