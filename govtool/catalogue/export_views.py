"""The catalogue as a whole: the data-flow map, the exports (DCAT-AP.de, CSV, XLSX, JSON, DOCX)
and the import."""

from __future__ import annotations

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from ..core.downloads import download
from ..core.forms import (
    on_domain_error,
)
from ..core.permissions import can, require
from ..core.views import page_args
from ..extensions import db, login_manager
from . import dcat, exchange, flowmap, services
from .forms import ImportForm
from .views import bp


@bp.get("/map")
@login_required
def flow_map():
    require(can(current_user, "catalogue.view"))
    graph = flowmap.build_graph()
    return render_template(
        "catalogue/map.html",
        svg=flowmap.render_svg(graph),
        flows=flowmap.flow_rows(graph),
        legend=flowmap.LEGEND,
    )


@bp.get("/map.svg")
@login_required
def flow_map_svg():
    require(can(current_user, "catalogue.view"))
    svg = flowmap.render_svg(flowmap.build_graph(), standalone=True)
    return Response(svg, mimetype="image/svg+xml")


# ---------------------------------------------------------------- exports and import


@bp.get("/dcat.jsonld")
def dcat_export():
    if not current_app.config.get("GOVTOOL_DCAT_PUBLIC"):
        if not current_user.is_authenticated:
            return login_manager.unauthorized()
        require(can(current_user, "catalogue.export"))
    page, _ = page_args()
    return Response(dcat.catalogue_jsonld_text(page), mimetype="application/ld+json")


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str):
    require(can(current_user, "catalogue.export"))
    if fmt not in ("csv", "xlsx", "json", "docx"):
        abort(404)
    versions = services.list_versions(current_user, services.ListFilters.from_args(request.args))
    content, mimetype = exchange.export(versions, fmt, current_user)
    return download(content, f"datenaustauschkatalog.{fmt}", mimetype)


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_entries():
    require(can(current_user, "catalogue.import"))
    form = ImportForm()

    def page(status: int, error=None, errors: list[str] | None = None):
        """The import form with the problems listed (each row's for a refused file)."""
        if error is not None:
            errors = error.errors if isinstance(error, exchange.ImportFailed) else [error.message]
        return render_template("catalogue/import.html", form=form, errors=errors or []), status

    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            return page(400, errors=[gettext("Please choose a CSV or XLSX file.")])
        on_domain_error(page, with_error=True)
        entries = exchange.import_file(current_user, upload.filename, upload.read())
        db.session.commit()
        flash(
            ngettext(
                "%(num)d entry imported as a draft.",
                "%(num)d entries imported as drafts.",
                len(entries),
            ),
            "success",
        )
        return redirect(url_for(".entry_list"))
    return page(400 if request.method == "POST" else 200)
