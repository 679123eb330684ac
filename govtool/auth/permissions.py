"""Who may manage users, read the audit log and look after the mail outbox."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..core.permissions import rule
from .models import Role

if TYPE_CHECKING:
    from .models import User


@rule("user.manage")
def manage_users(user: User, _obj) -> bool:
    return user.has_role(Role.ADMIN)


@rule("audit.view")
def view_audit(user: User, _obj) -> bool:
    return user.has_role(Role.ADMIN)


@rule("mail.manage")
def manage_mail(user: User, _obj) -> bool:
    """The mail outbox page: see failed and waiting mail, send it again."""
    return user.has_role(Role.ADMIN)


@rule("profile.edit")
def edit_profile(user: User, target) -> bool:
    return target is None or target.id == user.id
