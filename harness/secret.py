"""Passwords never leave the process: database URLs are masked wherever they are printed or
written (stdout, stderr, gray.json, crash logs).

    mask_url("postgresql://app:s3cret@db:5432/shop")  -> "postgresql://app:***@db:5432/shop"
    mask_text("cannot connect to mysql://u:pw@h/db: refused") -> "... mysql://u:***@h/db: ..."

`mask_url` renders a SQLAlchemy URL with SQLAlchemy's own `hide_password=True`; anything
SQLAlchemy cannot parse (or a machine without SQLAlchemy) falls back to a regular expression
that hides whatever stands between `user:` and `@` in a URL's authority, and the values of
password-like query parameters (`?password=`, `&pwd=`, `&token=`).
"""

from __future__ import annotations

import re

MASK = "***"
# scheme://user:password@host ; up to the authority's last '@' (a password may hold an '@')
_USERINFO = re.compile(r"(?P<head>\b[A-Za-z][A-Za-z0-9+.\-]*://[^\s:/@]*:)(?P<secret>[^\s/?#]*)(?=@)")
_QUERY = re.compile(r"(?P<head>[?&;](?:password|passwd|pwd|pass|secret|token|sslpassword)=)"
                    r"(?P<secret>[^&;\s]+)", re.IGNORECASE)


def mask_url(url: str) -> str:
    """The URL with its password (and password-like query values) replaced by ***."""
    try:
        from sqlalchemy.engine import make_url

        rendered = make_url(url).render_as_string(hide_password=True)
    except Exception:  # not a SQLAlchemy URL (or no SQLAlchemy): the regular expressions
        rendered = url
    return mask_text(rendered)


def mask_text(text: str) -> str:
    """Every URL password and password-like query value in free text replaced by ***."""
    text = _USERINFO.sub(lambda m: m.group("head") + MASK, text)
    return _QUERY.sub(lambda m: m.group("head") + MASK, text)
