"""The one place that answers "may this user do this?": can(user, action, obj).

Each area registers its rules with @rule("area.action"); views, services and the CLI all ask can().
An action without a rule is denied, so a forgotten rule fails closed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort
from flask_babel import gettext

from .errors import PermissionDenied

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


def rule(action: str) -> Callable[[Rule], Rule]:
    """Register the function deciding `action`; it gets (user, obj) and returns a bool."""

    def register(func: Rule) -> Rule:
        if action in _RULES:
            raise RuntimeError(f"permission rule {action!r} registered twice")
        _RULES[action] = func
        return func

    return register


def can(user: Any, action: str, obj: Any = None) -> bool:
    """True when `user` may perform `action` (on `obj`); inactive or anonymous users may not."""
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    if not getattr(user, "is_active", False):
        return False
    decide = _RULES.get(action)
    if decide is None:
        return False
    return bool(decide(user, obj))


def require(allowed: bool) -> None:
    """In a view: stop with 403 unless allowed."""
    if not allowed:
        abort(403)


def ensure(user: Any, action: str, obj: Any = None) -> None:
    """In a service: raise PermissionDenied unless can(user, action, obj)."""
    if not can(user, action, obj):
        raise PermissionDenied(gettext("You are not allowed to do this."))


def registered_actions() -> list[str]:
    """All known actions, for tests and documentation."""
    return sorted(_RULES)
