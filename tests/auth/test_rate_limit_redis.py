"""With GOVTOOL_REDIS_URL, failed-login counts live in Redis, so every gunicorn worker sees them."""

from __future__ import annotations

import os
import socket
import uuid

import pytest
import redis

from govtool import TestConfig, create_app
from govtool.extensions import limiter
from tests.factories import make_user

REDIS_URL = os.environ.get("GOVTOOL_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_reachable() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_two_workers_share_the_login_limit_through_redis(app, db, database_url):
    make_user("anna@example.org")
    db.session.commit()

    class RedisConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_STORAGE_URI = REDIS_URL
        # A fresh key space per run, so an earlier run's counts cannot leak in.
        RATELIMIT_KEY_PREFIX = f"govtool-test-{uuid.uuid4().hex}"

    bad = {"email": "anna@example.org", "password": "falsch"}
    try:
        worker_one = create_app(RedisConfig).test_client()
        for _ in range(3):
            assert worker_one.post("/login", data=bad).status_code == 401
        # A second app instance stands for another gunicorn worker with its own memory.
        worker_two = create_app(RedisConfig).test_client()
        for _ in range(2):
            assert worker_two.post("/login", data=bad).status_code == 401
        assert worker_two.post("/login", data=bad).status_code == 429
        assert worker_one.post("/login", data=bad).status_code == 429
        keys = redis.Redis.from_url(REDIS_URL).keys(f"*{RedisConfig.RATELIMIT_KEY_PREFIX}*")
        assert keys, "the counts should be stored in Redis"
    finally:
        limiter.init_app(app)  # back to the session app's in-memory storage
        limiter.reset()


@pytest.mark.skipif(not _redis_reachable(), reason="no Redis on 127.0.0.1:6379")
def test_two_workers_share_the_sign_in_throttle_through_redis(app, db, database_url):
    """The per-(email, address) throttle and the password re-check throttle live in the same
    storage as the limiter's counts."""
    make_user("anna@example.org")
    db.session.commit()

    class RedisConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_STORAGE_URI = REDIS_URL
        RATELIMIT_KEY_PREFIX = f"govtool-test-{uuid.uuid4().hex}"
        GOVTOOL_LOGIN_LIMIT = "1000 per minute"
        GOVTOOL_LOGIN_ACCOUNT_LIMIT = "4 per minute"

    bad = {"email": "anna@example.org", "password": "falsch"}
    try:
        worker_one = create_app(RedisConfig).test_client()
        worker_two = create_app(RedisConfig).test_client()
        for _ in range(2):
            assert worker_one.post("/login", data=bad).status_code == 401
            assert worker_two.post("/login", data=bad).status_code == 401
        assert worker_one.post("/login", data=bad).status_code == 429
        assert worker_two.post("/login", data=bad).status_code == 429
        keys = redis.Redis.from_url(REDIS_URL).keys(
            f"*{RedisConfig.RATELIMIT_KEY_PREFIX}*throttle*"
        )
        assert keys, "the throttle counts should be stored in Redis"
    finally:
        limiter.init_app(app)
        limiter.reset()
