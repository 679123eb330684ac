"""Who may read, propose, change and review catalogue entries.

Approved entries are the public register: every signed-in user reads them. Work in progress (drafts,
versions in review, rejected entries) is seen by the providing organisation and the reviewers only.
Municipalities and the agency propose entries for their own organisation; the ministry reviews.
"""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import gettext

from ..auth.models import Role, User
from ..core.permissions import Filter, rule
from ..directory.models import Organisation
from ..directory.permissions import DEPARTMENT_DEPTH, _own_organisation
from ..extensions import db
from .models import OPEN_REVIEW_STATUSES, CatalogueEntry

REVIEWERS = (Role.MINISTRY, Role.ADMIN)
PROPOSERS = (Role.MUNICIPALITY, Role.MINISTRY, Role.ADMIN)


def is_reviewer(user: User) -> bool:
    return user.has_role(*REVIEWERS)


def user_organisation_ids(user: User) -> list[int]:
    """The user's organisation and its departments: the providers it speaks for."""
    if user.organisation_id is None:
        return []
    ids = [user.organisation_id]
    frontier = [user.organisation_id]
    for _ in range(DEPARTMENT_DEPTH - 1):  # the levels below, as far as the rule walks up
        children = db.session.scalars(
            sa.select(Organisation.id).where(Organisation.parent_id.in_(frontier))
        ).all()
        frontier = [c for c in children if c not in ids]
        if not frontier:
            break
        ids += frontier
    return ids


def proposing_for(user: User) -> list[int]:
    """The providers whose entries the user proposes and whose drafts it sees: its own
    organisation and departments, for a proposing role; none otherwise."""
    return user_organisation_ids(user) if user.has_role(*PROPOSERS) else []


def _drafts_scope(user: User) -> tuple[int, ...] | None:
    """Whose work in progress this user sees: None for every entry's (reviewers), else the
    providers it speaks for (empty: nobody's, only approved versions)."""
    if is_reviewer(user):
        return None
    return tuple(proposing_for(user))


def _sees_drafts_of(scope: tuple[int, ...] | None) -> sa.ColumnElement[bool]:
    """catalogue.view_drafts as SQL."""
    if scope is None:
        return sa.true()
    if not scope:
        return sa.false()
    return CatalogueEntry.provider_id.in_(scope)


def _visible_entries(scope: tuple[int, ...] | None) -> sa.ColumnElement[bool]:
    """catalogue.view as SQL: approved once, or its work in progress is the user's to see."""
    if scope is None:
        return sa.true()
    return sa.or_(CatalogueEntry.approved_number.is_not(None), _sees_drafts_of(scope))


def speaks_for_provider(user: User, entry) -> bool:
    """The user acts for the entry's providing organisation (or one of its parents)."""
    return user.has_role(*PROPOSERS) and _own_organisation(user, entry.provider)


def sees_work_in_progress(user: User, entry) -> bool:
    return is_reviewer(user) or speaks_for_provider(user, entry)


@rule("catalogue.view", where=Filter(_drafts_scope, _visible_entries))
def view_catalogue(user: User, entry) -> bool:
    if entry is None:
        return True
    return entry.approved_number is not None or sees_work_in_progress(user, entry)


@rule("catalogue.view_drafts", where=Filter(_drafts_scope, _sees_drafts_of))
def view_drafts(user: User, entry) -> bool:
    return entry is not None and sees_work_in_progress(user, entry)


@rule("catalogue.create")
def create_entry(user: User, provider) -> bool:
    if user.has_role(Role.ADMIN, Role.MINISTRY):
        return True
    if not user.has_role(Role.MUNICIPALITY) or user.organisation_id is None:
        return False
    return provider is None or _own_organisation(user, provider)


@rule("catalogue.edit")
def edit_entry(user: User, entry) -> bool:
    from .models import EntryStatus

    if entry is None or entry.status == EntryStatus.RETIRED:
        return False
    return speaks_for_provider(user, entry) or user.has_role(Role.ADMIN)


@rule("catalogue.submit")
def submit_entry(user: User, entry) -> bool:
    return edit_entry(user, entry)


def submission_refusal(entry) -> str | None:
    """Why the entry's working version cannot be submitted now, or None when it can (the page
    offers the button and the workflow refuses by this one rule)."""
    if not entry.latest_version.is_editable:
        return gettext("Only a draft or a version with requested changes can be submitted.")
    return None


@rule("catalogue.submit_version")
def submit_version(user: User, entry) -> bool:
    """catalogue.submit, now: the working version is a draft or has changes requested."""
    return submit_entry(user, entry) and submission_refusal(entry) is None


def review_refusal(entry) -> str | None:
    """Why there is nothing to decide on the entry now, or None when a version waits."""
    if entry.latest_version.status not in OPEN_REVIEW_STATUSES:
        return gettext("This entry has no version waiting for review.")
    return None


@rule("catalogue.decide")
def decide(user: User, entry) -> bool:
    """catalogue.review of the version waiting for review, now."""
    return review_refusal(entry) is None and review_entries(user, entry.latest_version)


# ---------------------------------------------------------------- approving personal data
#
# The decision (issue 12): approving a version with personal data (pseudonymised, personal or
# special categories) whose DPIA (Datenschutz-Folgenabschätzung, DSFA) is not completed is
#
# - REFUSED when the version says a DPIA is needed. Art. 35(1) GDPR requires the DPIA *before*
#   the processing, and approval puts the exchange in force (the register, the data-flow map, the
#   DCAT export): the ministry would authorise a transfer the law does not yet allow. No
#   justification can cure that, so none is asked for; the reviewer requests changes, and the
#   provider resubmits once the DPIA is completed (with its date and outcome).
# - ALLOWED ONLY WITH AN EXPLICIT CONFIRMATION AND A RECORDED JUSTIFICATION when the version says
#   no DPIA is needed. Whether a DPIA is needed is a judgement (Art. 35(1), (3) and (10) GDPR, the
#   DSK list of processing that always needs one): the reviewer may share the provider's view,
#   but must say why (e.g. "Schwellwertanalyse vom ...: kein hohes Risiko" or "Art. 35 Abs. 10
#   DSGVO"), so that nobody approves personal data by a click and the record shows who judged
#   and why. The justification is stored on the version (approval_justification), shown in the
#   entry's history and, like every change, in the audit log.


def dpia_outstanding(version) -> bool:
    """The version has personal data (by its level or a data item) and no completed DPIA."""
    return version.has_personal_data and version.dpia_completed_on is None


def approval_refusal(version) -> str | None:
    """Why the version cannot be approved whatever the reviewer says, or None (see above)."""
    if dpia_outstanding(version) and version.dpia_required:
        return gettext(
            "This version has personal data and needs a DPIA, which is not completed. It cannot "
            "be approved before the DPIA is completed (Art. 35(1) GDPR): please request changes "
            "so that the provider records the completed DPIA with its date and outcome."
        )
    return None


def approval_needs_justification(version) -> bool:
    """Approval is possible only with an explicit confirmation and a recorded justification:
    personal data, no DPIA completed, and the version says none is needed (see above)."""
    return dpia_outstanding(version) and approval_refusal(version) is None


@rule("catalogue.review")
def review_entries(user: User, version) -> bool:
    """Reviewers decide; nobody decides on a version they submitted themselves (four eyes)."""
    if not is_reviewer(user):
        return False
    if version is None:
        return True
    return version.submitted_by_id != user.id


@rule("catalogue.manage")
def manage_entry(user: User, entry) -> bool:
    """Suspend, reinstate or retire an approved entry."""
    return is_reviewer(user)


@rule("catalogue.comment")
def comment_on_entry(user: User, entry) -> bool:
    return entry is not None and sees_work_in_progress(user, entry)


@rule("catalogue.export")
def export_catalogue(user: User, _obj) -> bool:
    return True


@rule("catalogue.import")
def import_entries(user: User, _obj) -> bool:
    return create_entry(user, None)


@rule("catalogue.import_staged")
def import_staged_file(user: User, staged) -> bool:
    """A file kept for the confirmation of an import: only the user who uploaded it."""
    return staged is not None and staged.user_id == user.id and import_entries(user, None)
