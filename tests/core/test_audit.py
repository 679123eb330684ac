"""The audit log: every insert, update, delete with old and new values; append-only."""

from __future__ import annotations

import pytest

from govtool.auth.models import Role
from govtool.core.audit import AuditEntry, acting_as
from govtool.directory.models import Organisation, Person
from tests.factories import make_organisation, make_user


def _entries(db, object_type, object_id=None):
    query = db.session.query(AuditEntry).filter_by(object_type=object_type)
    if object_id is not None:
        query = query.filter_by(object_id=str(object_id))
    return query.order_by(AuditEntry.id).all()


def test_create_update_delete_through_the_pages_are_audited(client, db, login):
    secretary = make_user("sekretariat@example.org", (Role.SECRETARY,))
    db.session.commit()
    login("sekretariat@example.org")
    client.post(
        "/organisations/new", data={"name": "Stadt A", "short_name": "A", "kind": "municipality"}
    )
    organisation = db.session.query(Organisation).filter_by(short_name="A").one()
    client.post(
        f"/organisations/{organisation.id}/edit",
        data={"name": "Stadt B", "short_name": "A", "kind": "municipality", "city": "Bstadt"},
    )
    entries = _entries(db, "Organisation", organisation.id)
    assert [e.action for e in entries] == ["insert", "update"]
    insert, update = entries
    assert insert.user_id == secretary.id
    assert insert.changes["name"] == {"old": None, "new": "Stadt A"}
    assert update.changes["name"] == {"old": "Stadt A", "new": "Stadt B"}
    assert update.changes["city"] == {"old": "", "new": "Bstadt"}
    assert "short_name" not in update.changes  # unchanged fields are not listed


def test_delete_is_audited_with_old_values(db):
    organisation = make_organisation(name="Vergänglich", short_name="VG")
    db.session.commit()
    organisation_id = organisation.id
    db.session.delete(organisation)
    db.session.commit()
    delete = _entries(db, "Organisation", organisation_id)[-1]
    assert delete.action == "delete"
    assert delete.changes["name"] == {"old": "Vergänglich", "new": None}


def test_actor_outside_a_request(db):
    admin = make_user("admin@example.org", (Role.ADMIN,))
    db.session.commit()
    with acting_as(admin):
        person = Person(first_name="Eva", last_name="Lang")
        db.session.add(person)
        db.session.commit()
    assert _entries(db, "Person", person.id)[0].user_id == admin.id


def test_password_hash_is_masked(db):
    user = make_user("anna@example.org")
    db.session.commit()
    user.set_password("ein-ganz-neues-passwort")
    db.session.commit()
    update = _entries(db, "User", user.id)[-1]
    assert update.changes["password_hash"] == {"old": "***", "new": "***"}


def test_role_changes_are_audited(db):
    user = make_user("anna@example.org", (Role.MEMBER,))
    db.session.commit()
    user.set_roles({Role.SECRETARY})
    db.session.commit()
    actions = [(e.action, e.changes.get("role")) for e in _entries(db, "UserRole")]
    assert ("delete", {"old": "member", "new": None}) in actions
    assert ("insert", {"old": None, "new": "secretary"}) in actions


def test_rollback_leaves_no_audit_entry(db):
    make_organisation(short_name="TMP")
    db.session.rollback()
    assert _entries(db, "Organisation") == []


def test_audit_entries_cannot_be_changed_or_deleted_through_the_orm(db):
    make_organisation(short_name="X")
    db.session.commit()
    entry = db.session.query(AuditEntry).first()
    entry.action = "forged"
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    entry = db.session.query(AuditEntry).first()
    db.session.delete(entry)
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()


def test_no_route_writes_audit_entries(app):
    for rule in app.url_map.iter_rules():
        if "audit" in rule.rule or rule.endpoint.startswith("audit."):
            assert rule.methods <= {"GET", "HEAD", "OPTIONS"}, rule


def test_audit_page_lists_and_filters(client, db, login):
    make_user("admin@example.org", (Role.ADMIN,))
    make_organisation(name="Gefilterte Stadt", short_name="GF")
    db.session.commit()
    login("admin@example.org")
    html = client.get("/audit/?type=Organisation").get_data(as_text=True)
    assert "Gefilterte Stadt" in html
    assert "<td>Angelegt</td>" in html  # the action in words, in German
    assert "Gefilterte Stadt" not in client.get("/audit/?action=update").get_data(as_text=True)
    html = client.get("/audit/?type=Person").get_data(as_text=True)
    assert "Gefilterte Stadt" not in html
    assert client.get("/audit/?from=kaputt&user=x").status_code == 200


def test_type_filter_offers_exactly_the_logged_object_types(client, db, login):
    """The filter's types come from a loose index scan; they equal SELECT DISTINCT's."""
    import re

    import sqlalchemy as sa

    from govtool.core.audit_views import logged_object_types

    make_user("admin@example.org", (Role.ADMIN,))
    for n in range(3):
        make_organisation(name=f"Typstadt {n}", short_name=f"TS{n}")
    db.session.commit()
    expected = db.session.scalars(
        sa.select(AuditEntry.object_type).distinct().order_by(AuditEntry.object_type)
    ).all()
    assert len(expected) >= 2 and logged_object_types() == expected
    login("admin@example.org")
    html = client.get("/audit/").get_data(as_text=True)
    select = re.search(r'<select[^>]*name="type"[^>]*>(.*?)</select>', html, re.S).group(1)
    # offered by their labels, sorted as read (core.audit_display)
    assert sorted(re.findall(r'<option value="([^"]+)"', select)) == expected


def test_audit_page_shows_changes_escaped_with_author_and_system(client, db, login):
    """Changes are formatted in the view (one string per row): old → new for updates and
    deletes, the new value only for inserts, "–" for a missing value, HTML escaped."""
    admin = make_user("admin@example.org", (Role.ADMIN,))
    db.session.commit()
    with acting_as(admin):
        organisation = make_organisation(name="Stadt <A>", short_name="SA")
        db.session.commit()
        organisation.name = "Stadt B & C"
        db.session.commit()
    login("admin@example.org")
    html = client.get("/audit/?type=Organisation").get_data(as_text=True)
    assert "<dt>Name</dt>\n          <dd><span>Stadt &lt;A&gt;</span></dd>" in html
    updated = "<del>Stadt &lt;A&gt;</del> → <span>Stadt B &amp; C</span>"
    assert f"<dd>{updated}</dd>" in html
    assert "admin@example.org" in html
    html = client.get("/audit/?type=User").get_data(as_text=True)
    assert "System" in html or "system" in html  # the admin was created outside any request


def test_field_changes_read_both_change_formats(app):
    from govtool.core.audit_display import Names, field_changes

    with app.test_request_context("/", headers={"Accept-Language": "de"}):
        [pair] = field_changes("Organisation", "update", {"city": ["A", "B"]}, Names(), "de")
        assert (pair.label, pair.old, pair.new) == ("Ort", "A", "B")
        [gone] = field_changes("Organisation", "delete", {"city": {"old": "X"}}, Names(), "de")
        assert (gone.old, gone.new) == ("X", "–")
        [made] = field_changes(
            "Organisation", "insert", {"is_active": {"new": True}}, Names(), "de"
        )
        assert (made.old, made.new) == ("", "ja")
        assert field_changes("Organisation", "insert", {}, Names(), "de") == []
