"""Counting failed attempts (sign-ins, password re-checks) in the rate limiter's storage.

The counts live where Flask-Limiter keeps its own (Redis when GOVTOOL_REDIS_URL is set), so
every worker sees them. A throttle slows guessing down for a while; it is no lock-out, and its
key decides who is slowed down (e.g. one address trying one account, not the account itself).
"""

from __future__ import annotations

from flask import current_app
from flask_babel import gettext
from limits import parse

from ..extensions import limiter
from .errors import DomainError


class TooManyAttempts(DomainError):
    """Too many failed attempts for one key within the configured window."""

    status_code = 429
    code = "too_many_attempts"


def _identifiers(scope: str, key: str) -> tuple[str, ...]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "govtool"
    return (prefix, "throttle", scope, key)


def is_throttled(scope: str, key: str, limit: str) -> bool:
    """True when `key` used up its failures in `scope` (limit such as "5 per minute"). With
    RATELIMIT_ENABLED off (benchmarks) nothing is throttled: Flask-Limiter then has no storage.
    While Redis is away the counts are in memory (core.ratelimit_storage)."""
    if not limiter.enabled:
        return False
    return not limiter.limiter.test(parse(limit), *_identifiers(scope, key))


def record_failure(scope: str, key: str, limit: str) -> None:
    """Count one failed attempt of `key` in `scope`."""
    if limiter.enabled:
        limiter.limiter.hit(parse(limit), *_identifiers(scope, key))


def ensure_not_throttled(scope: str, key: str, limit: str, message: str | None = None) -> None:
    """Raise TooManyAttempts (429) while `key` is throttled in `scope`."""
    if is_throttled(scope, key, limit):
        raise TooManyAttempts(
            message or gettext("Too many failed attempts. Please wait a few minutes and try again.")
        )


PASSWORD_CHECK_SCOPE = "password-check"


def verify_password(user, password: str) -> bool:
    """Re-check the signed-in user's password (password change, signing); wrong answers are
    throttled per user, so a left-open session cannot be used to guess the password. Here, not
    in auth/, since other areas' services ask it too (signing an agreement)."""
    limit = current_app.config["GOVTOOL_PASSWORD_CHECK_LIMIT"]
    key = str(user.id)
    ensure_not_throttled(
        PASSWORD_CHECK_SCOPE,
        key,
        limit,
        gettext("Too many wrong passwords. Please wait a minute and try again."),
    )
    if password and user.check_password(password):
        return True
    record_failure(PASSWORD_CHECK_SCOPE, key, limit)
    return False
