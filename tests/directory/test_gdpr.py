"""GDPR rights for people in the directory on the demo data: access export (Art. 15) and
erasure (Art. 17), their permissions, and that an erased name is gone from pages, log and export."""

from __future__ import annotations

import json
import math

import pytest
import sqlalchemy as sa

from govtool.auth.models import User
from govtool.bodies.models import Body, Membership
from govtool.core.audit import REDACTED, AuditEntry
from govtool.demo import DEMO_PASSWORD
from govtool.directory.models import Person

# Maria Schmidt of the Geschäftsstelle: a person with a user account and memberships.
EMAIL = "sekretariat@example.org"
NAMES = ("Maria Schmidt", "Schmidt, Maria")
REASON = "Antrag der betroffenen Person vom 01.11.2026"


@pytest.fixture()
def admin(demo, login):
    login("admin@example.org", DEMO_PASSWORD)


def _person(db) -> Person:
    db.session.expire_all()
    return db.session.scalar(sa.select(Person).where(Person.email == EMAIL))


def _secretary_person_id(db) -> int:
    return _person(db).id


def _erase(client, person_id: int, reason: str = REASON, confirm: bool = True):
    data = {"reason": reason}
    if confirm:
        data["confirm"] = "y"
    return client.post(f"/people/{person_id}/erase", data=data)


def _former_values_in(text: str) -> list[str]:
    lowered = text.lower()
    return [value for value in (*NAMES, EMAIL) if value.lower() in lowered]


def _audit_as_text(db) -> str:
    rows = db.session.execute(sa.select(AuditEntry.summary, AuditEntry.changes)).all()
    return "\n".join(f"{row.summary} {json.dumps(row.changes, ensure_ascii=False)}" for row in rows)


def test_export_as_admin_contains_person_memberships_and_users(client, admin, db):
    person_id = _secretary_person_id(db)
    response = client.get(f"/people/{person_id}/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["person"]["id"] == person_id and data["person"]["email"] == EMAIL
    assert isinstance(data["person"]["created_at"], str)  # ISO date, not a Python object
    assert [u["email"] for u in data["users"]] == [EMAIL]
    memberships = data["tables"]["body_memberships"]
    assert memberships and all(m["person_id"] == person_id for m in memberships)
    assert data["tables"]["user_roles"] == [
        {"user_id": data["users"][0]["id"], "role": "secretary"}
    ]
    assert data["tables"]["agreements"]  # rows that refer to the user (created_by_id)
    assert any(e["object_type"] == "Person" for e in data["audit_entries_about_person"])
    assert "password_hash" not in response.get_data(as_text=True)


def test_export_lists_the_users_own_changes_without_their_content(client, admin, db, login):
    """What the user changed may be other people's data (Art. 15(4) GDPR): when and what only."""
    client.post("/logout")  # the fixture signed in the admin
    login("sekretariat@example.org", DEMO_PASSWORD)
    created = client.post(
        "/people/new",
        data={"first_name": "Dritte", "last_name": "Person", "email": "dritte@example.org"},
    )
    assert created.status_code == 302, created.get_data(as_text=True)[-3000:]
    client.post("/logout")
    login("admin@example.org", DEMO_PASSWORD)
    response = client.get(f"/people/{_secretary_person_id(db)}/data.json")
    made = json.loads(response.get_data(as_text=True))["tables"]["audit_entries"]
    assert any(e["object_type"] == "Person" and e["action"] == "insert" for e in made)
    assert all(set(e) == {"id", "created_at", "action", "object_type", "object_id"} for e in made)
    assert "dritte@example.org" not in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["halle@example.org", "sekretariat@example.org"])
def test_export_is_refused_to_non_admins(client, demo, login, db, who):
    login(who, DEMO_PASSWORD)
    assert client.get(f"/people/{_secretary_person_id(db)}/data.json").status_code == 403


def test_unknown_person_is_404_for_export_and_erasure(client, admin):
    assert client.get("/people/99999/data.json").status_code == 404
    assert client.get("/people/99999/erase").status_code == 404
    assert _erase(client, 99999).status_code == 404


def test_person_page_links_export_and_erasure_for_admins_only(client, demo, login, db):
    person_id = _secretary_person_id(db)
    login("admin@example.org", DEMO_PASSWORD)
    html = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert "Auskunft nach Art. 15 DSGVO" in html and f"/people/{person_id}/erase" in html
    client.post("/logout")
    login("ministerium@example.org", DEMO_PASSWORD)
    html = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert "data.json" not in html and "/erase" not in html


def test_confirmation_page_says_what_happens_and_what_is_kept(client, admin, db):
    html = client.get(f"/people/{_secretary_person_id(db)}/erase").get_data(as_text=True)
    assert "Was gelöscht wird" in html and "Was erhalten bleibt" in html
    assert "Art. 17" in html and EMAIL in html  # the linked account is named


def test_erasure_removes_name_and_email_everywhere(client, admin, db):
    person_id = _secretary_person_id(db)
    body_id = db.session.scalar(
        sa.select(Membership.body_id).where(Membership.person_id == person_id).limit(1)
    )
    response = _erase(client, person_id)
    assert response.status_code == 302

    placeholder = f"Gelöschte Person {person_id}"
    person_page = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert placeholder in person_page and _former_values_in(person_page) == []
    for query in ("", "?inactive=1", "?inactive=1&per_page=100", "?q=Schmidt&inactive=1"):
        assert _former_values_in(client.get(f"/people/{query}").get_data(as_text=True)) == []
    entries = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    for number in range(1, math.ceil(entries / 100) + 1):
        page = client.get(f"/audit/?per_page=100&page={number}").get_data(as_text=True)
        assert _former_values_in(page) == [], number
    assert _former_values_in(_audit_as_text(db)) == []
    assert REDACTED in _audit_as_text(db)
    export = client.get(f"/people/{person_id}/data.json").get_data(as_text=True)
    assert _former_values_in(export) == []

    body_page = client.get(f"/bodies/{body_id}").get_data(as_text=True)
    assert placeholder in body_page and _former_values_in(body_page) == []

    person = _person(db) or db.session.get(Person, person_id)
    assert person.is_erased and not person.is_active and person.email == ""
    account = db.session.scalar(sa.select(User).where(User.person_id == person_id))
    assert account.email == f"geloescht-{account.id}@invalid"
    assert not account.is_active and account.roles == set()
    assert not account.check_password(DEMO_PASSWORD)

    erasure = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "erase"))
    assert erasure.object_type == "Person" and erasure.object_id == str(person_id)
    assert erasure.changes["reason"]["new"] == REASON
    assert erasure.user.email == "admin@example.org"
    # the log page offers the erasure as an action of its own and shows it in words
    log = client.get("/audit/?action=erase").get_data(as_text=True)
    assert '<option value="erase" selected>Gelöscht nach Art. 17 DSGVO</option>' in log
    assert f"Person: Gelöschte Person {person_id}" in log  # the placeholder, by its label


def test_erased_user_can_neither_sign_in_nor_reset(client, admin, db):
    person_id = _secretary_person_id(db)
    _erase(client, person_id)
    client.post("/logout")
    for email in (EMAIL, f"geloescht-{_account_id(db, person_id)}@invalid"):
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code != 302, email
    from govtool.auth.services import user_for_reset_token

    account = db.session.get(User, _account_id(db, person_id))
    assert user_for_reset_token("anything") is None and not account.is_active


def _account_id(db, person_id: int) -> int:
    return db.session.scalar(sa.select(User.id).where(User.person_id == person_id))


def test_an_erased_person_cannot_be_erased_edited_or_reactivated(client, admin, db):
    person_id = _secretary_person_id(db)
    assert _erase(client, person_id).status_code == 302
    assert _erase(client, person_id).status_code == 409
    assert client.get(f"/people/{person_id}/erase").status_code == 409
    assert client.get(f"/people/{person_id}/edit").status_code == 409
    response = client.post(f"/people/{person_id}/active", data={"active": "1"})
    assert response.status_code == 409
    assert "gelöscht" in response.get_data(as_text=True)
    html = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert f"/people/{person_id}/edit" not in html and f"/people/{person_id}/erase" not in html
    assert (
        db.session.scalar(
            sa.select(sa.func.count()).select_from(AuditEntry).where(AuditEntry.action == "erase")
        )
        == 1
    )
    assert not db.session.get(Person, person_id).is_active


@pytest.mark.parametrize(
    "who", ["halle@example.org", "sekretariat@example.org", "ministerium@example.org"]
)
def test_erasure_is_refused_to_non_admins_and_changes_nothing(client, demo, login, db, who):
    person_id = _secretary_person_id(db)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    login(who, DEMO_PASSWORD)
    assert client.get(f"/people/{person_id}/erase").status_code == 403
    assert _erase(client, person_id).status_code == 403
    person = _person(db)
    assert person is not None and not person.is_erased and person.last_name == "Schmidt"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


@pytest.mark.parametrize(
    ("reason", "confirm", "message"),
    [
        ("", True, "Bitte geben Sie einen Grund für die Löschung an."),
        ("   ", True, "Bitte geben Sie einen Grund für die Löschung an."),
        (REASON, False, "Bitte bestätigen Sie die Löschung."),
    ],
)
def test_erasure_without_reason_or_confirmation_is_422(client, admin, db, reason, confirm, message):
    person_id = _secretary_person_id(db)
    before = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry))
    response = _erase(client, person_id, reason=reason, confirm=confirm)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    person = _person(db)
    assert person is not None and not person.is_erased
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry)) == before


def test_people_list_hides_erased_people_unless_inactive_are_shown(client, admin, db):
    person_id = _secretary_person_id(db)
    _erase(client, person_id)
    link = f'/people/{person_id}"'
    assert link not in client.get("/people/?per_page=100").get_data(as_text=True)
    assert link in client.get("/people/?per_page=100&inactive=1").get_data(as_text=True)


def test_memberships_stay_and_show_the_placeholder_in_english(client, admin, db):
    person_id = _secretary_person_id(db)
    memberships = db.session.scalar(
        sa.select(sa.func.count()).select_from(Membership).where(Membership.person_id == person_id)
    )
    body_id = db.session.scalar(sa.select(Body.id).order_by(Body.id).limit(1))
    _erase(client, person_id)
    assert (
        db.session.scalar(
            sa.select(sa.func.count())
            .select_from(Membership)
            .where(Membership.person_id == person_id)
        )
        == memberships
    )
    # Pages that read names as columns show the stored placeholder (default language) ...
    assert f"Gelöschte Person {person_id}" in client.get(f"/bodies/{body_id}").get_data(
        as_text=True
    )
    # ... pages with the Person object translate it.
    client.post("/language", data={"locale": "en"})
    page = client.get(f"/people/{person_id}").get_data(as_text=True)
    assert f"Erased person {person_id}" in page


# --- the services directly ---------------------------------------------------------------------


def test_erasure_redacts_non_ascii_names_in_every_audit_entry(db):
    from govtool.auth.models import Role
    from govtool.core.audit import acting_as
    from govtool.directory.services import erase_person, update_person
    from tests.factories import make_organisation, make_person, make_user

    admin = make_user("admin@example.org", (Role.ADMIN,))
    with acting_as(admin):
        person = make_person(
            title="Dr.", first_name="Jürgen", last_name="Müller", email="J.Mueller@example.org"
        )
        make_user("jm@example.org", (Role.MEMBER,), person=person)
        # An unrelated entry naming the person in its summary and its changes.
        make_organisation(name="Büro Dr. Jürgen Müller", street="bei Müller, Jürgen")
        update_person(
            admin, person, {"first_name": "Jürgen", "last_name": "Müller", "phone": "0345 1"}
        )
        db.session.commit()
        erase_person(admin, person, "Antrag von Jürgen Müller")
        db.session.commit()

    text = _audit_as_text(db).lower()
    for former in ("jürgen müller", "müller, jürgen", "j.mueller@example.org", "jm@example.org"):
        assert former not in text
    assert "0345 1" not in text  # a field of the person's own entries, redacted by field
    raw = db.session.execute(sa.text("SELECT summary, changes FROM audit_entries")).all()
    assert not any("ller" in f"{row.summary}{row.changes}".lower() for row in raw)
    erasure = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "erase"))
    assert erasure.changes["reason"]["new"] == f"Antrag von {REDACTED}"


def test_audit_entries_stay_append_only_for_the_orm_after_an_erasure(db):
    from govtool.auth.models import Role
    from govtool.directory.services import erase_person
    from tests.factories import make_person, make_user

    admin = make_user("admin@example.org", (Role.ADMIN,))
    erase_person(admin, make_person(), "Antrag")
    db.session.commit()
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "erase"))
    entry.summary = "changed"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_an_admin_cannot_erase_their_own_person(db):
    from govtool.auth.models import Role
    from govtool.core.errors import Conflict
    from govtool.directory.services import erase_person
    from tests.factories import make_person, make_user

    person = make_person()
    admin = make_user("admin@example.org", (Role.ADMIN,), person=person)
    with pytest.raises(Conflict):
        erase_person(admin, person, "Antrag")


def test_export_names_binary_columns_with_their_size_instead_of_the_content(client, admin, db):
    from govtool.agreements.models import AgreementTemplate

    person_id = _secretary_person_id(db)
    user_id = _account_id(db, person_id)
    template = db.session.scalar(sa.select(AgreementTemplate).limit(1))
    template.uploaded_by_id = user_id
    size = len(template.content)
    db.session.commit()
    data = client.get(f"/people/{person_id}/data.json").get_json()
    exported = data["tables"]["agreement_templates"][0]
    assert exported["content"] == {"omitted": "binary", "size": size}
