"""The organisation's name, logo and sign-in choices, as the rest of the app reads them.

Services flush and never commit: the view commits once.
"""
from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from ..extensions import db
from .models import Organisation

#: The largest logo file accepted, and the largest side it is stored at (pixels).
LOGO_MAX_BYTES = 1024 * 1024
LOGO_MAX_SIDE = 600


@dataclass(frozen=True)
class Header:
    """What every page's header shows: the name, and whether (and which) logo there is."""
    name: str
    logo_version: str | None


def get() -> Organisation | None:
    return db.session.scalar(select(Organisation).order_by(Organisation.id).limit(1))


def get_or_new() -> Organisation:
    return get() or Organisation(name="")


def header() -> Header:
    """The name and logo version for the page header: one small query, never the logo itself."""
    row = db.session.execute(select(Organisation.name, Organisation.logo_updated_at)
                             .order_by(Organisation.id).limit(1)).first()
    if row is None or not row.name:
        return Header(current_app.config.get("ORGANISATION_NAME") or "", None)
    stamp = row.logo_updated_at
    return Header(row.name, stamp.strftime("%Y%m%d%H%M%S%f") if stamp else None)


def name() -> str:
    """The organisation's name for reports and emails ("" before it is set)."""
    return header().name


def logo() -> bytes | None:
    """The logo as PNG, or None."""
    return db.session.scalar(select(Organisation.logo).order_by(Organisation.id).limit(1))


class LogoProblem(ValueError):
    """The uploaded file cannot be used as a logo; the message says why, in plain words."""


def clean_logo(data: bytes) -> bytes:
    """Check an uploaded image and return it as a plain PNG, no larger than LOGO_MAX_SIDE.

    Re-encoding keeps nothing but the pixels: no metadata, no script in an SVG, no polyglot.
    """
    from PIL import Image, UnidentifiedImageError

    if not data:
        raise LogoProblem("Choose an image file")
    if len(data) > LOGO_MAX_BYTES:
        raise LogoProblem("The logo must be smaller than 1 MB")
    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format not in ("PNG", "JPEG", "GIF"):
                raise LogoProblem("The logo must be a PNG, JPEG or GIF image")
            if image.width * image.height > 25_000_000:
                raise LogoProblem("The logo is too large: use an image under 5000 by 5000 pixels")
            image.load()
            image = image.convert("RGBA")
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="PNG", optimize=True)
            return out.getvalue()
    except LogoProblem:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise LogoProblem("The file is not an image riskapp can read: use a PNG or JPEG")


def save(org: Organisation, *, name: str, logo: bytes | None, remove_logo: bool,
         now: datetime) -> Organisation:
    org.name = name
    if remove_logo:
        org.logo, org.logo_updated_at = None, now
    elif logo is not None:
        org.logo, org.logo_updated_at = logo, now
    db.session.add(org)
    db.session.flush()
    return org


def passwords_allowed_for(user) -> bool:
    """May `user` sign in with a password? Always, unless an administrator switched passwords
    off; then only the break-glass administrator may."""
    row = db.session.execute(select(Organisation.passwords_allowed,
                                    Organisation.break_glass_user_id)
                             .order_by(Organisation.id).limit(1)).first()
    if row is None or row.passwords_allowed:
        return True
    return user is not None and user.id == row.break_glass_user_id
