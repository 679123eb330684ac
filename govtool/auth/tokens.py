"""Personal access tokens for the JSON API (govtool.api).

A token is shown once, when it is created; only the SHA-256 of its secret is stored (the secret is
32 random bytes, so a fast hash is enough: nobody can guess it, and a stolen table reveals none).
Each token belongs to one user and acts as that user: the API asks the same permission rules as
the pages. Scope `read` allows GET only; `write` allows changes too. Every token expires.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import secrets

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.errors import NotFound, ValidationError
from ..core.models import Audited, UTCDateTime, enum_type, utcnow
from ..core.permissions import ensure, rule
from ..extensions import Model, db
from .models import User

TOKEN_PREFIX = "gvt_"
MAX_LIFETIME_DAYS = 366
DEFAULT_LIFETIME_DAYS = 90
# last_used_at is written at most this often per token (not on every call).
LAST_USED_PRECISION = dt.timedelta(minutes=1)


class TokenScope(enum.Enum):
    READ = "read"
    WRITE = "write"

    @property
    def label(self) -> str:
        return str(SCOPE_LABELS[self])


SCOPE_LABELS = {
    TokenScope.READ: _l("Read only"),
    TokenScope.WRITE: _l("Read and write"),
}


class ApiToken(Audited, Model):
    """One personal access token of one user."""

    __tablename__ = "api_tokens"
    __audit_mask__ = ("token_hash",)
    __audit_exclude__ = ("last_used_at",)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(sa.String(100))
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    # The first characters of the token, so its owner can tell their tokens apart.
    hint: Mapped[str] = mapped_column(sa.String(12))
    scope: Mapped[TokenScope] = mapped_column(enum_type(TokenScope, 10))
    expires_on: Mapped[dt.date] = mapped_column(sa.Date())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    user: Mapped[User] = relationship()

    @property
    def audit_label(self) -> str:
        return f"{self.name} ({self.hint}…)"

    @property
    def can_write(self) -> bool:
        return self.scope is TokenScope.WRITE

    def is_valid(self, today: dt.date | None = None) -> bool:
        today = today or utcnow().date()
        return self.revoked_at is None and today <= self.expires_on


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


@rule("token.revoke")
def revoke_own_token(user: User, token: ApiToken) -> bool:
    return token.user_id == user.id and token.revoked_at is None


def user_tokens(user: User) -> list[ApiToken]:
    """The user's tokens, newest first (revoked and expired ones too, for the record)."""
    return list(
        db.session.scalars(
            sa.select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def create_token(
    user: User, name: str, scope: TokenScope, expires_on: dt.date | None = None
) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its secret (shown once, never stored)."""
    today = utcnow().date()
    expires_on = expires_on or today + dt.timedelta(days=DEFAULT_LIFETIME_DAYS)
    if expires_on < today:
        raise ValidationError(gettext("The expiry date lies in the past."), field="expires_on")
    if expires_on > today + dt.timedelta(days=MAX_LIFETIME_DAYS):
        raise ValidationError(
            gettext("A token may be valid for at most one year."), field="expires_on"
        )
    name = (name or "").strip()
    if not name:
        raise ValidationError(gettext("Please name the token."), field="name")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name[:100],
        token_hash=hash_secret(secret),
        hint=secret[:10],
        scope=scope,
        expires_on=expires_on,
    )
    db.session.add(token)
    db.session.flush()
    return token, secret


def revoke_token(user: User, token_id: int) -> ApiToken:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound(gettext("No such token."))
    ensure(user, "token.revoke", token)
    token.revoked_at = utcnow()
    db.session.flush()
    return token


def authenticate_token(secret: str) -> ApiToken | None:
    """The valid token with this secret (its user active), or None. Notes when it was used."""
    if not secret.startswith(TOKEN_PREFIX) or len(secret) > 200:
        return None
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.token_hash == hash_secret(secret)))
    if token is None or not token.is_valid() or not token.user.is_active:
        return None
    now = utcnow()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        token.last_used_at = now
    return token
