"""What the API returns: marshmallow schemas (documented as OpenAPI 3.1 by apispec)."""

from __future__ import annotations

from types import SimpleNamespace

from marshmallow import Schema, fields, pre_dump, validate

from ..agreements.models import AgreementKind, AgreementStatus, PartyRole, VersionStatus
from ..bodies.agenda_models import ItemKind
from ..bodies.minutes_models import ActionStatus, Presence
from ..bodies.models import BodyKind, MeetingKind, MeetingStatus
from ..catalogue.models import EntryStatus
from ..catalogue.models import VersionStatus as CatalogueVersionStatus
from ..directory.models import OrganisationKind


class ProblemSchema(Schema):
    """RFC 9457 problem details."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String(required=True)
    error = fields.String(required=True)
    message = fields.String(required=True)
    field = fields.String()
    errors = fields.Dict()


class OrganisationSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    kind = fields.Enum(OrganisationKind, by_value=True, required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    street = fields.String()
    postal_code = fields.String()
    city = fields.String()
    email = fields.String(metadata={"description": "the organisation's office mailbox"})
    website = fields.String()
    is_active = fields.Boolean(required=True)


# What an erased person (Art. 17 GDPR) shows besides the placeholder name: nothing.
ERASED_BLANKS = {
    "title": "",
    "first_name": "",
    "last_name": "",
    "function": "",
    "email": "",
    "phone": "",
}


class PersonSchema(Schema):
    """A person as the directory's pages show them; an erased person as the placeholder."""

    id = fields.Integer(required=True)
    name = fields.String(
        required=True,
        attribute="full_name",
        metadata={"description": 'the full name; "Erased person <id>" once erased'},
    )
    title = fields.String(required=True)
    first_name = fields.String(required=True)
    last_name = fields.String(required=True)
    function = fields.String(required=True)
    organisation_id = fields.Integer(allow_none=True, required=True)
    email = fields.String(required=True)
    phone = fields.String(required=True)
    is_active = fields.Boolean(required=True)
    erased_at = fields.AwareDateTime(
        allow_none=True,
        required=True,
        metadata={"description": "when the person's data was erased (Art. 17 GDPR)"},
    )

    @pre_dump
    def _placeholder_when_erased(self, person, **_kwargs):
        """Whatever an erased person's row still holds (the last name keeps the placeholder for
        pages that read columns) is not given out."""
        if person.erased_at is None:
            return person
        return SimpleNamespace(
            id=person.id,
            full_name=person.full_name,
            organisation_id=person.organisation_id,
            is_active=person.is_active,
            erased_at=person.erased_at,
            **ERASED_BLANKS,
        )


class BodySchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    short_name = fields.String(required=True)
    kind = fields.Enum(BodyKind, by_value=True, required=True)
    parent_id = fields.Integer(allow_none=True, required=True)
    organisation_id = fields.Integer(allow_none=True, required=True)
    purpose = fields.String()
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)


class MeetingSchema(Schema):
    id = fields.Integer(required=True)
    body_id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    title = fields.String(required=True)
    start_at = fields.AwareDateTime(required=True)
    end_at = fields.AwareDateTime(required=True)
    location = fields.String()
    kind = fields.Enum(MeetingKind, by_value=True, required=True)
    status = fields.Enum(MeetingStatus, by_value=True, required=True)
    cancel_reason = fields.String()


class AgendaItemSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    position = fields.Integer(required=True)
    parent_id = fields.Integer(allow_none=True)
    kind = fields.Enum(ItemKind, by_value=True, required=True)
    title = fields.String(required=True)
    is_public = fields.Boolean(required=True)
    decision = fields.String(
        attribute="result", metadata={"description": "the result or decision recorded"}
    )


class MeetingDetailSchema(MeetingSchema):
    agenda = fields.List(
        fields.Nested(AgendaItemSchema),
        required=True,
        metadata={"description": "the items the caller may see (non-public ones for members)"},
    )


class AgreementSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.String(required=True)
    title = fields.String(required=True)
    kind = fields.Enum(AgreementKind, by_value=True, required=True)
    status = fields.Enum(AgreementStatus, by_value=True, required=True)
    owner_organisation_id = fields.Integer(allow_none=True, required=True)


class SignatureSchema(Schema):
    organisation_id = fields.Integer(required=True)
    party_id = fields.Integer(allow_none=True)
    signer_name = fields.String()
    signed_at = fields.AwareDateTime(required=True)
    withdrawn_at = fields.AwareDateTime(allow_none=True)


class PartySchema(Schema):
    organisation_id = fields.Integer(required=True)
    role = fields.Enum(PartyRole, by_value=True, required=True)
    signatory_name = fields.String()


class AgreementVersionSchema(Schema):
    number = fields.Integer(required=True)
    status = fields.Enum(VersionStatus, by_value=True, required=True)
    title = fields.String(required=True)
    start_date = fields.Date(allow_none=True)
    end_date = fields.Date(allow_none=True)
    signatures_requested_at = fields.AwareDateTime(allow_none=True)
    parties = fields.List(fields.Nested(PartySchema), required=True)
    signatures = fields.List(fields.Nested(SignatureSchema), required=True)


class AgreementDetailSchema(AgreementSchema):
    versions = fields.List(fields.Nested(AgreementVersionSchema), required=True)


class CatalogueEntrySchema(Schema):
    id = fields.Integer(required=True, attribute="entry.id")
    identifier = fields.String(required=True, attribute="entry.identifier")
    provider_id = fields.Integer(required=True, attribute="entry.provider_id")
    entry_status = fields.Enum(EntryStatus, by_value=True, required=True, attribute="entry.status")
    version = fields.Integer(required=True, attribute="number")
    version_status = fields.Enum(
        CatalogueVersionStatus, by_value=True, required=True, attribute="status"
    )
    title = fields.String(required=True)
    description = fields.String()
    purpose = fields.String()


class ActionItemSchema(Schema):
    id = fields.Integer(required=True)
    body_id = fields.Integer(required=True)
    meeting_id = fields.Integer(required=True)
    agenda_item_id = fields.Integer(allow_none=True)
    task = fields.String(required=True)
    responsible_person_id = fields.Integer(allow_none=True)
    responsible_organisation_id = fields.Integer(allow_none=True)
    due_date = fields.Date(allow_none=True)
    status = fields.Enum(ActionStatus, by_value=True, required=True)
    closed_at = fields.AwareDateTime(allow_none=True)


class ActionStatusInput(Schema):
    status = fields.Enum(ActionStatus, by_value=True, required=True)


class CatalogueEntryInput(Schema):
    """A new catalogue entry (a draft of the caller's organisation or one it speaks for)."""

    title = fields.String(required=True, validate=validate.Length(min=1, max=300))
    description = fields.String(validate=validate.Length(max=20000))
    purpose = fields.String(validate=validate.Length(max=20000))
    provider_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    identifier = fields.String(validate=validate.Length(max=40))


class SubmitInput(Schema):
    comment = fields.String(load_default="", validate=validate.Length(max=5000))


class ParticipantSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    organisation_name = fields.String()
    is_guest = fields.Boolean(required=True)
    has_voting_right = fields.Boolean(required=True)
    presence = fields.Enum(Presence, by_value=True, required=True)
    represented_by = fields.String()


class AttendanceEntryInput(Schema):
    participant_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    presence = fields.Enum(Presence, by_value=True, required=True)
    represented_by = fields.String(load_default="", validate=validate.Length(max=200))


class AttendanceInput(Schema):
    entries = fields.List(
        fields.Nested(AttendanceEntryInput), required=True, validate=validate.Length(max=500)
    )
