"""The review workflow of a catalogue entry: submit, start review, suspend, reinstate, retire,
the reviewer's decision, comments, and the review queue."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from ..core.forms import (
    back_on_domain_error,
    on_domain_error,
)
from ..core.permissions import can, require
from ..extensions import db
from . import services, workflow
from .forms import CommentForm, DecisionForm, ReasonForm
from .permissions import approval_needs_justification, approval_refusal
from .views import _entry_or_404, bp


def _act(entry_id: int, action: str, run, success: str):
    """Run one workflow step from a POST button and go back to the entry."""
    entry = _entry_or_404(entry_id)
    require(can(current_user, action, entry))
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    back_on_domain_error(url_for(".entry_detail", entry_id=entry.id))
    run(entry, form.comment.data or "")
    db.session.commit()
    flash(success, "success")
    return redirect(url_for(".entry_detail", entry_id=entry.id))


@bp.post("/<int:entry_id>/submit")
@login_required
def entry_submit(entry_id: int):
    return _act(
        entry_id,
        "catalogue.submit",
        lambda e, c: workflow.submit(current_user, e, c),
        gettext("Submitted for review. The ministry has been notified."),
    )


@bp.post("/<int:entry_id>/start-review")
@login_required
def entry_start_review(entry_id: int):
    """Take the version into review and go on to the decision form (not back to the entry)."""
    entry = _entry_or_404(entry_id)
    require(can(current_user, "catalogue.review", entry.latest_version))
    form = ReasonForm()
    if not form.validate_on_submit():
        abort(400)
    decide_url = url_for(".entry_decide", entry_id=entry.id)
    back_on_domain_error(decide_url)
    workflow.start_review(current_user, entry)
    db.session.commit()
    flash(gettext("You are now reviewing this entry."), "success")
    return redirect(decide_url + "#decide")


@bp.post("/<int:entry_id>/suspend")
@login_required
def entry_suspend(entry_id: int):
    return _act(
        entry_id,
        "catalogue.manage",
        lambda e, c: workflow.suspend(current_user, e, c),
        gettext("Entry suspended."),
    )


@bp.post("/<int:entry_id>/reinstate")
@login_required
def entry_reinstate(entry_id: int):
    return _act(
        entry_id,
        "catalogue.manage",
        lambda e, c: workflow.reinstate(current_user, e, c),
        gettext("Entry reinstated."),
    )


@bp.post("/<int:entry_id>/retire")
@login_required
def entry_retire(entry_id: int):
    return _act(
        entry_id,
        "catalogue.manage",
        lambda e, c: workflow.retire(current_user, e, c),
        gettext("Entry retired."),
    )


@bp.route("/<int:entry_id>/decide", methods=["GET", "POST"])
@login_required
def entry_decide(entry_id: int):
    entry = _entry_or_404(entry_id)
    version = entry.latest_version
    require(can(current_user, "catalogue.review", version))
    if not can(current_user, "catalogue.decide", entry):
        flash(gettext("This entry has no version waiting for review."), "info")
        return redirect(url_for(".entry_detail", entry_id=entry.id))
    form = DecisionForm()
    items = workflow.checklist_items(version)
    form.checklist.choices = [(key, str(label)) for key, label in items]

    def page(status: int):
        approved = entry.approved_version
        return render_template(
            "catalogue/decide.html",
            entry=entry,
            version=version,
            form=form,
            snapshot=services.snapshot(version, current_user),
            diff=services.diff_versions(approved, version, current_user) if approved else [],
            approved=approved,
            problems=workflow.completeness_problems(version),
            approval_refusal=approval_refusal(version),
            needs_justification=approval_needs_justification(version),
        ), status

    if form.validate_on_submit():
        on_domain_error(page, form)
        if form.decision.data == "approve":
            workflow.approve(
                current_user,
                entry,
                form.comment.data,
                form.checklist.data,
                form.next_review_on.data,
                confirmed=form.confirm_without_dpia.data,
                justification=form.justification.data or "",
            )
            message = gettext("Version %(n)d approved; it is now in force.", n=version.number)
        elif form.decision.data == "request_changes":
            workflow.request_changes(current_user, entry, form.comment.data, form.checklist.data)
            message = gettext("Changes requested.")
        else:
            workflow.reject(current_user, entry, form.comment.data)
            message = gettext("Entry rejected.")
        db.session.commit()
        flash(message, "success")
        return redirect(url_for(".review_queue"))
    # Nothing chosen or a field wrong: the form again with what was typed, and its messages.
    return page(422 if request.method == "POST" else 200)


@bp.post("/<int:entry_id>/versions/<int:number>/comments")
@login_required
def entry_comment(entry_id: int, number: int):
    entry = _entry_or_404(entry_id)
    require(can(current_user, "catalogue.comment", entry))
    version = entry.version(number)
    if version is None:
        abort(404)
    form = CommentForm()
    back = url_for(".entry_detail", entry_id=entry.id, version=number) + "#comments"
    if form.validate_on_submit():
        back_on_domain_error(back)
        workflow.add_comment(current_user, entry, version, form.body.data, form.parent_id.data)
        db.session.commit()
        flash(gettext("Comment added."), "success")
    else:
        flash(gettext("Please write a comment."), "danger")
    return redirect(back)


# ---------------------------------------------------------------- review queue and map


@bp.get("/review/")
@login_required
def review_queue():
    require(can(current_user, "catalogue.review"))
    return render_template(
        "catalogue/review_queue.html", versions=services.review_queue(), ReasonForm=ReasonForm
    )
