"""Uploaded import files kept for the confirmation step (likely duplicates).

An import that finds likely duplicates saves nothing and asks the user to confirm; the file waits
here meanwhile, in the database so every worker process finds it. The store is bounded: a file
lives for STAGED_LIFETIME, a user keeps at most MAX_STAGED_PER_USER files (the oldest goes), and
every new file clears the expired ones of everybody. A confirmed or abandoned import deletes it.
"""

from __future__ import annotations

import datetime as dt
import secrets

import sqlalchemy as sa
from flask_babel import gettext
from sqlalchemy.orm import Mapped, mapped_column

from ..core.errors import DomainError
from ..core.models import UTCDateTime, utcnow
from ..extensions import Model, db

STAGED_LIFETIME = dt.timedelta(hours=1)
MAX_STAGED_PER_USER = 3


class StagedImportExpired(DomainError):
    """The kept file is gone (expired or already imported): the user uploads it again."""

    status_code = 410


class StagedImport(Model):
    """One uploaded import file waiting for the user's confirmation."""

    __tablename__ = "catalogue_staged_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(sa.String(64), unique=True)
    user_id: Mapped[int] = mapped_column(sa.ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(sa.String(255))
    content: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)

    @property
    def is_expired(self) -> bool:
        return self.created_at + STAGED_LIFETIME < utcnow()


def keep(user_id: int, filename: str, content: bytes) -> StagedImport:
    """Keep an upload for the confirmation step (bounded, see the module docstring)."""
    db.session.execute(
        sa.delete(StagedImport).where(StagedImport.created_at < utcnow() - STAGED_LIFETIME)
    )
    older = db.session.scalars(
        sa.select(StagedImport.id)
        .where(StagedImport.user_id == user_id)
        .order_by(StagedImport.created_at.desc(), StagedImport.id.desc())
        .offset(MAX_STAGED_PER_USER - 1)
    ).all()
    if older:
        db.session.execute(sa.delete(StagedImport).where(StagedImport.id.in_(older)))
    staged = StagedImport(
        token=secrets.token_urlsafe(32),
        user_id=user_id,
        filename=(filename or "import")[-255:],
        content=content,
        created_at=utcnow(),
    )
    db.session.add(staged)
    db.session.flush()
    return staged


def by_token(token: str) -> StagedImport | None:
    """The kept upload with this token, or None (a view turns None into a 404)."""
    if not token or len(token) > 64:
        return None
    return db.session.scalar(sa.select(StagedImport).where(StagedImport.token == token))


def check_fresh(staged: StagedImport) -> None:
    """Refuse a kept file that has expired (410): the user uploads it again."""
    if staged.is_expired:
        raise StagedImportExpired(
            gettext("The uploaded file was kept for one hour only; please upload it again.")
        )


def discard(staged: StagedImport) -> None:
    """Delete a kept upload (imported or abandoned)."""
    db.session.delete(staged)
    db.session.flush()
