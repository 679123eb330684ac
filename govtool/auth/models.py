"""Users and their roles. A user acts for one organisation and may be linked to a person."""

from __future__ import annotations

import datetime as dt
import enum
import functools

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy.orm import Mapped, mapped_column, object_session, relationship, validates
from werkzeug.security import check_password_hash, generate_password_hash

from ..core.models import Audited, TimestampMixin, UTCDateTime, enum_type
from ..directory.models import Organisation, Person
from ..extensions import Model, db, login_manager


class Role(enum.Enum):
    ADMIN = "admin"
    MINISTRY = "ministry"
    SECRETARY = "secretary"
    MUNICIPALITY = "municipality"
    MEMBER = "member"
    AGENCY = "agency"

    @property
    def label(self) -> str:
        return str(ROLE_LABELS[self])


ROLE_LABELS = {
    Role.ADMIN: _l("Administrator"),
    Role.MINISTRY: _l("Ministry (reviews)"),
    Role.SECRETARY: _l("Secretary (runs committees)"),
    Role.MUNICIPALITY: _l("Municipality (drafts and signs)"),
    Role.MEMBER: _l("Member (reads)"),
    Role.AGENCY: _l("Support agency (sees and signs its target agreements)"),
}


def normalise_email(email: str) -> str:
    """Login emails are compared case-insensitively: stored stripped and lower-case."""
    return (email or "").strip().lower()


def _hash_method() -> str:
    """scrypt in production; the test config picks a cheaper method to keep the suite fast."""
    from flask import current_app, has_app_context

    if has_app_context():
        return current_app.config.get("GOVTOOL_PASSWORD_HASH_METHOD", "scrypt")
    return "scrypt"


class UserRole(Audited, Model):
    """One role of one user (a row per role keeps role queries simple)."""

    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(
        sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    role: Mapped[Role] = mapped_column(enum_type(Role, 20), primary_key=True)

    @property
    def audit_label(self) -> str:
        return self.role.value


class User(Audited, UserMixin, TimestampMixin, Model):
    """A login. Roles say what the user may do; organisation says for whom."""

    __tablename__ = "users"
    __audit_mask__ = ("password_hash",)
    __audit_exclude__ = (
        "created_at",
        "updated_at",
        "last_login_at",
        "failed_logins",
        "session_generation",
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(sa.String(256))
    person_id: Mapped[int | None] = mapped_column(sa.ForeignKey("people.id"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    is_active_flag: Mapped[bool] = mapped_column("is_active", default=True)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    # Unused since sign-in is throttled per address instead (auth.services.authenticate); kept so
    # older databases need no migration.
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())
    locale: Mapped[str] = mapped_column(sa.String(5), default="")
    # Part of every session and remember cookie; bumping it revokes all of them (see auth.sessions).
    session_generation: Mapped[int] = mapped_column(default=0, server_default="0")
    # Set when an admin chose the password: the user must pick their own before anything else
    # (auth.first_sign_in); cleared by a password change or reset.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    person: Mapped[Person | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @validates("email")
    def _normalise_email(self, key: str, value: str) -> str:
        return normalise_email(value)

    @property
    def is_active(self) -> bool:  # Flask-Login asks this
        return bool(self.is_active_flag)

    @property
    def roles(self) -> set[Role]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: Role) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    def set_roles(self, roles: set[Role]) -> None:
        current = {row.role: row for row in self.role_rows}
        session = object_session(self)
        for role, row in current.items():
            if role not in roles:
                self.role_rows.remove(row)
                if session is not None:
                    session.delete(row)  # explicit, so the audit hook sees the removal
        for role in roles - set(current):
            self.role_rows.append(UserRole(role=role))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=_hash_method())

    def check_password(self, password: str) -> bool:
        """True for the right password. An account without a password (erased) still costs one
        hash check, so the answer takes as long as for any other account."""
        if not self.password_hash:
            check_against_dummy(password)
            return False
        return check_password_hash(self.password_hash, password)

    def get_id(self) -> str:
        """Flask-Login's token in the session and remember cookie: id and session generation,
        so bumping the generation revokes every copy (see auth.sessions)."""
        return f"{self.id}:{self.session_generation or 0}"

    @property
    def display_name(self) -> str:
        return self.person.full_name if self.person else self.email

    @property
    def audit_label(self) -> str:
        return self.email

    def __str__(self) -> str:
        return self.display_name


@functools.cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash("no account has this password", method=method)


def check_against_dummy(password: str) -> bool:
    """A hash check of the same cost as a real one, for unknown accounts: the time a failed
    sign-in takes must not tell whether the address has an account."""
    check_password_hash(_dummy_hash(_hash_method()), password or "")
    return False


@functools.cache
def _user_with_context_statement() -> sa.Select:
    """One query per request for the user, their roles, person (shown in the header) and
    organisation (read by permission rules), instead of three lazy loads; built once, since
    building it costs more than running it."""
    from sqlalchemy.orm import joinedload

    return (
        sa.select(User)
        .options(
            joinedload(User.role_rows),
            joinedload(User.person),
            joinedload(User.organisation),
        )
        .where(User.id == sa.bindparam("user_id"))
    )


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Flask-Login: the signed-in user, or None when the account was deleted or deactivated or
    the cookie's session generation was revoked (User.get_id)."""
    try:
        key, generation = (int(part) for part in str(user_id).split(":"))
    except (TypeError, ValueError):
        return None
    user = (
        db.session.execute(_user_with_context_statement(), {"user_id": key})
        .unique()
        .scalar_one_or_none()
    )
    if user is None or not user.is_active or user.session_generation != generation:
        return None
    return user
