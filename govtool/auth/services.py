"""Use cases for logins, passwords and user administration."""

from __future__ import annotations

import enum
import hashlib
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from ..core.errors import DomainError, ValidationError
from ..core.mail import send_mail
from ..core.models import utcnow
from ..core.permissions import ensure
from ..core.throttle import ensure_not_throttled, record_failure, verify_password
from ..core.urls import external_url
from ..directory.models import Organisation, Person
from ..extensions import db
from .forms import MIN_PASSWORD
from .models import Role, User, check_against_dummy, normalise_email
from .sessions import revoke_sessions


class LoginRefused(DomainError):
    """Wrong credentials or inactive account; the message never says which (no account probing)."""

    status_code = 401
    code = "login_refused"


LOGIN_SCOPE = "login"


def find_user_by_email(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == normalise_email(email)))


def _too_many_sign_ins() -> str:
    return gettext("Too many failed sign-ins. Please wait a few minutes and try again.")


def authenticate(email: str, password: str, client: str = "") -> User:
    """Check a login. Every failure costs one hash check and gets one message, whether or not
    the account exists; failures are throttled per (email, client address), so an attacker
    elsewhere slows down only themselves and never locks the account's owner out."""
    limit = current_app.config["GOVTOOL_LOGIN_ACCOUNT_LIMIT"]
    key = f"{normalise_email(email)}|{client}"
    ensure_not_throttled(LOGIN_SCOPE, key, limit, _too_many_sign_ins())
    user = find_user_by_email(email)
    password_ok = (
        user.check_password(password) if user is not None else check_against_dummy(password)
    )
    if user is None or not password_ok or not user.is_active:
        record_failure(LOGIN_SCOPE, key, limit)
        raise LoginRefused(gettext("Email or password is wrong."))
    user.last_login_at = utcnow()
    db.session.flush()
    return user


def change_password(user: User, current: str, new: str) -> None:
    """The user's own change: ends their other sessions (the view renews the current one)."""
    if not verify_password(user, current):
        raise ValidationError(gettext("The current password is wrong."), field="current_password")
    _check_password_strength(new, user)
    if user.check_password(new):
        raise ValidationError(
            gettext("The new password must differ from the current one."), field="new_password"
        )
    user.set_password(new)
    user.must_change_password = False
    revoke_sessions(user)


def set_preferred_locale(user: User, locale: str) -> None:
    """The user's UI language ("" = the default); unknown codes are refused."""
    if locale not in ("", *current_app.config["LANGUAGES"]):
        raise ValidationError(gettext("Unknown language."), field="locale")
    user.locale = locale
    db.session.flush()


def _check_password_strength(
    password: str, user: User | None = None, field: str = "new_password"
) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise ValidationError(
            gettext("The password needs at least %(n)d characters.", n=MIN_PASSWORD), field=field
        )
    if user is not None and password.lower() == user.email.lower():
        raise ValidationError(gettext("The password must not be the email."), field=field)


# One signed-token mechanism for both mailed password links: "reset" (the user asked; short-lived)
# and "welcome" (a new account; the user sets the first password). Each purpose has its own salt,
# so a link of one kind never opens the other's page.
RESET = "reset"
WELCOME = "welcome"
_SALTS = {RESET: "password-reset", WELCOME: "password-welcome"}


class TokenProblem(enum.Enum):
    """Why a password link does not open: the page tells the user and offers a new link."""

    INVALID = "invalid"
    EXPIRED = "expired"
    USED = "used"  # the password was set since the link was made: it works once


def _serializer(purpose: str = RESET) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=_SALTS[purpose])


def token_hours(purpose: str = RESET) -> int:
    key = "GOVTOOL_WELCOME_TOKEN_HOURS" if purpose == WELCOME else "GOVTOOL_RESET_TOKEN_HOURS"
    return int(current_app.config[key])


def _password_fingerprint(user: User) -> str:
    # Part of the token: once the password changes, older links stop working (single use). A new
    # account without a password has the empty hash; setting the first one changes it.
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:16]


def make_reset_token(user: User, purpose: str = RESET) -> str:
    return _serializer(purpose).dumps({"uid": user.id, "fp": _password_fingerprint(user)})


def send_password_reset(email: str) -> None:
    """Mail a reset link if the address belongs to an active user; silent otherwise."""
    user = find_user_by_email(email)
    if user is None or not user.is_active:
        return
    link = external_url("auth.reset_password", token=make_reset_token(user))
    send_mail(
        user.email,
        gettext("govtool: reset your password"),
        gettext(
            "Someone asked to reset the password of your govtool account.\n\n"
            "Open this link within %(hours)d hours to choose a new password:\n%(link)s\n\n"
            "If that was not you, ignore this mail; your password stays as it is.",
            hours=token_hours(RESET),
            link=link,
        ),
    )


def send_welcome(user: User) -> None:
    """Mail a new user the one-time link to set their first password (valid 72 hours), in the
    user's language (the installation's default for a new account), not the admin's."""
    link = external_url("auth.set_password", token=make_reset_token(user, WELCOME))
    with force_locale(user.locale or current_app.config["BABEL_DEFAULT_LOCALE"]):
        send_mail(
            user.email,
            gettext("govtool: your new account"),
            gettext(
                "An account for govtool has been created for you (sign-in: %(email)s).\n\n"
                "Open this link within %(hours)d hours to choose your password; it works once:\n"
                "%(link)s\n\n"
                "If the link has expired, ask for a new one on the sign-in page "
                '("Forgot password?"): %(forgot)s',
                email=user.email,
                hours=token_hours(WELCOME),
                link=link,
                forgot=external_url("auth.forgot_password"),
            ),
        )


def check_password_token(
    token: str, purpose: str = RESET
) -> tuple[User | None, TokenProblem | None]:
    """The user a mailed password link belongs to, or None and why it does not open."""
    max_age = token_hours(purpose) * 3600
    try:
        data = _serializer(purpose).loads(token, max_age=max_age)
    except SignatureExpired:
        return None, TokenProblem.EXPIRED
    except BadSignature:
        return None, TokenProblem.INVALID
    if not isinstance(data, dict):
        return None, TokenProblem.INVALID
    user = db.session.get(User, data.get("uid")) if isinstance(data.get("uid"), int) else None
    if user is None or not user.is_active:
        return None, TokenProblem.INVALID
    if data.get("fp") != _password_fingerprint(user):
        return None, TokenProblem.USED
    return user, None


def user_for_reset_token(token: str) -> User | None:
    return check_password_token(token, RESET)[0]


def reset_password(user: User, new: str) -> None:
    """A password the user chose through a mailed link (reset or first password)."""
    _check_password_strength(new, user)
    user.set_password(new)
    user.must_change_password = False
    revoke_sessions(user)


def user_query(search: str = "", role: str = "") -> sa.Select:
    from sqlalchemy.orm import joinedload

    query = sa.select(User).options(joinedload(User.organisation), joinedload(User.person))
    if search:
        query = query.where(User.email.ilike(f"%{search.strip().lower()}%"))
    if role:
        try:
            role_enum = Role(role)
        except ValueError:
            return query.where(sa.false())
        from .models import UserRole

        query = query.where(
            User.id.in_(sa.select(UserRole.user_id).where(UserRole.role == role_enum))
        )
    return query.order_by(User.email)


def _apply_user_fields(user: User, data: dict[str, Any]) -> None:
    email = normalise_email(data.get("email", ""))
    if not email:
        raise ValidationError(gettext("Please enter an email."), field="email")
    clash = db.session.scalar(sa.select(User.id).where(User.email == email))
    if clash and clash != user.id:
        raise ValidationError(
            gettext("A user with the email %(email)s exists already.", email=email), field="email"
        )
    try:
        roles = {Role(value) for value in data.get("roles") or []}
    except ValueError as exc:
        raise ValidationError(gettext("Unknown role."), field="roles") from exc
    if not roles:
        raise ValidationError(gettext("Choose at least one role."), field="roles")
    organisation_id = data.get("organisation_id") or None
    if Role.MUNICIPALITY in roles and not organisation_id:
        raise ValidationError(
            gettext("A municipality user needs the organisation it acts for."),
            field="organisation_id",
        )
    if Role.AGENCY in roles and not organisation_id:
        raise ValidationError(
            gettext("A support agency user needs the agency it acts for."),
            field="organisation_id",
        )
    if organisation_id and db.session.get(Organisation, organisation_id) is None:
        raise ValidationError(gettext("Unknown organisation."), field="organisation_id")
    person_id = data.get("person_id") or None
    if person_id and db.session.get(Person, person_id) is None:
        raise ValidationError(gettext("Unknown person."), field="person_id")
    user.email = email
    user.organisation_id = organisation_id
    user.person_id = person_id
    user.set_roles(roles)
    if "is_active" in data:
        if user.is_active_flag and not data["is_active"]:
            revoke_sessions(user)  # a deactivated user is out at once, not at the next sign-in
        user.is_active_flag = bool(data["is_active"])


def create_user(actor, data: dict[str, Any]) -> User:
    """An admin creates a login. Without a password the user gets a mail with a one-time link to
    set their own (the default); a password the admin sets must be changed at the first sign-in.
    The CLI acts as the system (actor=None) and always passes the password its operator chose."""
    if actor is not None:
        ensure(actor, "user.manage")
    password = data.get("password") or ""
    user = User(email="", password_hash="")
    _apply_user_fields(user, data)
    if password or actor is None:
        _check_password_strength(password, user, field="password")
        user.set_password(password)
        user.must_change_password = actor is not None
    db.session.add(user)
    db.session.flush()
    if not password and actor is not None:
        send_welcome(user)
    return user


def update_user(actor, user: User, data: dict[str, Any]) -> User:
    ensure(actor, "user.manage", user)
    if user.id == actor.id and (
        not data.get("is_active", True) or Role.ADMIN.value not in (data.get("roles") or [])
    ):
        raise ValidationError(
            gettext("You cannot remove your own admin role or deactivate yourself."), field="roles"
        )
    _apply_user_fields(user, data)
    if data.get("password"):
        _check_password_strength(data["password"], user, field="password")
        user.set_password(data["password"])
        # Someone else's password the admin knows: that user must replace it at sign-in.
        user.must_change_password = user.id != actor.id
        revoke_sessions(user)
    db.session.flush()
    return user


def resend_welcome(actor, user: User) -> None:
    """Send a new link to set the password (e.g. the first one expired)."""
    ensure(actor, "user.manage", user)
    if not user.is_active:
        raise ValidationError(gettext("The account is not active."))
    send_welcome(user)
