"""The rarely used forms of an agreement live on their own pages, reached from the detail page:
comment, withdraw signatures, start an amendment, record a termination, attach a file."""

from __future__ import annotations

import io

import pytest
import sqlalchemy as sa

from bench.harness import count_statements
from govtool.agreements import services
from govtool.agreements.models import (
    AgreementComment,
    AgreementSignature,
    AgreementStatus,
    VersionStatus,
)
from govtool.extensions import db

from .factories import DEMO_PASSWORD, awaiting, draft, fully_signed, user


def _login(login, email):
    return login(email, password=DEMO_PASSWORD)


def _pages(agreement_id: int) -> dict[str, str]:
    base = f"/agreements/{agreement_id}"
    return {
        "comment": f"{base}/versions/1/comments",
        "withdraw": f"{base}/versions/1/withdraw",
        "amend": f"{base}/amend",
        "terminate": f"{base}/terminate",
        "attach": f"{base}/attachments",
    }


def test_detail_page_links_the_action_pages_instead_of_rendering_their_forms(demo, client, login):
    agreement = fully_signed()
    _login(login, "halle@example.org")
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    pages = _pages(agreement.id)
    for name in ("amend", "terminate", "attach"):
        assert f'href="{pages[name]}"' in page, name
    assert f'href="{pages["comment"]}"' not in page  # signed: no comments any more
    # signed by every party: changed by an amendment, no signature can be withdrawn any more
    assert f'href="{pages["withdraw"]}"' not in page
    assert "<textarea" not in page and 'type="file"' not in page
    for name in ("amend", "terminate", "attach"):
        response = client.get(pages[name])
        assert response.status_code == 200, name
        html = response.get_data(as_text=True)
        assert '<form method="post"' in html and "<h1>" in html
        assert f'href="/agreements/{agreement.id}' in html  # back to the agreement


def test_a_draft_links_the_comment_page_for_a_party(demo, client, login):
    agreement = draft(by="burgenlandkreis@example.org", shorts=("BLK", "HAL"))
    _login(login, "halle@example.org")
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    url = _pages(agreement.id)["comment"]
    assert f'href="{url}"' in page
    assert f'href="{_pages(agreement.id)["amend"]}"' not in page
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("name", ["comment", "withdraw", "amend", "terminate", "attach"])
def test_another_organisations_user_gets_403(demo, client, login, name):
    hidden = draft(by="halle@example.org", shorts=("HAL", "BK"))
    _login(login, "burgenlandkreis@example.org")  # not a party to it
    url = _pages(hidden.id)[name]
    assert client.get(url).status_code == 403
    assert client.post(url, data={}).status_code == 403


def test_a_party_that_does_not_manage_gets_403_on_the_managing_pages(demo, client, login):
    agreement = fully_signed()
    services.amend(user("halle@example.org"), agreement, "Neue Pflicht")  # a second version
    db.session.commit()
    _login(login, "burgenlandkreis@example.org")  # a party, but Halle drafted it
    url = f"/agreements/{agreement.id}?version=1"
    with count_statements(db.engine, keep=True) as counted:
        page = client.get(url).get_data(as_text=True)
    # the party question is answered from one query, not once per permission
    assert counted.count <= 11, "\n".join(counted.statements)
    assert "Unterzeichner BLK, Beigeordnete" in page and "BLK liefert Daten" in page
    pages = _pages(agreement.id)
    for name in ("withdraw", "amend", "terminate"):
        assert f'href="{pages[name]}"' not in page
        assert client.get(pages[name]).status_code == 403
    assert f'href="{pages["attach"]}"' in page  # parties may attach files
    assert client.get(pages["attach"]).status_code == 200


def test_unknown_agreement_or_version_is_404(demo, client, login):
    agreement = draft()
    _login(login, "halle@example.org")
    assert client.get("/agreements/99999/amend").status_code == 404
    assert client.get(f"/agreements/{agreement.id}/versions/9/comments").status_code == 404


def test_comment_page_needs_text_and_adds_the_comment(demo, client, login):
    agreement = draft(by="burgenlandkreis@example.org", shorts=("BLK", "HAL"))
    _login(login, "halle@example.org")
    url = _pages(agreement.id)["comment"]
    refused = client.post(url, data={"text": ""})
    assert refused.status_code == 422
    assert 'id="error-summary"' in refused.get_data(as_text=True)
    comments = sa.select(sa.func.count(AgreementComment.id)).where(
        AgreementComment.version_id == agreement.latest_version.id
    )
    assert db.session.scalar(comments) == 0
    done = client.post(url, data={"text": "Bitte § 3 prüfen"})
    assert done.status_code == 302 and done.headers["Location"].endswith("?version=1")
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "Bitte § 3 prüfen" in page


def test_withdraw_page_needs_confirmation_and_a_reason(demo, client, login):
    agreement = awaiting()
    version = agreement.latest_version
    services.sign(user("halle@example.org"), version.parties[0], DEMO_PASSWORD)
    db.session.commit()
    _login(login, "halle@example.org")
    url = _pages(agreement.id)["withdraw"]
    assert f'href="{url}"' in client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    refused = client.post(url, data={"reason": "Tippfehler"})
    assert refused.status_code == 422
    assert 'id="confirm-error"' in refused.get_data(as_text=True)
    assert client.post(url, data={"confirm": "y"}).status_code == 422
    done = client.post(url, data={"reason": "<b>Tippfehler</b>", "confirm": "y"})
    assert done.status_code == 302
    db.session.expire_all()
    signature = db.session.scalar(
        sa.select(AgreementSignature).where(AgreementSignature.version_id == version.id)
    )
    assert signature.withdrawn_at is not None
    assert signature.withdrawal_reason == "<b>Tippfehler</b>"
    # the timeline shows the withdrawal, its reason escaped
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "&lt;b&gt;Tippfehler&lt;/b&gt;" in page and "<b>Tippfehler" not in page
    assert "zurückgezogen am" in page


def test_amend_page_starts_version_two(demo, client, login):
    agreement = fully_signed()
    _login(login, "halle@example.org")
    response = client.post(_pages(agreement.id)["amend"], data={"change_note": "Neue Pflicht"})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/agreements/{agreement.id}/versions/2/edit")
    db.session.expire_all()
    assert [v.status for v in agreement.versions] == [VersionStatus.SIGNED, VersionStatus.DRAFT]
    # only an agreement in force can be amended: the draft version 2 cannot be amended again
    again = client.post(_pages(agreement.id)["amend"], data={"change_note": "x"})
    assert again.status_code == 403


def test_terminate_page_needs_date_and_reason(demo, client, login):
    agreement = fully_signed()
    _login(login, "halle@example.org")
    url = _pages(agreement.id)["terminate"]
    refused = client.post(url, data={"on": "", "reason": "Auflösung"})
    assert refused.status_code == 422
    assert 'id="error-summary"' in refused.get_data(as_text=True)
    assert client.post(url, data={"on": "2023-01-31", "reason": ""}).status_code == 422
    done = client.post(url, data={"on": "2023-01-31", "reason": "Auflösung"})
    assert done.status_code == 302
    db.session.expire_all()
    assert agreement.status is AgreementStatus.TERMINATED


def test_attach_page_shows_the_error_at_the_file_field(demo, client, login):
    agreement = fully_signed()
    _login(login, "halle@example.org")
    url = _pages(agreement.id)["attach"]
    missing = client.post(url, data={}, content_type="multipart/form-data")
    assert missing.status_code == 422
    refused = client.post(
        url,
        data={"file": (io.BytesIO(b"kein pdf"), "scan.pdf"), "is_signed_copy": "y"},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 422
    assert 'id="file-error"' in refused.get_data(as_text=True)
    assert services.attachments_of(agreement) == []
    done = client.post(
        url,
        data={"file": (io.BytesIO(b"%PDF-1.4 scan"), "scan.pdf"), "is_signed_copy": "y"},
        content_type="multipart/form-data",
    )
    assert done.status_code == 302
    page = client.get(f"/agreements/{agreement.id}").get_data(as_text=True)
    assert "scan.pdf" in page


def test_empty_sections_are_not_queried_and_filled_ones_are(demo, client, login):
    with_comment = draft(by="burgenlandkreis@example.org", shorts=("BLK", "HAL"))
    services.add_comment(user("halle@example.org"), with_comment.latest_version, "Bitte prüfen")
    db.session.commit()
    without = draft(title="Ohne Kommentar")
    urls = [f"/agreements/{without.id}", f"/agreements/{with_comment.id}"]
    _login(login, "halle@example.org")
    with count_statements(db.engine, keep=True) as counted:
        page = client.get(urls[0]).get_data(as_text=True)
    assert "Bitte prüfen" not in page and "Keine Kommentare." in page
    assert not any("agreement_comments.text" in s for s in counted.statements)
    assert not any("agreement_attachments.filename" in s for s in counted.statements)
    with count_statements(db.engine, keep=True) as counted:
        page = client.get(urls[1]).get_data(as_text=True)
    assert "Bitte prüfen" in page and "1 Kommentar" in page
    assert any("agreement_comments.text" in s for s in counted.statements)


def test_action_pages_need_the_csrf_token(demo, database_url, app):
    import re

    from govtool import TestConfig, create_app

    class CsrfConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        WTF_CSRF_ENABLED = True

    agreement = draft(by="burgenlandkreis@example.org", shorts=("BLK", "HAL"))
    url = _pages(agreement.id)["comment"]
    csrf_app = create_app(CsrfConfig)
    client = csrf_app.test_client()

    def token(html: str) -> str:
        return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)

    login_page = client.get("/login").get_data(as_text=True)
    client.post(
        "/login",
        data={
            "email": "halle@example.org",
            "password": DEMO_PASSWORD,
            "csrf_token": token(login_page),
        },
    )
    page = client.get(url)
    assert page.status_code == 200
    assert client.post(url, data={"text": "Ohne Token"}).status_code == 400
    done = client.post(url, data={"text": "Mit Token", "csrf_token": token(page.get_data(True))})
    assert done.status_code == 302
