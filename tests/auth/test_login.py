"""Sign-in, throttling, password change and reset."""

from __future__ import annotations

from govtool.auth.models import Role, User
from govtool.core.mail import OutboxMessage
from tests.factories import DEFAULT_PASSWORD, make_user


def test_successful_login_opens_a_session(client, db):
    user = make_user("anna@example.org", roles=(Role.SECRETARY,))
    db.session.commit()
    response = client.post(
        "/login", data={"email": "Anna@Example.org ", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 302
    with client.session_transaction() as session:
        assert session.get("_user_id") == f"{user.id}:{user.session_generation}"
    assert client.get("/").status_code == 200
    assert db.session.get(User, user.id).last_login_at is not None


def test_wrong_password_shows_error_and_opens_no_session(client, db):
    make_user("anna@example.org")
    db.session.commit()
    response = client.post("/login", data={"email": "anna@example.org", "password": "falsch"})
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session
    assert client.get("/").status_code == 302  # still redirected to the login


def test_unknown_email_gets_the_same_answer_as_wrong_password(client, db):
    response = client.post("/login", data={"email": "nobody@example.org", "password": "x" * 12})
    assert response.status_code == 401
    assert "E-Mail-Adresse oder Passwort ist falsch" in response.get_data(as_text=True)


def test_sixth_failed_login_within_a_minute_gets_429(client, db):
    make_user("anna@example.org")
    db.session.commit()
    for _ in range(5):
        response = client.post("/login", data={"email": "anna@example.org", "password": "falsch"})
        assert response.status_code == 401
    response = client.post("/login", data={"email": "anna@example.org", "password": "falsch"})
    assert response.status_code == 429
    assert "Zu viele Versuche" in response.get_data(as_text=True)


def test_successful_logins_do_not_count_against_the_limit(client, db):
    make_user("anna@example.org")
    db.session.commit()
    for _ in range(7):
        assert (
            client.post(
                "/login", data={"email": "anna@example.org", "password": DEFAULT_PASSWORD}
            ).status_code
            == 302
        )
        client.post("/logout")


def test_inactive_user_cannot_sign_in(client, db):
    make_user("old@example.org", is_active_flag=False)
    db.session.commit()
    response = client.post(
        "/login", data={"email": "old@example.org", "password": DEFAULT_PASSWORD}
    )
    assert response.status_code == 401


def test_login_redirect_only_to_local_paths(client, db):
    make_user("anna@example.org")
    db.session.commit()
    response = client.post(
        "/login?next=https://evil.example.com/",
        data={"email": "anna@example.org", "password": DEFAULT_PASSWORD},
    )
    assert response.headers["Location"] == "/"


def test_password_change_requires_the_current_password(client, db, login):
    make_user("anna@example.org")
    db.session.commit()
    login("anna@example.org")
    response = client.post(
        "/profile",
        data={
            "pw-current_password": "falsch",
            "pw-new_password": "ein-neues-passwort",
            "pw-confirm": "ein-neues-passwort",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 422
    assert "Das aktuelle Passwort ist falsch" in response.get_data(as_text=True)
    response = client.post(
        "/profile",
        data={
            "pw-current_password": DEFAULT_PASSWORD,
            "pw-new_password": "ein-neues-passwort",
            "pw-confirm": "ein-neues-passwort",
            "pw-submit": "1",
        },
    )
    assert response.status_code == 302
    client.post("/logout")
    assert (
        client.post(
            "/login", data={"email": "anna@example.org", "password": "ein-neues-passwort"}
        ).status_code
        == 302
    )


def test_password_reset_by_mailed_token(app, client, db, smtp_server):
    controller, inbox = smtp_server
    make_user("anna@example.org")
    db.session.commit()
    app.config.update(GOVTOOL_SMTP_HOST="127.0.0.1", GOVTOOL_SMTP_PORT=controller.port)
    try:
        response = client.post("/password/forgot", data={"email": "anna@example.org"})
    finally:
        app.config.update(GOVTOOL_SMTP_HOST="", GOVTOOL_SMTP_PORT=25)
    assert response.status_code == 302
    assert len(inbox.messages) == 1
    envelope = inbox.messages[0]
    assert envelope.rcpt_tos == ["anna@example.org"]
    from email import message_from_bytes
    from email.policy import default as default_policy

    body = message_from_bytes(envelope.content, policy=default_policy).get_content()
    link = next(line for line in body.splitlines() if "/password/reset/" in line).strip()
    path = link[link.index("/password/reset/") :]
    assert db.session.query(OutboxMessage).filter_by(status="sent").count() == 1

    response = client.post(
        path, data={"new_password": "neu-und-lang-genug", "confirm": "neu-und-lang-genug"}
    )
    assert response.status_code == 302
    assert (
        client.post(
            "/login", data={"email": "anna@example.org", "password": "neu-und-lang-genug"}
        ).status_code
        == 302
    )
    # The link works once: the password it was made for has changed.
    client.post("/logout")
    assert client.get(path).status_code == 302


def test_password_reset_for_unknown_address_sends_nothing(client, db):
    response = client.post("/password/forgot", data={"email": "nobody@example.org"})
    assert response.status_code == 302
    assert db.session.query(OutboxMessage).count() == 0


def test_reset_without_smtp_goes_to_the_outbox(client, db):
    make_user("anna@example.org")
    db.session.commit()
    client.post("/password/forgot", data={"email": "anna@example.org"})
    message = db.session.query(OutboxMessage).one()
    assert message.status == "logged"
    assert "/password/reset/" in message.body


def test_expired_reset_token_is_refused(app, client, db, monkeypatch):
    import time

    from itsdangerous.timed import TimestampSigner

    from govtool.auth import services

    user = make_user("anna@example.org")
    db.session.commit()
    three_hours_ago = int(time.time()) - 3 * 3600
    with app.test_request_context(), monkeypatch.context() as patch:
        patch.setattr(TimestampSigner, "get_timestamp", lambda self: three_hours_ago)
        token = services.make_reset_token(user)
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 302
    assert "/password/forgot" in response.headers["Location"]
