"""The govtool command: users create, demo load, translations."""

from __future__ import annotations

import sqlalchemy as sa

from govtool.auth.models import Role, User
from govtool.cli import create_user_command, demo_load_command
from govtool.demo import DEMO_PASSWORD
from govtool.directory.models import Organisation


def test_demo_load_is_idempotent(app, db):
    runner = app.test_cli_runner()
    first = runner.invoke(demo_load_command)
    assert first.exit_code == 0, first.output
    counts = {
        "organisations": db.session.scalar(sa.select(sa.func.count(Organisation.id))),
        "users": db.session.scalar(sa.select(sa.func.count(User.id))),
    }
    second = runner.invoke(demo_load_command)
    assert second.exit_code == 0
    assert db.session.scalar(sa.select(sa.func.count(Organisation.id))) == counts["organisations"]
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == counts["users"] == 6
    referat = db.session.scalar(sa.select(Organisation).filter_by(short_name="MB-REF34"))
    assert referat.parent.short_name == "MB-ST"


def test_all_six_demo_logins_work(app, client, demo):
    for email in (
        "admin@example.org",
        "sekretariat@example.org",
        "halle@example.org",
        "burgenlandkreis@example.org",
        "ministerium@example.org",
        "transmit@example.org",
    ):
        response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
        assert response.status_code == 302, email
        assert client.get("/").status_code == 200
        client.post("/logout")


def test_users_create_reads_password_from_stdin(app, db):
    db.session.add(Organisation(name="Stadt Halle (Saale)", short_name="HAL", kind="municipality"))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(
        create_user_command,
        [
            "--email",
            "Neu@Example.org",
            "--role",
            "municipality",
            "--org",
            "HAL",
            "--password-stdin",
        ],
        input="ein-sicheres-passwort\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User).filter_by(email="neu@example.org"))
    assert user.roles == {Role.MUNICIPALITY}
    assert user.organisation.short_name == "HAL"
    assert user.check_password("ein-sicheres-passwort")


def test_users_create_refuses_bad_input_without_traceback(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        create_user_command,
        ["--email", "x@example.org", "--role", "member", "--org", "NOPE", "--password-stdin"],
        input="ein-sicheres-passwort\n",
    )
    assert result.exit_code == 2
    assert "NOPE" in result.output
    result = runner.invoke(
        create_user_command,
        ["--email", "x@example.org", "--role", "member", "--password-stdin"],
        input="kurz\n",
    )
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0
