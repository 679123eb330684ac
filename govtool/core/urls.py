"""Links that leave the app (mails, feeds, DCAT identifiers) and redirect targets from requests.

Absolute links are built from GOVTOOL_BASE_URL only, never from the request's Host header: a
forged Host would otherwise put an attacker's address into a password-reset mail. Redirect
targets taken from the request (`next`) are accepted only as plain local paths.
"""

from __future__ import annotations

import unicodedata
from typing import Any
from urllib.parse import quote, urlsplit

from flask import current_app, url_for


def base_url() -> str:
    """The configured public address of the installation, without a trailing slash."""
    return current_app.config["GOVTOOL_BASE_URL"].rstrip("/")


def external_url(endpoint: str, **values: Any) -> str:
    """url_for(endpoint, **values) as an absolute URL on GOVTOOL_BASE_URL; works with and
    without a request, and ignores the request's Host header and scheme."""
    base = urlsplit(base_url())
    anchor = values.pop("_anchor", None)
    values.pop("_external", None)
    adapter = current_app.url_map.bind(
        base.netloc, script_name=base.path or "/", url_scheme=base.scheme or "https"
    )
    current_app.inject_url_defaults(endpoint, values)
    url = adapter.build(endpoint, values, force_external=True)
    if anchor is not None:
        url += "#" + quote(anchor, safe="%!#$&'()*+,/:;=?@")
    return url


def _has_unsafe_character(value: str) -> bool:
    # Browsers drop tabs and newlines from URLs ("/\t/evil.com" becomes "//evil.com") and
    # treat "\" like "/"; control characters also break the Location header.
    return any(
        char == "\\" or char.isspace() or unicodedata.category(char).startswith("C")
        for char in value
    )


def is_safe_redirect_target(target: Any) -> bool:
    """True for a local path such as "/agreements/?page=2": no scheme, no host, no "//"."""
    if not isinstance(target, str) or not target.startswith("/"):
        return False
    if target.startswith("//") or _has_unsafe_character(target):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def safe_redirect_target(target: Any, fallback: str | None = None) -> str:
    """The target when it is a safe local path, else the fallback (default: the overview)."""
    if is_safe_redirect_target(target):
        return target
    return fallback if fallback is not None else url_for("main.dashboard")


def webcal_url(url: str) -> str:
    """The subscription form of a feed address: the same URL with the scheme webcal:// (calendar
    clients such as Outlook, Thunderbird and iOS subscribe to it instead of downloading once)."""
    parts = urlsplit(url)
    return parts._replace(scheme="webcal").geturl()
