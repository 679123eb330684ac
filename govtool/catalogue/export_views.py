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
from ..core.forms import on_domain_error
from ..core.permissions import can, require
from ..core.prepared import prepare_if_large
from ..core.prepared_views import redirect_to_prepared
from ..core.views import page_args
from ..extensions import db, login_manager
from . import dcat, exchange, flowmap, importing, services, staging
from .forms import ConfirmImportForm, ImportForm
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
    text = dcat.catalogue_jsonld_text(
        page,
        public=bool(current_app.config.get("GOVTOOL_DCAT_PUBLIC")),
        contributor_id=current_app.config.get("GOVTOOL_DCAT_CONTRIBUTOR_ID"),
    )
    return Response(text, mimetype="application/ld+json")


@bp.get("/export.<fmt>")
@login_required
def export(fmt: str):
    """The filtered list as a file; CSV is "Excel (CSV)" unless `?variant=technical`."""
    require(can(current_user, "catalogue.export"))
    if fmt == "csv" and request.args.get("variant") == "technical":
        fmt = "csv-technical"
    if fmt not in ("csv", "csv-technical", "xlsx", "json", "docx"):
        abort(404)
    filters = services.ListFilters.from_args(request.args)
    if fmt in exchange.PREPARED_FORMATS and prepare_if_large(
        current_user,
        services.count_versions(current_user, filters),
        exchange.PREPARED_KIND,
        gettext("Data-sharing catalogue: %(format)s", format=exchange.format_label(fmt)),
        exchange.prepared_parameters(fmt, filters),
    ):
        db.session.commit()
        return redirect_to_prepared()
    versions = services.list_versions(current_user, filters)
    content, mimetype = exchange.export(versions, fmt, current_user)
    return download(content, exchange.filename(fmt), mimetype)


@bp.get("/import/template.<fmt>")
@login_required
def import_template(fmt: str):
    """The import template (the export's headers, no rows) as Excel (CSV) or XLSX."""
    require(can(current_user, "catalogue.import"))
    if fmt not in ("csv", "xlsx"):
        abort(404)
    content, mimetype = importing.template(fmt)
    return download(content, f"importvorlage-datenaustauschkatalog.{fmt}", mimetype)


def _problems_page(form, status: int, error=None, problems=None):
    """The import form with the problems listed (every problem of every row)."""
    if error is not None:
        problems = (
            error.problems
            if isinstance(error, importing.ImportFailed)
            else [importing.Problem(None, "", "", error.message)]
        )
    return render_template("catalogue/import.html", form=form, problems=problems or []), status


def _confirm_page(outcome, form=None, status: int = 200):
    form = form or ConfirmImportForm()
    return render_template("catalogue/import_confirm.html", outcome=outcome, form=form), status


def _imported(outcome):
    count = len(outcome.entries)
    flash(
        ngettext(
            "%(num)d entry imported as a draft.", "%(num)d entries imported as drafts.", count
        ),
        "success",
    )
    return redirect(url_for(".entry_list"))


@bp.route("/import", methods=["GET", "POST"])
@login_required
def import_entries():
    require(can(current_user, "catalogue.import"))
    form = ImportForm()

    def page(status: int, error=None, problems=None):
        return _problems_page(form, status, error, problems)

    if form.validate_on_submit():
        upload = form.file.data
        if upload is None or not getattr(upload, "filename", ""):
            problems = [
                importing.Problem(None, "", "", gettext("Please choose a CSV or XLSX file."))
            ]
            return page(400, problems=problems)
        on_domain_error(page, with_error=True)
        outcome = importing.import_upload(current_user, upload.filename, upload.read())
        db.session.commit()
        if outcome.token:
            return _confirm_page(outcome)
        return _imported(outcome)
    return page(400 if request.method == "POST" else 200)


@bp.route("/import/confirm/<token>", methods=["GET", "POST"])
@login_required
def import_confirm(token: str):
    """The second step of an import with likely duplicates: confirm, and the kept file imports."""
    staged = staging.by_token(token)
    if staged is None:
        abort(404)
    require(can(current_user, "catalogue.import_staged", staged))
    form = ConfirmImportForm()
    on_domain_error(
        lambda status, error=None: _problems_page(ImportForm(), status, error), with_error=True
    )
    if form.validate_on_submit():
        outcome = importing.import_staged(current_user, staged)
        db.session.commit()
        return _imported(outcome)
    outcome = importing.check_staged(current_user, staged)
    return _confirm_page(outcome, form, 422 if request.method == "POST" else 200)
