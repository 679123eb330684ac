"""The rate limiter's storage: Redis, and memory while Redis cannot be reached.

With GOVTOOL_REDIS_URL every worker counts sign-in failures in Redis. A Redis that is down must not
take the sign-in with it (issue 15): each count then goes to this process's memory, a warning is
logged once, and Redis is tried again after a short pause (not on every request, which would add
a connection timeout to each); the first call that reaches it again switches back, in the same
process, without a restart.

Why not Flask-Limiter's own RATELIMIT_IN_MEMORY_FALLBACK_ENABLED: it covers only the check made by
its decorators. The deduction of `deduct_when` limits after the response (the sign-in form) and
the direct counts of core.throttle still raise, and there is no public way to switch the fallback
on from outside. One storage below Flask-Limiter serves all of them the same way; it is registered
with the `limits` package under its own URI scheme (limits' documented way to add a storage).
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

from limits.storage import MemoryStorage, RedisStorage, Storage
from limits.storage.base import MovingWindowSupport, SlidingWindowCounterSupport
from redis.backoff import NoBackoff
from redis.exceptions import RedisError
from redis.retry import Retry

log = logging.getLogger("govtool.ratelimit")

SCHEME_PREFIX = "govtool+"
# Short timeouts: while Redis hangs (a network partition rather than a refused connection) a
# request waits at most this long before the count goes to memory.
DEFAULT_OPTIONS: dict[str, Any] = {
    "socket_connect_timeout": 0.5,
    "socket_timeout": 0.5,
    "health_check_interval": 30,
}
# How long memory is used before Redis is tried again.
DEFAULT_RETRY_SECONDS = 5.0


def fallback_uri(uri: str) -> str:
    """The storage URI for Flask-Limiter: a redis:// URI wrapped in this storage's scheme, any
    other (memory://, or one already wrapped) unchanged."""
    if uri.split("://", 1)[0] in ("redis", "rediss"):
        return SCHEME_PREFIX + uri
    return uri


class RedisWithMemoryFallback(Storage, MovingWindowSupport, SlidingWindowCounterSupport):
    """Counts in Redis; while Redis cannot be reached, in this process's memory."""

    STORAGE_SCHEME = ["govtool+redis", "govtool+rediss"]

    def __init__(
        self,
        uri: str,
        wrap_exceptions: bool = False,
        retry_seconds: float = DEFAULT_RETRY_SECONDS,
        **options: Any,
    ) -> None:
        super().__init__(uri, wrap_exceptions=wrap_exceptions)
        redis_options = {**DEFAULT_OPTIONS, **options}
        # One immediate retry (a pooled connection that Redis closed while it restarted), never
        # redis-py's default of ten with back-off: that would hold every request for seconds.
        redis_options.setdefault("retry", Retry(NoBackoff(), 1))
        self.redis_uri = uri.removeprefix(SCHEME_PREFIX)
        self.redis = RedisStorage(self.redis_uri, **redis_options)
        self.memory = MemoryStorage()
        self.retry_seconds = retry_seconds
        self._lock = threading.Lock()
        self._down_since: float | None = None
        self._next_try = 0.0

    @property
    def base_exceptions(self) -> type[Exception] | tuple[type[Exception], ...]:
        return RedisError

    @property
    def using_memory(self) -> bool:
        """True while counts go to memory (Redis was unreachable at the last try)."""
        return self._down_since is not None

    def _call(self, name: str, *args: Any, **kwargs: Any) -> Any:
        if self._down_since is None or self._may_try_again():
            try:
                result = getattr(self.redis, name)(*args, **kwargs)
            except RedisError as error:
                self._went_down(error)
            else:
                if self._down_since is not None:
                    self._came_back()
                return result
        return getattr(self.memory, name)(*args, **kwargs)

    def _may_try_again(self) -> bool:
        """While Redis is away: True for one caller once the pause is over (the others go on
        with memory meanwhile, so a Redis that hangs holds up one request, not all)."""
        with self._lock:
            if time.monotonic() < self._next_try:
                return False
            self._next_try = time.monotonic() + self.retry_seconds
            return True

    def _went_down(self, error: Exception) -> None:
        with self._lock:
            self._next_try = time.monotonic() + self.retry_seconds
            if self._down_since is None:
                self._down_since = time.monotonic()
                log.warning(
                    "Redis at %s unreachable (%s): rate limits count in this process's memory "
                    "until it is back; next try in %g s",
                    _without_password(self.redis_uri),
                    error,
                    self.retry_seconds,
                )

    def _came_back(self) -> None:
        with self._lock:
            if self._down_since is None:
                return
            down_for = time.monotonic() - self._down_since
            self._down_since = None
            log.warning(
                "Redis at %s reachable again after %.0f s: rate limits count in Redis again",
                _without_password(self.redis_uri),
                down_for,
            )

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        return self._call("incr", key, expiry, amount=amount)

    def get(self, key: str) -> int:
        return self._call("get", key)

    def get_expiry(self, key: str) -> float:
        return self._call("get_expiry", key)

    def clear(self, key: str) -> None:
        self.memory.clear(key)
        self._call("clear", key)

    def check(self) -> bool:
        """Healthy while either storage answers: memory always does."""
        return True

    def reset(self) -> int | None:
        self.memory.reset()
        return self._call("reset")

    def acquire_entry(self, key: str, limit: int, expiry: int, amount: int = 1) -> bool:
        return self._call("acquire_entry", key, limit, expiry, amount=amount)

    def get_moving_window(self, key: str, limit: int, expiry: int) -> tuple[float, int]:
        return self._call("get_moving_window", key, limit, expiry)

    def acquire_sliding_window_entry(
        self, key: str, limit: int, expiry: int, amount: int = 1
    ) -> bool:
        return self._call("acquire_sliding_window_entry", key, limit, expiry, amount=amount)

    def get_sliding_window(self, key: str, expiry: int) -> tuple[int, float, int, float]:
        return self._call("get_sliding_window", key, expiry)

    def clear_sliding_window(self, key: str, expiry: int) -> None:
        self.memory.clear_sliding_window(key, expiry)
        return self._call("clear_sliding_window", key, expiry)


def _without_password(uri: str) -> str:
    """The URI for the log: a password in it (redis://:secret@host) is not written out."""
    scheme, _, rest = uri.partition("://")
    if "@" in rest:
        rest = "***@" + rest.rsplit("@", 1)[1]
    return f"{scheme}://{rest}"
