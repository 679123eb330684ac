"""Model helpers shared by all areas: UTC timestamps, enums stored as strings, a rollback that
survives a lost connection."""

from __future__ import annotations

import enum
import logging
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

from ..extensions import db


def rollback_quietly() -> None:
    """Roll back after an error; when the database is gone, rolling back may fail as well."""
    try:
        db.session.rollback()
    except sa.exc.SQLAlchemyError:
        logging.getLogger(__name__).warning("rollback failed", exc_info=True)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC datetime on every backend (SQLite drops the offset on its own)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None:
            if value.tzinfo is None:
                raise ValueError("naive datetime given; store aware UTC datetimes")
            value = value.astimezone(UTC)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return value


def enum_type(enum_cls: type[enum.Enum], length: int = 32) -> sa.Enum:
    """Store a Python enum by its value as a plain string column (no native DB enum to migrate)."""
    return sa.Enum(
        enum_cls,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


class TimestampMixin:
    """created_at / updated_at in UTC, maintained by SQLAlchemy."""

    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime(), default=utcnow, onupdate=utcnow, nullable=False
    )


class Audited:
    """Marker: inserts, updates and deletes of this model are written to the audit log."""

    __audit_exclude__: tuple[str, ...] = ("created_at", "updated_at")
    __audit_mask__: tuple[str, ...] = ()
