"""The one place that answers "may this user do this?": can(user, action, obj).

Each area registers its rules with @rule("area.action"); views, services and the CLI all ask can().
An action without a rule is denied, so a forgotten rule fails closed.

Where a list needs the same rule as SQL, the area registers the condition beside the rule
(@rule("area.action", where=Filter(scope, condition))) and the list asks where(); a test checks
for every user and object that can() and where() agree, so the two copies cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from flask import abort
from flask_babel import gettext

from .errors import PermissionDenied

Rule = Callable[[Any, Any], bool]
_RULES: dict[str, Rule] = {}


@dataclass(frozen=True)
class Filter:
    """The SQL twin of a rule, for lists. `scope(user)` is all the condition depends on (hashable,
    so a list may build its statement once per scope); `condition(scope)` is the WHERE clause
    that holds for exactly the rows the rule allows."""

    scope: Callable[[Any], Hashable]
    condition: Callable[[Any], sa.ColumnElement[bool]]


_FILTERS: dict[str, Filter] = {}
DENIED = "denied"  # the scope of a user who may do nothing (anonymous, inactive)


def rule(action: str, where: Filter | None = None) -> Callable[[Rule], Rule]:
    """Register the function deciding `action`; it gets (user, obj) and returns a bool. `where`
    is the same rule as SQL, for the lists that show only what the rule allows."""

    def register(func: Rule) -> Rule:
        if action in _RULES:
            raise RuntimeError(f"permission rule {action!r} registered twice")
        _RULES[action] = func
        if where is not None:
            _FILTERS[action] = where
        return func

    return register


def _may_act(user: Any) -> bool:
    if user is None or not getattr(user, "is_authenticated", False):
        return False
    return bool(getattr(user, "is_active", False))


def can(user: Any, action: str, obj: Any = None) -> bool:
    """True when `user` may perform `action` (on `obj`); inactive or anonymous users may not."""
    if not _may_act(user):
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


def filter_scope(action: str, user: Any) -> Hashable:
    """What the SQL condition of `action` depends on for `user` (a cache key for statements)."""
    if not _may_act(user):
        return DENIED
    return _FILTERS[action].scope(user)


def filter_condition(action: str, scope: Hashable) -> sa.ColumnElement[bool]:
    """The SQL condition of `action` for a scope from filter_scope()."""
    if scope == DENIED:
        return sa.false()
    return _FILTERS[action].condition(scope)


def where(user: Any, action: str) -> sa.ColumnElement[bool]:
    """SQL condition: the rows on which can(user, action, row) holds."""
    return filter_condition(action, filter_scope(action, user))


def registered_actions() -> list[str]:
    """All known actions, for tests and documentation."""
    return sorted(_RULES)


def filtered_actions() -> list[str]:
    """The actions whose rule has an SQL filter registered beside it (each needs a test that
    the two agree)."""
    return sorted(_FILTERS)
