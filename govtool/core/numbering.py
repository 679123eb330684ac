"""Generated numbers that cannot collide: agreement numbers, catalogue identifiers, decision and
paper references, meeting numbers, template and document version numbers.

Each numbering scope ("agreement:KV-2026", "decision:3:2026") has a counter row in
`number_counters`. Drawing a number locks that row (SELECT ... FOR UPDATE) until the transaction
ends, so two requests of the same scope take turns; the next number is one above the larger of
the counter and the highest number already stored (rows imported or typed in by hand count
too). Why a counter row rather than the alternatives: a retry on the unique constraint would need
a savepoint around every insert and still fails under enough parallel writers; database
sequences exist only in PostgreSQL, cannot be made per scope without DDL, and leave gaps. The
counter rolls back with its transaction, so a failed save leaves no gap in the numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import Model, db


class NumberCounter(Model):
    """The last number drawn in one numbering scope."""

    __tablename__ = "number_counters"

    scope: Mapped[str] = mapped_column(sa.String(80), primary_key=True)
    value: Mapped[int] = mapped_column(default=0)


def _insert_missing(scope: str) -> None:
    """Create the scope's counter row unless it exists, without failing when another
    transaction creates it at the same moment."""
    dialect = db.session.get_bind().dialect.name
    insert: Callable[[Any], Any] | None
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:  # pragma: no cover - govtool runs on PostgreSQL and SQLite
        insert = None
    if insert is not None:
        db.session.execute(
            insert(NumberCounter)
            .values(scope=scope, value=0)
            .on_conflict_do_nothing(index_elements=["scope"])
        )
        return
    try:  # pragma: no cover
        with db.session.begin_nested():
            db.session.execute(sa.insert(NumberCounter).values(scope=scope, value=0))
    except sa.exc.IntegrityError:  # pragma: no cover
        pass


def draw(scope: str, highest_stored: Callable[[], int | None]) -> int:
    """The next number of `scope`, held for this transaction.

    `highest_stored` returns the highest number of the scope already in the database; it is
    asked after the lock is taken, when every earlier holder has committed."""
    _insert_missing(scope)
    current = db.session.execute(
        sa.select(NumberCounter.value)
        .where(NumberCounter.scope == scope)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).scalar_one()
    number = max(current, highest_stored() or 0) + 1
    db.session.execute(
        sa.update(NumberCounter)
        .where(NumberCounter.scope == scope)
        .values(value=number)
        .execution_options(synchronize_session=False)
    )
    return number


def highest_suffix(values, prefix: str) -> int:
    """The highest number after `prefix` among `values` ("KV-2026-014" → 14); others ignored."""
    numbers = [
        int(v[len(prefix) :])
        for v in values
        if v and v.startswith(prefix) and v[len(prefix) :].isdigit()
    ]
    return max(numbers, default=0)


def next_with_prefix(kind: str, column, prefix: str, width: int = 3) -> str:
    """The next reference after `prefix` in `column` ("KV-2026-" → "KV-2026-015"), drawn in the
    scope "kind:prefix" so that parallel requests take turns."""

    def highest() -> int:
        # LIKE treats "_" in a prefix as a wildcard: highest_suffix keeps exact prefixes only.
        used = db.session.scalars(sa.select(column).where(column.like(f"{prefix}%"))).all()
        return highest_suffix(used, prefix)

    return f"{prefix}{draw(f'{kind}:{prefix}', highest):0{width}d}"
