"""Pages of the data-sharing catalogue: list, entry, edit, review queue, map, exports, import."""

from __future__ import annotations

from dataclasses import dataclass

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import get_locale, gettext
from flask_login import current_user, login_required

from ..core.args import arg_int
from ..core.forms import (
    NONE_CHOICE,
    on_domain_error,
    refresh_requested,
)
from ..core.locking import choice_labels, commit_or_conflict, expected_version
from ..core.permissions import can, require
from ..core.views import RowsWithTotalPagination, page_args
from ..extensions import db
from ..links import services as links
from ..links.directory import organisation_choices, people_of_organisations
from . import services
from .forms import CommentForm, EntryForm, ReasonForm, choices, offer_file_type
from .models import (
    CatalogueEntry,
    EntryStatus,
    Frequency,
    LegalBasis,
    PersonalDataLevel,
    VersionStatus,
)

bp = Blueprint("catalogue", __name__, url_prefix="/catalogue")


def _entry_or_404(entry_id: int) -> CatalogueEntry:
    entry = services.get_entry(entry_id)
    if entry is None:
        abort(404)
    return entry


# ---------------------------------------------------------------- list


@dataclass(frozen=True, slots=True)
class ListRow:
    """One line of the list, with its labels already translated (no macros or gettext per row
    in the template)."""

    id: int
    identifier: str
    title: str
    provider: str
    recipients: str
    level: str
    level_label: str
    frequency_label: str
    status: str
    status_label: str
    pending: str  # "Change in review (version 3)" beside the version in force, else ""
    in_force: bool  # the row shows an approved version (else a draft never approved)


_TRANSLATED_CHOICES: dict[tuple[str, type], list[tuple[str, str]]] = {}


def _translated_choices(enum_cls) -> list[tuple[str, str]]:
    """The filter's options as plain strings, translated once per language and process (the
    catalogues are compiled files that do not change while the process runs)."""
    key = (str(get_locale()), enum_cls)
    options = _TRANSLATED_CHOICES.get(key)
    if options is None:
        options = _TRANSLATED_CHOICES[key] = [(v, str(label)) for v, label in choices(enum_cls)]
    return options


def _list_rows(rows: list) -> list[ListRow]:
    labels: dict[tuple[type, str], str] = {}

    def label(enum_cls, value: str) -> str:
        text = labels.get((enum_cls, value))
        if text is None:
            text = labels[enum_cls, value] = enum_cls(value).label
        return text

    return [
        ListRow(
            id=row.id,
            identifier=row.identifier,
            title=row.title,
            provider=row.provider,
            recipients=", ".join(services.recipient_short_names(row.recipients)) or "–",
            level=row.personal_data_level,
            level_label=label(PersonalDataLevel, row.personal_data_level),
            frequency_label=label(Frequency, row.frequency),
            status=row.status,
            status_label=label(EntryStatus, row.status),
            pending=services.pending_marker(row.latest_number, row.latest_status)
            if row.approved_number is not None and row.latest_number != row.approved_number
            else "",
            in_force=row.approved_number is not None,
        )
        for row in rows
    ]


@bp.get("/")
@login_required
def entry_list():
    user = current_user._get_current_object()
    require(can(user, "catalogue.view"))
    filters = services.ListFilters.from_args(request.args)
    number, per_page = page_args()
    rows, counted = services.list_page_query(user, filters)
    page = RowsWithTotalPagination(
        select=rows,
        count_select=counted,
        session=db.session,
        page=number,
        per_page=per_page,
        error_out=False,
    )
    return render_template(
        "catalogue/list.html",
        page=page,
        rows=_list_rows(page.items),
        # "/catalogue/" + id, built once instead of one url_for per row
        detail_prefix=url_for(".entry_detail", entry_id=0)[:-1],
        filters=filters,
        export_args=filters.as_args(),
        statuses=_translated_choices(EntryStatus),
        levels=_translated_choices(PersonalDataLevel),
        legal_bases=_translated_choices(LegalBasis),
        frequencies=_translated_choices(Frequency),
        can_create=can(user, "catalogue.create"),
        can_import=can(user, "catalogue.import"),
    )


# ---------------------------------------------------------------- create and edit


def _entry_form(entry: CatalogueEntry | None, version=None) -> EntryForm:
    form = EntryForm(obj=version)
    organisations = organisation_choices()
    form.provider_id.choices = [NONE_CHOICE, *organisations]
    form.recipient_ids.choices = organisations
    current = version.agreement if version is not None else None
    form.agreement_id.choices = [
        NONE_CHOICE,
        *links.agreement_choices(current_user, current=current),
    ]
    if request.method == "GET":
        if version is not None:
            form.recipient_ids.data = [o.id for o in version.recipients]
            for field in ("controller_relationship", "personal_data_level", "legal_basis"):
                getattr(form, field).data = getattr(version, field).value
            form.spatial_level.data = version.spatial_level.value
            form.frequency.data = version.frequency.value
            form.provider_contact_id.data = version.provider_contact_id or 0
            form.recipient_contact_id.data = version.recipient_contact_id or 0
            shown = current is not None and can(current_user, "agreement.view", current)
            form.agreement_id.data = version.agreement_id if shown else 0
            while len(form.items.entries) < len(version.items) + 2:
                form.items.append_entry()
        elif entry is None:
            form.provider_id.data = current_user.organisation_id or 0
    if refresh_requested() == "items":
        form.items.append_entry()
        form.items.append_entry()
    # Contacts: the people of the provider, the recipients and the user's own organisation (the
    # whole directory runs to thousands in a state), plus the contacts already stored.
    provider = form.provider_id.data if entry is None else entry.provider_id
    people = [
        NONE_CHOICE,
        *people_of_organisations(
            [provider, current_user.organisation_id, *(form.recipient_ids.data or [])],
            [version.provider_contact_id, version.recipient_contact_id] if version else [],
        ),
    ]
    form.provider_contact_id.choices = people
    form.recipient_contact_id.choices = people
    offer_file_type(form.data_format, version.data_format if version is not None else None)
    return form


def _form_data(form: EntryForm) -> dict:
    data = {f.name: form[f.name].data for f in services.CONTENT_FIELDS}
    data["recipient_ids"] = form.recipient_ids.data or []
    data["items"] = [item.data for item in form.items.entries]
    return data


@bp.route("/new", methods=["GET", "POST"])
@login_required
def entry_create():
    require(can(current_user, "catalogue.create"))
    form = _entry_form(None)
    if refresh_requested():
        return render_template("catalogue/form.html", form=form, entry=None)
    if form.validate_on_submit():
        data = _form_data(form)
        data["identifier"] = form.identifier.data or ""
        data["provider_id"] = form.provider_id.data
        on_domain_error(
            lambda status: (render_template("catalogue/form.html", form=form, entry=None), status),
            form,
        )
        entry = services.create_entry(current_user, data)
        db.session.commit()
        flash(gettext("Entry %(id)s saved as a draft.", id=entry.identifier), "success")
        return redirect(url_for(".entry_detail", entry_id=entry.id))
    status = 422 if request.method == "POST" else 200
    return render_template("catalogue/form.html", form=form, entry=None), status


@bp.route("/<int:entry_id>/edit", methods=["GET", "POST"])
@login_required
def entry_edit(entry_id: int):
    entry = _entry_or_404(entry_id)
    require(can(current_user, "catalogue.edit", entry))
    version = entry.latest_version
    form = _entry_form(entry, version)
    del form.identifier, form.provider_id
    if request.method == "GET":
        form.lock_version.data = entry.lock_version
    if refresh_requested():
        return render_template("catalogue/form.html", form=form, entry=entry, version=version)
    conflict, status = None, 200
    if form.validate_on_submit():
        saved, conflict, status = commit_or_conflict(
            form,
            entry,
            lambda: services.update_entry(
                current_user, entry, _form_data(form), expected_version(form)
            ),
            lambda e: _saved_content(e.latest_version),
            choice_labels(form),
        )
        if saved:
            flash(gettext("Version %(n)d saved.", n=entry.latest_number), "success")
            return redirect(url_for(".entry_detail", entry_id=entry.id))
        version = entry.latest_version
    elif request.method == "POST":
        status = 422
    return render_template(
        "catalogue/form.html", form=form, entry=entry, version=version, conflict=conflict
    ), status


def _saved_content(version) -> dict:
    """The saved version's content as the conflict page compares it with the form's."""
    saved = {f.name: getattr(version, f.name) for f in services.CONTENT_FIELDS}
    saved["recipient_ids"] = [o.id for o in version.recipients]
    return saved


# ---------------------------------------------------------------- entry page


@bp.get("/<int:entry_id>")
@login_required
def entry_detail(entry_id: int):
    entry = _entry_or_404(entry_id)
    require(can(current_user, "catalogue.view", entry))
    versions = services.visible_versions(current_user, entry)
    number = arg_int("version", strict=True)
    version = next((v for v in versions if v.number == number), None) if number else None
    if number and version is None:
        abort(404)
    version = version or services.visible_version(current_user, entry)
    if version is None:  # catalogue.view lets the user see a version of the entry
        abort(404)
    earlier = [v for v in versions if v.number < version.number]
    compare_to = entry.approved_version if entry.has_pending_change else None
    if compare_to is None or compare_to is version or compare_to not in versions:
        compare_to = earlier[-1] if earlier else None
    diff = services.diff_versions(compare_to, version, current_user) if compare_to else []
    comments = version.comments if can(current_user, "catalogue.comment", entry) else []
    return render_template(
        "catalogue/detail.html",
        entry=entry,
        version=version,
        versions=versions,
        compare_to=compare_to,
        diff=diff,
        snapshot=services.snapshot(version, current_user),
        agreement=links.visible_agreement(current_user, version.agreement),
        comments=comments,
        comment_form=CommentForm(),
        reason_form=ReasonForm(),
        can_edit=can(current_user, "catalogue.edit", entry),
        can_submit=can(current_user, "catalogue.submit_version", entry),
        can_review=can(current_user, "catalogue.decide", entry),
        can_manage=can(current_user, "catalogue.manage", entry),
        can_comment=can(current_user, "catalogue.comment", entry),
        VersionStatus=VersionStatus,
        EntryStatus=EntryStatus,
    )


# The other pages register their routes on bp (imported last: they import the helpers above).
from . import export_views, review_views  # noqa: E402,F401
