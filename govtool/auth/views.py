"""Sign-in, sign-out, passwords, own profile, language switch and user administration."""

from __future__ import annotations

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required

from ..core.forms import (
    NONE_CHOICE,
    back_on_domain_error,
    commit_or_show,
    on_domain_error,
    refresh_requested,
)
from ..core.permissions import can, require
from ..core.urls import safe_redirect_target
from ..core.views import get_or_404, paginate
from ..extensions import db, limiter
from ..links import directory as directory_services
from . import services
from .forms import (
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    ResetForm,
    ResetRequestForm,
    UserForm,
)
from .models import Role, User
from .sessions import end_session, renew_session, revoke_sessions, start_session
from .token_views import token_section

bp = Blueprint("auth", __name__)


def _login_limit() -> str:
    return current_app.config["GOVTOOL_LOGIN_LIMIT"]


def _sign_in_failed(response) -> bool:
    """Only failed sign-ins count against the limit (a success redirects)."""
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_sign_in_failed)
def login():
    if current_user.is_authenticated:
        return redirect(url_for("main.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        # a refused sign-in is flashed above the form (which field was wrong is not told)
        on_domain_error(lambda status: (render_template("auth/login.html", form=form), status))
        user = services.authenticate(
            form.email.data, form.password.data, client=get_remote_address()
        )
        db.session.commit()
        start_session(user, remember=form.remember.data)
        return redirect(safe_redirect_target(request.args.get("next")))
    status = 400 if request.method == "POST" else 200
    return render_template("auth/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    """Sign out everywhere: revoke every session and remember cookie of the user, and delete
    this browser's."""
    revoke_sessions(current_user._get_current_object())
    db.session.commit()
    end_session()
    flash(gettext("You are signed out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per minute", methods=["POST"])
def forgot_password():
    form = ResetRequestForm()
    if form.validate_on_submit():
        services.send_password_reset(form.email.data)
        db.session.commit()
        # The same answer whether or not the address exists: no account probing.
        flash(gettext("If the address belongs to an account, a reset link is on its way."), "info")
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    user = services.user_for_reset_token(token)
    if user is None:
        flash(
            gettext("This reset link is invalid or has expired. Please ask for a new one."),
            "danger",
        )
        return redirect(url_for("auth.forgot_password"))
    form = ResetForm()
    if form.validate_on_submit():
        saved, _ = commit_or_show(
            form, lambda: services.reset_password(user, form.new_password.data)
        )
        if saved:
            flash(gettext("Your password is set. Please sign in."), "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/reset_password.html", form=form)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
def set_password(token: str):
    """A new user's first password, through the link mailed at account creation (single use,
    GOVTOOL_WELCOME_TOKEN_HOURS). A used or expired link gets a page that offers a new one."""
    user, problem = services.check_password_token(token, services.WELCOME)
    if user is None:
        status = 404 if problem is services.TokenProblem.INVALID else 410
        return render_template(
            "auth/link_problem.html", problem=problem.value if problem else "invalid"
        ), status
    form = ResetForm()
    if form.validate_on_submit():
        saved, _ = commit_or_show(
            form, lambda: services.reset_password(user, form.new_password.data)
        )
        if saved:
            flash(gettext("Your password is set. Please sign in."), "success")
            return redirect(url_for("auth.login"))
    status = 422 if request.method == "POST" else 200
    return render_template(
        "auth/reset_password.html", form=form, title=gettext("Choose your password"), user=user
    ), status


@bp.route("/password/change", methods=["GET", "POST"])
@login_required
def password_change_required():
    """The page every other page leads to while an admin-set password is still in use."""
    form = PasswordChangeForm()
    next_url = safe_redirect_target(request.args.get("next"))

    def page(status: int):
        return render_template("auth/password_change.html", form=form), status

    if not current_user.must_change_password and request.method == "GET":
        return redirect(url_for("auth.profile"))
    if form.validate_on_submit():
        on_domain_error(page, form)
        services.change_password(current_user, form.current_password.data, form.new_password.data)
        db.session.commit()
        renew_session(current_user._get_current_object())
        flash(gettext("Your password is changed."), "success")
        return redirect(next_url)
    return page(422 if request.method == "POST" else 200)


@bp.route("/profile", methods=["GET", "POST"])
@login_required
def profile():
    password_form = PasswordChangeForm(prefix="pw")
    profile_form = ProfileForm(prefix="profile", obj=current_user)

    def page(status: int):
        return render_template(
            "auth/profile.html",
            password_form=password_form,
            profile_form=profile_form,
            **token_section(),
        ), status

    if password_form.submit.data and password_form.validate_on_submit():
        on_domain_error(page, password_form)
        services.change_password(
            current_user, password_form.current_password.data, password_form.new_password.data
        )
        db.session.commit()
        renew_session(current_user._get_current_object())
        flash(gettext("Your password is changed."), "success")
        return redirect(url_for("auth.profile"))
    elif profile_form.submit.data and profile_form.validate_on_submit():
        services.set_preferred_locale(current_user, profile_form.locale.data or "")
        db.session.commit()
        session["locale"] = current_user.locale or None
        flash(gettext("Changes saved."), "success")
        return redirect(url_for("auth.profile"))
    return page(200)


@bp.post("/language")
def set_language():
    """The language switch in the header: stored in the session (and the profile when signed in)."""
    locale = request.form.get("locale", "")
    if locale in current_app.config["LANGUAGES"]:
        session["locale"] = locale
    return redirect(safe_redirect_target(request.form.get("next")))


def _user_form(user: User | None = None) -> UserForm:
    form = UserForm(obj=user)
    if user is None:
        form.password.label.text = gettext("Initial password (optional)")
        form.password.description = gettext(
            "Leave empty (recommended): the user gets a mail with a link to choose their own "
            "password, valid for 72 hours and usable once. A password entered here must be "
            "changed by the user at the first sign-in."
        )
    else:
        form.password.label.text = gettext("New password")
        form.password.description = gettext(
            "At least 10 characters; leave empty to keep the current password. A password set "
            "here for another user must be changed by them at the next sign-in."
        )
    form.organisation_id.choices = [NONE_CHOICE, *directory_services.organisation_choices()]
    if user is not None and request.method == "GET":
        form.roles.data = [role.value for role in user.roles]
        form.is_active.data = user.is_active
    # The person: one of the chosen organisation's people (or the one already linked), not a
    # list of the whole directory.
    form.person_id.choices = [
        NONE_CHOICE,
        *directory_services.people_of_organisations(
            [form.organisation_id.data], [user.person_id] if user is not None else []
        ),
    ]
    return form


@bp.get("/users/")
@login_required
def users():
    require(can(current_user, "user.manage"))
    search = request.args.get("q", "")
    role = request.args.get("role", "")
    page = paginate(services.user_query(search, role))
    return render_template(
        "auth/user_list.html", page=page, search=search, role=role, roles=list(Role)
    )


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
def user_create():
    require(can(current_user, "user.manage"))
    form = _user_form()
    if refresh_requested():
        return render_template("auth/user_form.html", form=form, user=None)
    if form.validate_on_submit():
        saved, user = commit_or_show(form, lambda: services.create_user(current_user, form.data))
        if saved and user.must_change_password:
            flash(
                gettext(
                    "User %(email)s created. They must change the password at the first sign-in.",
                    email=user.email,
                ),
                "success",
            )
        elif saved:
            flash(
                gettext(
                    "User %(email)s created. A mail with a link to set the password is on its way.",
                    email=user.email,
                ),
                "success",
            )
        if saved:
            return redirect(url_for("auth.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/user_form.html", form=form, user=None), status


@bp.route("/users/<int:user_id>/edit", methods=["GET", "POST"])
@login_required
def user_edit(user_id: int):
    require(can(current_user, "user.manage"))
    user = get_or_404(User, user_id)
    form = _user_form(user)
    if refresh_requested():
        return render_template("auth/user_form.html", form=form, user=user)
    if form.validate_on_submit():
        saved, _ = commit_or_show(form, lambda: services.update_user(current_user, user, form.data))
        if saved and user.id == current_user.id:
            renew_session(user)  # an admin setting their own password stays signed in here
        if saved:
            flash(gettext("Changes saved."), "success")
            return redirect(url_for("auth.users"))
    status = 422 if request.method == "POST" else 200
    return render_template("auth/user_form.html", form=form, user=user), status


@bp.post("/users/<int:user_id>/welcome")
@login_required
def user_resend_welcome(user_id: int):
    """Send the user a new link to set their password (e.g. the first one expired)."""
    require(can(current_user, "user.manage"))
    user = get_or_404(User, user_id)
    back_on_domain_error(url_for("auth.user_edit", user_id=user.id))
    services.resend_welcome(current_user, user)
    db.session.commit()
    flash(
        gettext("A new link to set the password was sent to %(email)s.", email=user.email),
        "success",
    )
    return redirect(url_for("auth.user_edit", user_id=user.id))
