"""The one DomainError handler (core.forms.answer_domain_error): views do not catch domain errors,
roll back or keep their own commit-or-show helpers; the handler rolls back and answers."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from flask import Blueprint, render_template_string
from wtforms import StringField

from govtool import TestConfig, create_app
from govtool.core.errors import Conflict, EditConflict, PermissionDenied, ValidationError
from govtool.core.forms import FlaskForm, back_on_domain_error, on_domain_error
from govtool.directory.models import Organisation
from govtool.extensions import db as _db
from govtool.extensions import limiter
from tests.factories import make_organisation

ROOT = Path(__file__).resolve().parents[2]


class NameForm(FlaskForm):
    name = StringField("Name")
    note = StringField("Note")


PAGE = """{% for m in get_flashed_messages() %}<p class="flash">{{ m }}</p>{% endfor %}
<form>{% for field in form %}{{ field() }}{% for e in field.errors %}<em>{{ e }}</em>{% endfor %}
{% endfor %}</form>"""


def _probe_blueprint() -> Blueprint:
    """Routes shaped like the app's views: load, register the page, call, commit, answer."""
    bp = Blueprint("probe", __name__)

    @bp.route("/probe/form", methods=["POST"])
    def form_page():
        form = NameForm()

        def page(status: int):
            # rendered after the rollback: the refused write is gone from the session too
            stored = _db.session.query(Organisation).filter_by(name=form.name.data).count()
            return render_template_string(PAGE + f"<p>stored={stored}</p>", form=form), status

        on_domain_error(page, form)
        make_organisation(name=form.name.data)  # written, then refused: must not stay
        _db.session.flush()
        raise ValidationError("This name is taken.", field="name")

    @bp.route("/probe/unnamed-field", methods=["POST"])
    def unnamed_field():
        form = NameForm()
        on_domain_error(lambda status: (render_template_string(PAGE, form=form), status), form)
        raise Conflict("Someone was faster.")

    @bp.route("/probe/fallback-field", methods=["POST"])
    def fallback_field():
        form = NameForm()
        on_domain_error(
            lambda status: (render_template_string(PAGE, form=form), status), form, field="note"
        )
        raise ValidationError("Not like this.")

    @bp.route("/probe/edit-conflict", methods=["POST"])
    def edit_conflict():
        form = NameForm()
        on_domain_error(
            lambda status: ("plain page", status),
            form,
            on_conflict=lambda error: (f"comparison: {error.message}", 409),
        )
        raise EditConflict("Saved meanwhile.")

    @bp.route("/probe/button", methods=["POST"])
    def button():
        back_on_domain_error("/probe/back")
        raise Conflict("Already done.")

    @bp.route("/probe/forbidden", methods=["POST"])
    def forbidden():
        on_domain_error(lambda status: ("form page", status))
        raise PermissionDenied("No.")

    @bp.route("/probe/bare")
    def bare():
        raise Conflict("Nobody named a page.")

    @bp.route("/api/probe", methods=["POST"])
    def api():
        raise ValidationError("Give a name.", field="name")

    return bp


@pytest.fixture()
def probe_app(app, database_url, db):
    class ProbeConfig(TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url

    application = create_app(ProbeConfig)
    application.register_blueprint(_probe_blueprint())
    yield application
    # create_app bound the shared limiter to a new storage: back to the session app's, or the
    # later tests' limiter.reset() would empty the wrong one
    limiter.init_app(app)
    limiter.reset()


def test_form_page_refusal_shows_the_error_at_its_field_keeps_input_and_rolls_back(probe_app):
    client = probe_app.test_client()
    response = client.post("/probe/form", data={"name": "Stadt Halle", "note": "typed"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<em>This name is taken.</em>" in page
    assert 'value="Stadt Halle"' in page and 'value="typed"' in page
    assert "<p>stored=0</p>" in page
    with probe_app.app_context():
        assert _db.session.query(Organisation).filter_by(name="Stadt Halle").count() == 0


def test_refusal_naming_no_field_is_flashed_above_the_form_with_its_status(probe_app):
    response = probe_app.test_client().post("/probe/unnamed-field", data={"name": "x"})
    assert response.status_code == 409
    assert '<p class="flash">Someone was faster.</p>' in response.get_data(as_text=True)


def test_refusal_goes_to_the_fallback_field_the_page_names(probe_app):
    response = probe_app.test_client().post("/probe/fallback-field", data={"note": "n"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "<em>Not like this.</em>" in page and 'class="flash"' not in page


def test_edit_conflict_gets_the_comparison_page(probe_app):
    response = probe_app.test_client().post("/probe/edit-conflict", data={"name": "x"})
    assert response.status_code == 409
    assert response.get_data(as_text=True) == "comparison: Saved meanwhile."


def test_button_refusal_is_flashed_and_goes_back(probe_app):
    client = probe_app.test_client()
    response = client.post("/probe/button")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/probe/back")
    with client.session_transaction() as session:
        assert ("danger", "Already done.") in session["_flashes"]


def test_permission_refusal_is_the_403_page_not_the_form(probe_app):
    response = probe_app.test_client().post("/probe/forbidden")
    assert response.status_code == 403
    assert "form page" not in response.get_data(as_text=True)


def test_refusal_without_a_named_page_is_the_error_page_with_its_status(probe_app):
    response = probe_app.test_client().get("/probe/bare")
    assert response.status_code == 409
    assert "Nobody named a page." in response.get_data(as_text=True)


def test_api_refusal_is_problem_json(probe_app):
    response = probe_app.test_client().post("/api/probe")
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["status"] == 422
    assert body["detail"] == body["message"] == "Give a name."
    assert body["error"] == "validation_error" and body["field"] == "name"


def test_no_view_module_catches_domain_errors_or_rolls_back():
    """Issue 11: the handler is the only place; the views load, check, call, commit, render."""
    found = subprocess.run(
        "grep -rn 'except DomainError\\|session.rollback\\|def _fail\\|def _item_error' "
        "govtool/*/views.py govtool/*/*_views.py",
        shell=True,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    assert found == ""


def test_no_view_module_is_longer_than_450_lines():
    long = [
        f"{path.relative_to(ROOT)}: {count}"
        for path in sorted((ROOT / "govtool").glob("*/*views.py"))
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > 450
    ]
    assert long == []
