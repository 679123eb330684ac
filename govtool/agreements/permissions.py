"""Who may read, draft, sign and administer agreements.

Ministry, secretariat and admins see every agreement. A municipality (or a member) sees only
agreements its organisation drafted or is a party to, so other organisations' drafts stay hidden.
Only the drafting organisation (or ministry/secretariat/admin) edits; only a party's own signatory
signs for that party, and only they withdraw that signature, until every party has signed.

A support agency (Begleitagentur, role AGENCY, e.g. TransMit) sees only the agreements its
organisation is party to (or drafted), comments on them, and signs the target agreements
(Zielvereinbarungen) it is party to; it drafts nothing.

Versions (Fassungen) and their states, as the rules below say them:
- A draft nobody has commented on is changed in place.
- A text that went out (sent for consultation, "In Abstimmung", or for signature) or that someone
  commented on is never changed again: its text, its DOCX as sent and its comments stay together.
  Editing it starts the next version as a draft (`edit_starts_new_version`); only the newest
  version is edited or sent out.
- While the next version is drafted, the consultation of the earlier one goes on (its parties may
  still comment on it, the agreement stays "In Abstimmung"); sending the new version out closes
  it (REVISED). A text sent for signature that nobody has signed yet is closed at once by the
  edit: nobody should sign a text its drafters are replacing.
- An amendment (Änderungsfassung) may be drafted once any party has signed the newest version,
  not only once it is in force. The signatures already given stay valid and the other parties may
  still sign that version (it then enters into force and the amendment changes it) until the
  amendment itself is sent for signature: then the earlier version's open signing ends (REVISED),
  since two texts must never wait for signatures at once; its signatures stay on record.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..auth.models import Role, User
from ..core.permissions import Filter, rule
from ..extensions import db
from .models import (
    EDITABLE_VERSION_STATUSES,
    SENT_VERSION_STATUSES,
    Agreement,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    AgreementVersion,
    VersionStatus,
)

OVERSEERS = (Role.ADMIN, Role.MINISTRY, Role.SECRETARY)
DRAFTERS = (*OVERSEERS, Role.MUNICIPALITY)
SIGNING_ROLES = (Role.MUNICIPALITY, Role.MINISTRY)
# What a support agency signs for its organisation: the target agreements it is party to.
AGENCY_SIGNS = (AgreementKind.TARGET,)


def _org_chain(organisation) -> set[int]:
    """The organisation and its parents (a department acts within its ministry)."""
    ids, node = set(), organisation
    for _ in range(10):
        if node is None:
            break
        ids.add(node.id)
        node = node.parent
    return ids


def _parties_loaded(agreement) -> bool:
    state = sa.inspect(agreement)
    if not state.persistent:
        return True  # new or detached: what is in memory is all there is
    if "versions" in state.unloaded:
        return False
    return all("parties" not in sa.inspect(v).unloaded for v in agreement.versions)


def is_party(user: User, agreement) -> bool:
    """True when the user's organisation is a party to any version of the agreement: read from
    the loaded parties, else asked in one query (the detail page loads one version's parties)."""
    if user.organisation_id is None:
        return False
    if _parties_loaded(agreement):
        return any(
            p.organisation_id == user.organisation_id for v in agreement.versions for p in v.parties
        )
    return bool(
        db.session.scalar(
            sa.select(
                sa.exists()
                .where(AgreementParty.version_id == AgreementVersion.id)
                .where(AgreementVersion.agreement_id == agreement.id)
                .where(AgreementParty.organisation_id == user.organisation_id)
            )
        )
    )


def is_owner(user: User, agreement) -> bool:
    return user.organisation_id is not None and agreement.owner_organisation_id == (
        user.organisation_id
    )


@rule("agreement.list")
def list_agreements(user: User, _obj) -> bool:
    return True


def is_overseer(user: User) -> bool:
    """Ministry, secretariat and admins see and manage every agreement and draft for anyone."""
    return user.has_role(*OVERSEERS)


def _view_scope(user: User) -> int | str:
    """What the agreements a user may see depend on: "all" (overseers), "none" (no
    organisation), else the organisation's id. (Strings, not True/False: as a cache key True
    would equal the organisation id 1.)"""
    if is_overseer(user):
        return "all"
    if user.organisation_id is None:
        return "none"
    return user.organisation_id


def _visible_agreements(scope: int | str) -> sa.ColumnElement[bool]:
    """agreement.view as SQL: owned by the organisation, or the organisation is a party."""
    if scope == "all":
        return sa.true()
    if scope == "none":
        return sa.false()
    party_of = (
        sa.select(AgreementVersion.agreement_id)
        .join(AgreementParty, AgreementParty.version_id == AgreementVersion.id)
        .where(AgreementParty.organisation_id == scope)
    )
    return sa.or_(Agreement.owner_organisation_id == scope, Agreement.id.in_(party_of))


@rule("agreement.view", where=Filter(_view_scope, _visible_agreements))
def view_agreement(user: User, agreement) -> bool:
    if is_overseer(user):
        return True
    return is_owner(user, agreement) or is_party(user, agreement)


def _involvement_scope(user: User) -> int | str:
    return user.organisation_id if user.organisation_id is not None else "none"


@rule("agreement.involved", where=Filter(_involvement_scope, _visible_agreements))
def involved_in_agreement(user: User, agreement) -> bool:
    """The user's organisation drafted the agreement or is a party to it: what the dashboard
    counts as the user's own (an overseer sees more, but is not involved in all of it)."""
    return is_owner(user, agreement) or is_party(user, agreement)


@rule("agreement.create")
def create_agreement(user: User, _obj) -> bool:
    if user.has_role(*OVERSEERS):
        return True
    return user.has_role(Role.MUNICIPALITY) and user.organisation_id is not None


def _manages(user: User, agreement) -> bool:
    if user.has_role(*OVERSEERS):
        return True
    return user.has_role(Role.MUNICIPALITY) and is_owner(user, agreement)


def is_latest(version) -> bool:
    """The newest version of its agreement: the only one that is edited or sent out."""
    return version.agreement.latest_version is version


def edit_starts_new_version(version) -> bool:
    """An edit of this version keeps it as it is and starts the next one: its text went out
    (consultation or signature) or someone commented on it."""
    return version.status is not VersionStatus.DRAFT or bool(version.comments)


@rule("agreement.edit")
def edit_version(user: User, version) -> bool:
    """Change the newest version's text until the first signature: in place while it is an
    uncommented draft, else by starting the next version (edit_starts_new_version)."""
    return _manages(user, version.agreement) and version.is_editable and is_latest(version)


@rule("agreement.submit")
def submit_version(user: User, version) -> bool:
    """Send the newest version for consultation (a draft) or for signature (a draft or a text in
    consultation)."""
    return (
        _manages(user, version.agreement)
        and version.status in EDITABLE_VERSION_STATUSES
        and is_latest(version)
    )


COMMENTABLE_STATUSES = (VersionStatus.DRAFT, *SENT_VERSION_STATUSES)


@rule("agreement.comment")
def comment_version(user: User, version) -> bool:
    """Comment on a draft, a text in consultation or one awaiting signatures: the comment stays
    with that version (an edit after it starts the next version), not on a replaced one."""
    return view_agreement(user, version.agreement) and version.status in COMMENTABLE_STATUSES


def _signs_for(user: User, organisation_id: int | None, agreement) -> bool:
    """The user may sign for this organisation on this agreement: a user of it (or of a
    department of it) with a signing role, or a support agency's user on a target agreement."""
    if user.organisation is None or organisation_id not in _org_chain(user.organisation):
        return False
    if user.has_role(*SIGNING_ROLES):
        return True
    return user.has_role(Role.AGENCY) and agreement.kind in AGENCY_SIGNS


@rule("agreement.sign")
def sign_for_party(user: User, party) -> bool:
    """A user of the party's organisation (or a department of it) with a signing role, or a
    support agency's user on a target agreement, while the version awaits signatures."""
    if party.version.status is not VersionStatus.AWAITING_SIGNATURES:
        return False
    return _signs_for(user, party.organisation_id, party.version.agreement)


def is_authorised_signatory(user: User, party) -> bool:
    """The user is the person the party names as its authorised signatory; anyone else who
    signs for the party says in which capacity (i. V. / i. A.)."""
    return party.signatory_person_id is not None and user.person_id == party.signatory_person_id


def signing_candidates_condition(user: User) -> sa.ColumnElement[bool] | None:
    """SQL narrowing the parties `user` may sign for (organisation and kind, as in
    agreement.sign), or None when the user signs for no one. The list checks the rule itself on
    each row; this keeps the query to the few rows that can pass."""
    if user.organisation is None or not user.has_role(*SIGNING_ROLES, Role.AGENCY):
        return None
    condition: sa.ColumnElement[bool] = AgreementParty.organisation_id.in_(
        sorted(_org_chain(user.organisation))
    )
    if not user.has_role(*SIGNING_ROLES):
        condition = sa.and_(condition, Agreement.kind.in_(AGENCY_SIGNS))
    return condition


def may_withdraw_signature(user: User, signature) -> bool:
    """A party withdraws only its own signature: the user may sign for the signing organisation
    (the rule of agreement.sign), and only while the version awaits signatures. Once every
    party has signed, the agreement is changed by an amendment or ended by termination."""
    if signature.withdrawn_at is not None:
        return False
    if signature.version.status is not VersionStatus.AWAITING_SIGNATURES:
        return False
    return _signs_for(user, signature.organisation_id, signature.version.agreement)


@rule("agreement.withdraw_signatures")
def withdraw_signatures(user: User, version) -> bool:
    """The user may withdraw at least one signature of the version: their party's own."""
    return any(may_withdraw_signature(user, s) for s in version.active_signatures)


ENDED_STATUSES = (AgreementStatus.EXPIRED, AgreementStatus.TERMINATED)


def has_signature(version) -> bool:
    """Signed by every party, or by at least one party so far."""
    return version.status is VersionStatus.SIGNED or (
        version.status is VersionStatus.AWAITING_SIGNATURES and bool(version.active_signatures)
    )


@rule("agreement.amend")
def amend_agreement(user: User, agreement) -> bool:
    """Draft an amendment of the newest version once any party has signed it, unless the
    agreement has ended (an ended agreement is followed by a new one, not amended). While an
    amendment is open (the newest version is unsigned) it is edited instead."""
    return (
        _manages(user, agreement)
        and agreement.status not in ENDED_STATUSES
        and has_signature(agreement.latest_version)
    )


@rule("agreement.terminate")
def terminate_agreement(user: User, agreement) -> bool:
    return _manages(user, agreement) and agreement.status is AgreementStatus.IN_FORCE


@rule("agreement.attach")
def attach_file(user: User, agreement) -> bool:
    return _manages(user, agreement) or is_party(user, agreement)


@rule("agreement.verify")
def verify_document(user: User, _obj) -> bool:
    return True


@rule("agreement_template.view")
def view_templates(user: User, _obj) -> bool:
    return user.has_role(*DRAFTERS)


@rule("agreement_template.manage")
def manage_templates(user: User, _obj) -> bool:
    return user.has_role(Role.ADMIN)
