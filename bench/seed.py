"""`govtool bench seed --scale N`: fill an empty database with realistic data, fast.

Scale 1 is one state running all its networks: 64 networks, 800 organisations, 6,400 people, and
what the areas add (bodies, meetings, agreements, catalogue entries). Rows go in with Core bulk
inserts in batches, not one ORM object at a time; the audit hook only sees ORM objects, so seeded
rows are (deliberately) not audited.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from govtool.core.models import utcnow
from govtool.extensions import db

BATCH = 5_000
REGIONS_SN = ["Süd", "Mitte", "Mitte Nord", "Nord", "Ost", "West"]
FIRST_NAMES = [
    "Anna",
    "Ben",
    "Clara",
    "David",
    "Elif",
    "Felix",
    "Greta",
    "Hannes",
    "Ida",
    "Jonas",
    "Katrin",
    "Lukas",
    "Marie",
    "Niklas",
    "Olga",
    "Paul",
    "Rosa",
    "Stefan",
    "Tina",
    "Uwe",
    "Vera",
    "Wolfgang",
]
LAST_NAMES = [
    "Müller",
    "Schmidt",
    "Schneider",
    "Fischer",
    "Weber",
    "Meyer",
    "Wagner",
    "Becker",
    "Schulz",
    "Hoffmann",
    "Koch",
    "Richter",
    "Klein",
    "Wolf",
    "Schröder",
    "Neumann",
    "Schwarz",
    "Zimmermann",
]
FUNCTIONS = [
    "Schulleitung",
    "Schulsozialarbeit",
    "Jugendhilfeplanung",
    "Bildungskoordination",
    "Inklusionsberatung",
    "Elternvertretung",
    "Schulaufsicht",
    "Netzwerkkoordination",
]
BENCH_PASSWORD = "bench-passwort"
# Bench logins role@bench.example.org; the n-th works for the n-th organisation and person.
BENCH_ROLES = ("admin", "secretary", "ministry", "municipality", "member")


@dataclass
class SeedContext:
    """What earlier seeders created, for later ones: ids by kind, the scale, a seeded RNG."""

    scale: int
    rng: random.Random
    networks: int = 0  # 64 per scale step unless a test asks for fewer
    ids: dict[str, list[int]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)


# Areas register seeders (ctx) -> dict[str, int]; they run in order after the directory.
SEEDERS: list[Callable[[SeedContext], dict[str, int]]] = []


def bulk_insert(table: sa.Table, rows: Iterable[dict[str, Any]], returning_ids: bool = False):
    """Insert rows in batches; with returning_ids, return the new ids in insertion order,
    otherwise the number of rows inserted."""
    ids: list[int] = []
    batch: list[dict[str, Any]] = []
    inserted = 0

    def flush() -> None:
        nonlocal inserted
        if not batch:
            return
        inserted += len(batch)
        if returning_ids:
            start = next_id(table)
            for offset, row in enumerate(batch):
                row["id"] = start + offset
            ids.extend(row["id"] for row in batch)
        db.session.execute(sa.insert(table), batch)
        batch.clear()

    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH:
            flush()
    flush()
    return ids if returning_ids else inserted


def next_id(table: sa.Table) -> int:
    current = db.session.scalar(sa.select(sa.func.max(table.c.id))) or 0
    return current + 1


def reset_sequences() -> None:
    """PostgreSQL: after inserting explicit ids, move each table's id sequence past them."""
    if db.engine.dialect.name != "postgresql":
        return
    for table in db.metadata.sorted_tables:
        if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and table.c.id.primary_key:
            db.session.execute(
                sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f'COALESCE((SELECT MAX(id) FROM "{table.name}"), 0) + 1, false)'
                )
            )


def seed_directory(ctx: SeedContext) -> dict[str, int]:
    """Regions, 800 organisations and 6,400 people per scale step, plus bench logins."""
    from govtool.auth.models import User, UserRole
    from govtool.directory.models import Organisation, Person, Region

    now = utcnow()
    stamp = {"created_at": now, "updated_at": now}
    region_ids = bulk_insert(
        Region.__table__,
        ({"name": name, "state_code": "SN", **stamp} for name in REGIONS_SN),
        returning_ids=True,
    )
    organisations = max(10, ctx.networks * 800 // 64)
    kinds = ["school"] * 5 + ["municipality", "district", "association", "agency", "other"]
    org_ids = bulk_insert(
        Organisation.__table__,
        (
            {
                "name": f"{'Schule' if i % 2 else 'Stelle'} {i:05d} {ctx.rng.choice(LAST_NAMES)}",
                "short_name": f"B{i:05d}",
                "kind": "municipality" if i == 3 else kinds[i % len(kinds)],
                "region_id": region_ids[i % len(region_ids)],
                "street": f"Hauptstraße {i % 200 + 1}",
                "postal_code": f"0{1000 + i % 8000}",
                "city": f"Ort {i % 300}",
                "email": f"kontakt{i}@bench.example.org",
                "phone": "",
                "website": "",
                "is_active": True,
                **stamp,
            }
            for i in range(organisations)
        ),
        returning_ids=True,
    )
    person_ids = bulk_insert(
        Person.__table__,
        (
            {
                "title": "",
                "first_name": ctx.rng.choice(FIRST_NAMES),
                "last_name": ctx.rng.choice(LAST_NAMES),
                "function": ctx.rng.choice(FUNCTIONS),
                "email": f"person{i}@bench.example.org",
                "phone": "",
                "organisation_id": org_ids[i % len(org_ids)],
                "is_active": True,
                **stamp,
            }
            for i in range(100 * ctx.networks)
        ),
        returning_ids=True,
    )
    password_hash = generate_password_hash(BENCH_PASSWORD, method="scrypt")
    roles = list(BENCH_ROLES)
    user_ids = bulk_insert(
        User.__table__,
        (
            {
                "email": f"{role}@bench.example.org",
                "password_hash": password_hash,
                "organisation_id": org_ids[index],
                "person_id": person_ids[index],
                "is_active": True,
                "failed_logins": 0,
                "locale": "",
                **stamp,
            }
            for index, role in enumerate(roles)
        ),
        returning_ids=True,
    )
    bulk_insert(
        UserRole.__table__,
        ({"user_id": uid, "role": role} for uid, role in zip(user_ids, roles, strict=True)),
    )
    ctx.ids.update(regions=region_ids, organisations=org_ids, people=person_ids, users=user_ids)
    ctx.extra["users_by_role"] = dict(zip(roles, user_ids, strict=True))
    return {"organisations": len(org_ids), "people": len(person_ids), "users": len(user_ids)}


def seed(
    scale: int = 1,
    progress: Callable[[str], None] | None = None,
    seed_value: int = 42,
    networks: int | None = None,
):
    """Fill an empty database; returns row counts per kind.

    `networks` overrides the size for tests (scale 1 = 64 networks; agreements and catalogue
    entries shrink in proportion), e.g. `seed(networks=2)` runs in a second or two.
    """
    from govtool.auth.models import User

    if db.session.scalar(sa.select(sa.func.count(User.id))):
        raise RuntimeError("the database is not empty; seed into a fresh database")
    ctx = SeedContext(scale=scale, rng=random.Random(seed_value), networks=networks or 64 * scale)
    counts: dict[str, int] = {}
    for seeder in [seed_directory, *SEEDERS]:
        if progress:
            progress(seeder.__name__)
        counts.update(seeder(ctx))
        db.session.flush()
    reset_sequences()
    db.session.commit()
    return counts


def per_network(ctx: SeedContext, per_scale_step: int) -> int:
    """A count given per scale step (64 networks), for the context's number of networks."""
    return max(4, per_scale_step * ctx.networks // 64)


def bench_targets() -> dict[str, Any]:
    """Ids the benchmark requests, read from the database (so it works on a seeded database)."""
    from govtool.agreements.models import Agreement, AgreementStatus
    from govtool.auth.models import User
    from govtool.bodies.agenda_models import AgendaItem
    from govtool.bodies.minutes_models import ActionItem, ActionStatus, Participant
    from govtool.bodies.models import Body, Meeting, MeetingStatus
    from govtool.catalogue.models import CatalogueEntry, EntryStatus

    def scalar(statement: sa.Select[Any]) -> Any:
        return db.session.scalar(statement)

    body_id = scalar(sa.select(Body.id).where(Body.short_name == "N001-LG"))
    big_meeting_id = scalar(
        sa.select(AgendaItem.meeting_id)
        .join(Meeting, Meeting.id == AgendaItem.meeting_id)
        .where(Meeting.body_id == body_id)
        .group_by(AgendaItem.meeting_id)
        .having(sa.func.count(AgendaItem.id) == 30)
        .limit(1)
    )
    minutes_meeting_id = scalar(
        sa.select(Meeting.id)
        .where(
            Meeting.body_id == body_id,
            Meeting.status == MeetingStatus.MINUTES_APPROVED,
            sa.exists().where(Participant.meeting_id == Meeting.id),
        )
        .order_by(Meeting.start_at.desc())
        .limit(1)
    )
    municipality = db.session.scalar(
        sa.select(User).where(User.email == "municipality@bench.example.org")
    )
    assert municipality is not None, "seeded above"
    agreement_id = scalar(
        sa.select(Agreement.id)
        .where(
            Agreement.owner_organisation_id == municipality.organisation_id,
            Agreement.status == AgreementStatus.IN_FORCE,
        )
        .order_by(Agreement.id)
        .limit(1)
    )
    entry_id = scalar(
        sa.select(CatalogueEntry.id)
        .where(CatalogueEntry.status == EntryStatus.APPROVED)
        .order_by(CatalogueEntry.id)
        .limit(1)
    )
    open_actions = list(
        db.session.scalars(
            sa.select(ActionItem.id)
            .where(ActionItem.body_id == body_id, ActionItem.status == ActionStatus.OPEN)
            .order_by(ActionItem.id)
            .limit(20)
        )
    )
    secretary_person = scalar(
        sa.select(User.person_id).where(User.email == "secretary@bench.example.org")
    )
    return {
        "password": BENCH_PASSWORD,
        "person_id": secretary_person,
        "meeting_id": big_meeting_id,
        "minutes_path": f"/meetings/{minutes_meeting_id}",
        "users": {role: f"{role}@bench.example.org" for role in BENCH_ROLES},
        "body_id": body_id,
        "meeting_30_items_id": big_meeting_id,
        "comment_meeting_id": big_meeting_id,
        "minutes_meeting_id": minutes_meeting_id,
        "agreement_id": agreement_id,
        "catalogue_entry_id": entry_id,
        "open_action_item_ids": open_actions,
    }


def seed_audit(ctx: SeedContext) -> dict[str, int]:
    """An audit trail to page through: 20,000 entries per scale step by the bench users."""
    import datetime as dt

    from govtool.core.audit import AuditEntry

    users = list(ctx.extra["users_by_role"].values())
    kinds = ["Meeting", "AgendaItem", "Agreement", "CatalogueEntry", "ActionItem"]
    start = utcnow() - dt.timedelta(days=365)
    total = per_network(ctx, 20_000)
    rows = (
        {
            "created_at": start + dt.timedelta(minutes=26 * i),
            "user_id": users[i % len(users)],
            "action": ("insert", "update", "update", "delete")[i % 4],
            "object_type": kinds[i % len(kinds)],
            "object_id": str(i // len(kinds) + 1),
            "summary": f"{kinds[i % len(kinds)]} {i // len(kinds) + 1}",
            "changes": {"status": ["draft", "approved"]} if i % 4 else {},
        }
        for i in range(total)
    )
    return {"audit_entries": bulk_insert(AuditEntry.__table__, rows)}


def _register_area_seeders() -> None:
    from .seed_agreements import seed_agreements
    from .seed_bodies import seed_bodies
    from .seed_catalogue import seed_catalogue

    for seeder in (seed_bodies, seed_agreements, seed_catalogue, seed_audit):
        if seeder.__name__ not in {s.__name__ for s in SEEDERS}:
            SEEDERS.append(seeder)


_register_area_seeders()
