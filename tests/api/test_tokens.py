"""Personal access tokens: created on the profile page and shown once, stored hashed, revoked,
expired, read-only, rate-limited, and acting (and audited) as their user."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import sqlalchemy as sa

from govtool.auth.tokens import ApiToken
from govtool.core.audit import AuditEntry
from govtool.core.models import utcnow
from tests.api.conftest import bearer
from tests.factories import make_user


def _problem(response, status: int):
    assert response.status_code == status, response.data
    assert response.mimetype == "application/problem+json"
    assert response.json["status"] == status
    return response.json


def test_profile_page_creates_a_token_shown_once_and_stored_hashed(client, login, db):
    user = make_user(email="tokens@example.org")
    db.session.commit()
    login("tokens@example.org")
    response = client.post(
        "/profile/tokens/",
        data={
            "token-name": "Fachverfahren",
            "token-scope": "read",
            "token-expires_on": (dt.date.today() + dt.timedelta(days=30)).isoformat(),
        },
    )
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    secret = re.search(r'value="(gvt_[^"]+)"', response.get_data(as_text=True)).group(1)
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == user.id))
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert secret not in str(
        db.session.execute(sa.select(ApiToken.__table__)).all()
    )  # only the hash is stored
    profile = client.get("/profile").get_data(as_text=True)
    assert "Fachverfahren" in profile and secret not in profile
    assert client.get("/api/v1/bodies", headers=bearer(secret)).status_code == 200
    db.session.expire_all()
    assert token.last_used_at is not None


def test_a_token_is_revoked_on_the_profile_page_then_refused_with_401(client, login, db, token_for):
    user = make_user(email="revoke@example.org")
    db.session.commit()
    secret = token_for(user)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    login("revoke@example.org")
    assert client.get(f"/profile/tokens/{token_id}/revoke").status_code == 200
    # without the confirmation nothing happens
    assert client.post(f"/profile/tokens/{token_id}/revoke", data={}).status_code == 422
    assert client.get("/api/v1/bodies", headers=bearer(secret)).status_code == 200
    response = client.post(f"/profile/tokens/{token_id}/revoke", data={"confirm": "y"})
    assert response.status_code == 302
    response = client.get("/api/v1/bodies", headers=bearer(secret))
    _problem(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_another_users_token_cannot_be_revoked(client, login, db, token_for):
    owner = make_user()
    make_user(email="other@example.org")
    db.session.commit()
    token_for(owner)
    token_id = db.session.scalar(sa.select(ApiToken.id))
    login("other@example.org")
    assert (
        client.post(f"/profile/tokens/{token_id}/revoke", data={"confirm": "y"}).status_code == 403
    )


def test_expired_unknown_and_missing_tokens_get_401(client, db, token_for):
    user = make_user()
    db.session.commit()
    secret = token_for(user, expires_on=dt.date.today())
    assert client.get("/api/v1/bodies", headers=bearer(secret)).status_code == 200
    token = db.session.scalar(sa.select(ApiToken))
    token.expires_on = dt.date.today() - dt.timedelta(days=1)
    db.session.commit()
    for headers in (bearer(secret), bearer("gvt_unknown"), {}, {"Authorization": "Basic eDp5"}):
        response = client.get("/api/v1/bodies", headers=headers)
        _problem(response, 401)
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_a_deactivated_users_token_gets_401(client, db, token_for):
    user = make_user()
    db.session.commit()
    secret = token_for(user)
    user.is_active_flag = False
    db.session.commit()
    _problem(client.get("/api/v1/bodies", headers=bearer(secret)), 401)


def test_a_read_token_cannot_write(client, db, token_for):
    user = make_user()
    db.session.commit()
    secret = token_for(user, scope="read")
    response = client.post("/api/v1/catalogue/entries", headers=bearer(secret), json={"title": "x"})
    assert _problem(response, 403)["error"] == "insufficient_scope"


def test_the_session_cookie_does_not_authenticate_the_api(client, login, db):
    """The API is exempt from CSRF because cookies authenticate nothing there."""
    make_user(email="cookie@example.org")
    db.session.commit()
    login("cookie@example.org")
    _problem(client.get("/api/v1/bodies"), 401)
    _problem(client.post("/api/v1/catalogue/entries", json={"title": "x"}), 401)


def test_rate_limit_per_token(app, client, db, token_for, monkeypatch):
    monkeypatch.setitem(app.config, "GOVTOOL_API_RATE_LIMIT", "3 per minute")
    user = make_user()
    db.session.commit()
    first, second = token_for(user), token_for(user)
    for _ in range(3):
        assert client.get("/api/v1/bodies", headers=bearer(first)).status_code == 200
    response = client.get("/api/v1/bodies", headers=bearer(first))
    _problem(response, 429)
    assert "Retry-After" in response.headers
    # another token has its own budget
    assert client.get("/api/v1/bodies", headers=bearer(second)).status_code == 200


def test_token_creation_and_revocation_are_audited_as_the_user(db, token_for):
    from govtool.auth.tokens import revoke_token

    user = make_user()
    db.session.commit()
    token_for(user)
    token = db.session.scalar(sa.select(ApiToken))
    from govtool.core.audit import acting_as

    with acting_as(user):
        revoke_token(user, token.id)
        db.session.commit()
    entries = db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.object_type == "ApiToken")
    ).all()
    assert {e.action for e in entries} >= {"insert", "update"}
    assert token.token_hash not in str([e.changes for e in entries])
    assert token.revoked_at <= utcnow()
