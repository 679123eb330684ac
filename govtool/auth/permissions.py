"""Who may manage users and read the audit log."""

from __future__ import annotations

from ..core.permissions import rule
from .models import Role


@rule("user.manage")
def manage_users(user, _obj) -> bool:
    return user.has_role(Role.ADMIN)


@rule("audit.view")
def view_audit(user, _obj) -> bool:
    return user.has_role(Role.ADMIN)


@rule("profile.edit")
def edit_profile(user, target) -> bool:
    return target is None or target.id == user.id
