"""The user's personal access tokens, on their own profile page: create (shown once), revoke."""

from __future__ import annotations

import datetime as dt

from flask import Blueprint, flash, make_response, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.forms import commit_or_show_status
from ..core.models import utcnow
from ..core.permissions import can, require
from ..core.views import get_or_404
from ..extensions import db
from . import tokens
from .forms import TokenForm, TokenRevokeForm

bp = Blueprint("tokens", __name__, url_prefix="/profile/tokens")


def token_section(form: TokenForm | None = None) -> dict:
    """What the profile page shows of the tokens: the list and the form for a new one."""
    if form is None:
        form = TokenForm(prefix="token", formdata=None)
        form.expires_on.data = utcnow().date() + dt.timedelta(days=tokens.DEFAULT_LIFETIME_DAYS)
    return {
        "token_form": form,
        "api_tokens": tokens.user_tokens(current_user),
        "today": utcnow().date(),
    }


@bp.post("/")
@login_required
def create():
    from .forms import PasswordChangeForm, ProfileForm

    form = TokenForm(prefix="token")

    def page(status: int):
        return render_template(
            "auth/profile.html",
            password_form=PasswordChangeForm(prefix="pw", formdata=None),
            profile_form=ProfileForm(prefix="profile", obj=current_user, formdata=None),
            **token_section(form),
        ), status

    if not form.validate_on_submit():
        return page(422)
    done, result, status = commit_or_show_status(
        form,
        lambda: tokens.create_token(
            current_user._get_current_object(),
            form.name.data,
            tokens.TokenScope(form.scope.data),
            form.expires_on.data,
        ),
    )
    if not done:
        return page(status)
    token, secret = result
    # The secret is in this one answer only: no redirect (it would have to travel through the
    # session), and no cache may keep it.
    response = make_response(
        render_template("auth/token_created.html", token=token, secret=secret), 201
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:token_id>/revoke", methods=["GET", "POST"])
@login_required
def revoke(token_id: int):
    token = get_or_404(tokens.ApiToken, token_id)
    require(can(current_user, "token.revoke", token))
    form = TokenRevokeForm()
    if form.validate_on_submit():
        tokens.revoke_token(current_user._get_current_object(), token.id)
        db.session.commit()
        flash(gettext("The token is revoked."), "success")
        return redirect(url_for("auth.profile"))
    status = 422 if form.is_submitted() else 200
    return render_template("auth/token_revoke.html", token=token, form=form), status
