""" "Vorbereitete Dateien": the user's own prepared downloads, their status, and the download."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required

from ..extensions import db
from .downloads import download_stream
from .models import utcnow
from .permissions import can, require
from .prepared import PreparedFile, PreparedStatus, files_of
from .storage import current_store

bp = Blueprint("prepared", __name__)


@bp.get("/downloads/")
@login_required
def prepared_list():
    files = files_of(current_user)
    return render_template(
        "core/prepared_list.html",
        files=files,
        pending=sum(1 for f in files if f.is_pending),
        Status=PreparedStatus,
    )


@bp.get("/downloads/<int:prepared_id>")
@login_required
def prepared_download(prepared_id: int):
    prepared = db.session.get(PreparedFile, prepared_id)
    if prepared is None or prepared.expires_at <= utcnow():
        abort(404)
    require(can(current_user, "prepared.download", prepared))
    if prepared.status != PreparedStatus.READY:
        flash(gettext("This file is not ready yet."), "warning")
        return redirect(url_for(".prepared_list"))
    stream = current_store().open(prepared.store_key)
    return download_stream(stream, prepared.filename, prepared.mimetype)


def redirect_to_prepared():
    """The answer of an export that is prepared: to the list, with a flash."""
    flash(
        gettext("The file is being prepared … It appears in this list when it is ready."),
        "info",
    )
    return redirect(url_for("prepared.prepared_list"))
