"""The demo's API token: a fresh one for the ministry's demo user at every `govtool demo load`
(printed once; nothing about it is fixed in the code, so no known token exists anywhere)."""

from __future__ import annotations

import sqlalchemy as sa

from ..auth.models import User
from ..auth.tokens import TokenScope, create_token
from ..core.audit import acting_as
from ..extensions import db

DEMO_TOKEN_USER = "ministerium@example.org"


def demo_token() -> str | None:
    """A new read-and-write token of the ministry's demo user, or None without that user."""
    user = db.session.scalar(sa.select(User).where(User.email == DEMO_TOKEN_USER))
    if user is None:
        return None
    with acting_as(None):  # made by the demo loader, as the rest of the demo data
        _, secret = create_token(user, "Demo", TokenScope.WRITE)
    return secret
