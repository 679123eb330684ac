"""Generated numbers (core.numbering): no collision under parallel requests, no gap after a
failed save, numbers typed in by hand respected."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
import sqlalchemy as sa

from govtool.agreements import services as agreements
from govtool.auth.models import Role, User
from govtool.bodies import minutes
from govtool.bodies.agenda_models import AgendaItem
from govtool.bodies.models import MeetingStatus, MembershipRole
from govtool.catalogue import services as catalogue
from govtool.core import numbering
from tests.agreements.factories import agreement_data
from tests.bodies.factories import make_body, make_meeting, make_member_user

PARALLEL = 20


def _user(email: str) -> User:
    from govtool.extensions import db

    return db.session.scalar(sa.select(User).where(User.email == email))


@pytest.fixture()
def decision_item(db):
    """An agenda item of a meeting held yesterday, and a secretary of its body."""
    body = make_body(name="Numbering test body", short_name="NTB")
    secretary, _ = make_member_user(body, MembershipRole.SECRETARY, roles=(Role.SECRETARY,))
    meeting = make_meeting(body, dt.date.today() - dt.timedelta(days=1))
    meeting.status = MeetingStatus.HELD
    item = meeting.agenda_items[0]
    db.session.commit()
    return item.id, secretary.id


def test_parallel_agreements_and_decisions_get_distinct_numbers(app, db, demo, decision_item):
    """On PostgreSQL, 20 agreements and 20 decisions created at once: no error, 40 numbers."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("SQLite serialises all writers; the race needs PostgreSQL's concurrency")
    item_id, secretary_id = decision_item
    drafter_id = _user("sekretariat@example.org").id
    data = agreement_data(shorts=("HAL", "BLK"))
    db.session.commit()  # the test's own session holds no lock while the threads run
    barrier = threading.Barrier(2 * PARALLEL)
    numbers: list[str] = []
    references: list[str] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def run(kind: str) -> None:
        from govtool.extensions import db as thread_db

        with app.app_context():
            try:
                # Nothing is read before the barrier: a thread waiting there holds no
                # connection, so the pool cannot run dry before all have started.
                barrier.wait()
                if kind == "agreement":
                    user = thread_db.session.get(User, drafter_id)
                    result = agreements.create_agreement(user, dict(data)).number
                else:
                    user = thread_db.session.get(User, secretary_id)
                    item = thread_db.session.get(AgendaItem, item_id)
                    result = minutes.add_decision(user, item, {"text": "Beschluss"}).reference
                thread_db.session.commit()
                with lock:
                    (numbers if kind == "agreement" else references).append(result)
            except BaseException as error:  # noqa: BLE001 - every failure counts
                thread_db.session.rollback()
                with lock:
                    errors.append(error)
            finally:
                thread_db.session.remove()

    threads = [
        threading.Thread(target=run, args=(kind,))
        for kind in ("agreement", "decision")
        for _ in range(PARALLEL)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert errors == []
    assert len(numbers) == len(set(numbers)) == PARALLEL
    assert len(references) == len(set(references)) == PARALLEL
    assert sorted(references)[-1].endswith(f"/{PARALLEL:02d}")  # gapless 01..20


def test_numbers_continue_after_the_highest_stored_and_a_rollback_leaves_no_gap(db, demo):
    year = dt.date.today().year
    halle = _user("halle@example.org")
    first = catalogue.next_identifier(year)
    db.session.rollback()  # the save failed: the number is not used up
    assert catalogue.next_identifier(year) == first
    db.session.rollback()
    # An identifier typed in by hand above the counter: the next generated one follows it.
    from tests.catalogue.factories import entry_data

    provider = halle.organisation
    data = entry_data(provider, [], identifier=f"DX-{year}-050")
    catalogue.create_entry(halle, data)
    db.session.commit()
    assert catalogue.next_identifier(year) == f"DX-{year}-051"
    assert catalogue.next_identifier(year) == f"DX-{year}-052"


def test_highest_suffix_ignores_other_formats():
    values = ["KV-2026-003", "KV-2026-010", "KV-2026-x", None, "KV-2026-"]
    assert numbering.highest_suffix(values, "KV-2026-") == 10
