import datetime as dt

import pytest
import sqlalchemy as sa

from govtool.auth.models import User
from govtool.auth.tokens import TokenScope, create_token
from govtool.extensions import db


@pytest.fixture()
def token_for():
    """token_for(email_or_user, scope="write", expires_on=None) -> the secret."""

    def make(who, scope: str = "write", expires_on: dt.date | None = None) -> str:
        user = (
            who
            if isinstance(who, User)
            else db.session.scalar(sa.select(User).where(User.email == who))
        )
        _, secret = create_token(user, "test", TokenScope(scope), expires_on)
        db.session.commit()
        return secret

    return make


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
