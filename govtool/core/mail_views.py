"""The mail outbox page for admins: failed and waiting mail, with "send again" per message and
for all failed ones. Sending again is recorded in the audit log (core.mail.resend)."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext, ngettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from ..extensions import db
from .forms import FlaskForm
from .mail import MailStatus, OutboxMessage, resend
from .permissions import can, require
from .views import get_or_404, paginate

bp = Blueprint("mail", __name__)

# The page's filter: which messages it lists.
SHOWN = {
    "open": (MailStatus.FAILED, MailStatus.PENDING, MailStatus.SENDING),
    "failed": (MailStatus.FAILED,),
    "pending": (MailStatus.PENDING, MailStatus.SENDING),
}
STATUS_LABELS = {
    MailStatus.PENDING: _l("waiting"),
    MailStatus.SENDING: _l("being sent"),
    MailStatus.SENT: _l("sent"),
    MailStatus.FAILED: _l("failed"),
    MailStatus.LOGGED: _l("logged only"),
}


class ResendForm(FlaskForm):
    """A button that posts with a CSRF token."""


@bp.get("/admin/mail/")
@login_required
def outbox():
    require(can(current_user, "mail.manage"))
    shown = request.args.get("status", "open")
    if shown not in SHOWN:
        shown = "open"
    page = paginate(
        sa.select(OutboxMessage)
        .where(OutboxMessage.status.in_(SHOWN[shown]))
        .order_by(OutboxMessage.id.desc())
    )
    counts = dict(
        db.session.execute(
            sa.select(OutboxMessage.status, sa.func.count())
            .where(OutboxMessage.status.in_(SHOWN["open"]))
            .group_by(OutboxMessage.status)
        ).all()
    )
    return render_template(
        "mail/outbox.html",
        page=page,
        shown=shown,
        counts=counts,
        failed=counts.get(MailStatus.FAILED, 0),
        waiting=counts.get(MailStatus.PENDING, 0) + counts.get(MailStatus.SENDING, 0),
        labels=STATUS_LABELS,
        form=ResendForm(),
        MailStatus=MailStatus,
    )


@bp.post("/admin/mail/<int:message_id>/resend")
@login_required
def resend_one(message_id: int):
    require(can(current_user, "mail.manage"))
    message = get_or_404(OutboxMessage, message_id)
    if not ResendForm().validate_on_submit():
        abort(400)
    if resend([message], current_user.id):
        db.session.commit()
        flash(
            gettext("The mail to %(recipient)s is being sent again.", recipient=message.recipient),
            "success",
        )
    else:
        flash(gettext("This mail was sent already; it is not sent twice."), "info")
    return redirect(url_for(".outbox", status=request.args.get("status", "open")))


@bp.post("/admin/mail/resend-failed")
@login_required
def resend_failed():
    require(can(current_user, "mail.manage"))
    if not ResendForm().validate_on_submit():
        abort(400)
    messages = db.session.scalars(
        sa.select(OutboxMessage).where(OutboxMessage.status == MailStatus.FAILED)
    ).all()
    chosen = resend(messages, current_user.id)
    db.session.commit()
    flash(
        ngettext(
            "%(num)d failed mail is being sent again.",
            "%(num)d failed mails are being sent again.",
            len(chosen),
        ),
        "success",
    )
    return redirect(url_for(".outbox"))
