"""Who may read and change organisations and people: a role × action matrix over the pages."""

from __future__ import annotations

import pytest

from govtool.auth.models import Role
from govtool.directory.models import Organisation
from tests.factories import make_organisation, make_person, make_user


@pytest.fixture()
def two_municipalities(db):
    halle = make_organisation(name="Stadt Halle (Saale)", short_name="HAL")
    blk = make_organisation(name="Burgenlandkreis", short_name="BLK")
    people = {
        "halle": make_person(organisation=halle, last_name="Richter"),
        "blk": make_person(organisation=blk, last_name="Krause"),
    }
    users = {
        "admin": make_user("admin@example.org", (Role.ADMIN,)),
        "secretary": make_user("sekretariat@example.org", (Role.SECRETARY,)),
        "ministry": make_user("ministerium@example.org", (Role.MINISTRY,)),
        "halle": make_user("halle@example.org", (Role.MUNICIPALITY,), organisation=halle),
        "member": make_user("member@example.org", (Role.MEMBER,), organisation=halle),
    }
    db.session.commit()
    return {"halle": halle, "blk": blk, "people": people, "users": users}


EDIT_BLK = [
    ("admin", 200),
    ("secretary", 200),
    ("ministry", 200),
    ("halle", 403),
    ("member", 403),
]


@pytest.mark.parametrize(("who", "status"), EDIT_BLK)
def test_edit_other_organisation_matrix(client, login, two_municipalities, who, status):
    login(f"{two_municipalities['users'][who].email}")
    blk = two_municipalities["blk"]
    assert client.get(f"/organisations/{blk.id}/edit").status_code == status
    response = client.post(
        f"/organisations/{blk.id}/edit",
        data={"name": "Gekapert", "short_name": "BLK", "kind": "district"},
    )
    assert response.status_code == (302 if status == 200 else 403)


def test_halle_gets_403_on_burgenlandkreis_and_sees_no_edit_button(
    client, login, two_municipalities, db
):
    login("halle@example.org")
    blk = two_municipalities["blk"]
    page = client.get(f"/organisations/{blk.id}").get_data(as_text=True)
    assert "Burgenlandkreis" in page
    assert f"/organisations/{blk.id}/edit" not in page
    assert (
        client.post(
            f"/organisations/{blk.id}/edit",
            data={"name": "X", "short_name": "BLK", "kind": "district"},
        ).status_code
        == 403
    )
    db.session.expire_all()
    assert db.session.get(Organisation, blk.id).name == "Burgenlandkreis"


def test_municipality_edits_its_own_organisation(client, login, two_municipalities):
    login("halle@example.org")
    halle = two_municipalities["halle"]
    page = client.get(f"/organisations/{halle.id}").get_data(as_text=True)
    assert f"/organisations/{halle.id}/edit" in page
    response = client.post(
        f"/organisations/{halle.id}/edit",
        data={
            "name": "Stadt Halle (Saale)",
            "short_name": "HAL",
            "kind": "municipality",
            "city": "Halle",
        },
    )
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("who", "status"),
    [("admin", 302), ("secretary", 302), ("ministry", 403), ("halle", 403), ("member", 403)],
)
def test_deactivate_matrix(client, login, two_municipalities, who, status):
    login(two_municipalities["users"][who].email)
    blk = two_municipalities["blk"]
    assert (
        client.post(f"/organisations/{blk.id}/active", data={"active": "0"}).status_code == status
    )


@pytest.mark.parametrize(
    ("who", "own", "status"),
    [
        ("halle", "halle", 302),
        ("halle", "blk", 403),
        ("member", "halle", 403),
        ("secretary", "blk", 302),
    ],
)
def test_person_edit_matrix(client, login, two_municipalities, who, own, status):
    login(two_municipalities["users"][who].email)
    person = two_municipalities["people"][own]
    response = client.post(
        f"/people/{person.id}/edit",
        data={
            "first_name": "Eva",
            "last_name": person.last_name,
            "organisation_id": person.organisation_id,
        },
    )
    assert response.status_code == status


def test_municipality_cannot_move_a_person_into_another_organisation(
    client, login, two_municipalities
):
    login("halle@example.org")
    person = two_municipalities["people"]["halle"]
    response = client.post(
        f"/people/{person.id}/edit",
        data={
            "first_name": "Eva",
            "last_name": "Richter",
            "organisation_id": two_municipalities["blk"].id,
        },
    )
    assert response.status_code == 403


@pytest.mark.parametrize(("who", "status"), [("admin", 200), ("secretary", 403), ("halle", 403)])
def test_users_and_audit_pages_are_for_admins(client, login, two_municipalities, who, status):
    login(two_municipalities["users"][who].email)
    assert client.get("/users/").status_code == status
    assert client.get("/audit/").status_code == status


def test_anonymous_is_sent_to_login(client, two_municipalities):
    for path in ("/", "/organisations/", "/people/", "/users/", "/audit/", "/profile"):
        response = client.get(path)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


def test_unknown_action_is_denied(two_municipalities):
    from govtool.core.permissions import can

    assert not can(two_municipalities["users"]["admin"], "no.such.action")
