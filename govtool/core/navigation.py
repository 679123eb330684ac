"""Main navigation: each area registers its entries; new areas appear without editing the layout."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import request, url_for
from flask_login import current_user

from .permissions import can


@dataclass(frozen=True)
class NavItem:
    label: object  # a lazy gettext string
    endpoint: str
    action: str | None = None  # permission needed to see the entry
    order: int = 50
    prefix: str = ""  # URL prefix marking the entry as current


NAV_ITEMS: list[NavItem] = []


def add_nav_item(
    label, endpoint: str, action: str | None = None, order: int = 50, prefix: str = ""
):
    """Register (or replace) the entry for `endpoint`: calling it again, as every create_app in
    one process does, leaves one entry per endpoint."""
    NAV_ITEMS[:] = [item for item in NAV_ITEMS if item.endpoint != endpoint]
    NAV_ITEMS.append(NavItem(label, endpoint, action, order, prefix))
    NAV_ITEMS.sort(key=lambda item: item.order)


# url_for of an argument-free endpoint only depends on where the app is mounted: built once.
_URLS: dict[tuple[str, str], str] = {}


def _url(endpoint: str) -> str:
    key = (request.script_root, endpoint)
    url = _URLS.get(key)
    if url is None:
        url = _URLS[key] = url_for(endpoint)
    return url


def visible_nav_items() -> list[dict]:
    """The entries the current user may see; the one with the longest matching prefix is current."""
    user = current_user._get_current_object()
    if not user.is_authenticated:
        return []
    items: list[dict[str, Any]] = []
    for item in NAV_ITEMS:
        if item.action and not can(user, item.action):
            continue
        url = _url(item.endpoint)
        prefix = item.prefix or url
        matches = request.path == url if prefix == "/" else request.path.startswith(prefix)
        items.append({"label": item.label, "url": url, "match": len(prefix) if matches else 0})
    best = max((entry["match"] for entry in items), default=0)
    for entry in items:
        entry["current"] = best > 0 and entry.pop("match") == best
        entry.pop("match", None)
    return items
