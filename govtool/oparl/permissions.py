"""What OParl publishes: the public part of the bodies, to anyone, without signing in.

OParl is read-only and anonymous, so it publishes less than a signed-in user sees:

- Body: each top-level Gremium stands for one cooperation (in the demo the Begleitgremium
  "Kooperation im kommunalen Bildungsmanagement" with its working groups); its LegislativeTerm is
  the Gremium's start and end date. Organization: that Gremium and every body below it
  (organizationType "Gremium"), plus the member organisations people sit for (`onBehalfOf`) and
  that submit papers (organizationType "Institution"), with name and kind only.
- Meetings: all of them (a meeting's date, place and state are public in govtool); agenda items
  only where `is_public`; results and resolution texts only once the minutes are approved
  (`minutes_approved`): draft and circulated minutes are internal and never leave.
- Papers: only of public agenda items (reference, title, type, submitting organisation).
- Files: only the files of public agenda items that are not a paper's file (the rule of
  bodies' `meeting_file.view` for everyone: a paper's file is for the body's members).
- Documents: the generated invitation and minutes (DOCX) are published as `invitation` (once the
  invitations went out) and `resultsProtocol` (once the minutes are approved) in their public
  version (bodies/documents.py, `public=True`): public items only, the office's functional
  contact instead of the secretary's own e-mail and phone, no video link, no action items or
  amendments beyond the public items. The meeting's video link is internal.
- People: a person who is a member of a published Gremium is published with name and
  memberships (role, voting right, organisation) only: never e-mail, phone, function or address,
  whatever they agreed to elsewhere. An erased person keeps only the placeholder name.
- Deleted objects: govtool deletes rows for real (agenda items on the agenda page; meetings
  and memberships with their body), so tombstones.py derives `deleted: true` objects from the
  audit log, for objects that were public by the rules below when they were deleted.

Every query of published objects goes through the filters below, so a list and an object page
cannot disagree.
"""

from __future__ import annotations

import sqlalchemy as sa

from ..bodies.agenda_models import AgendaItem, Paper, StoredFile
from ..bodies.models import Meeting, MeetingStatus

PUBLIC_ITEM = AgendaItem.is_public.is_(True)
PUBLIC_FILE = sa.and_(
    StoredFile.paper_id.is_(None),
    StoredFile.agenda_item_id.in_(sa.select(AgendaItem.id).where(PUBLIC_ITEM)),
)
PUBLIC_PAPER = Paper.agenda_item_id.in_(sa.select(AgendaItem.id).where(PUBLIC_ITEM))


def item_is_public(item: AgendaItem) -> bool:
    return bool(item.is_public)


def file_is_public(stored: StoredFile) -> bool:
    return (
        stored.paper_id is None
        and stored.agenda_item is not None
        and item_is_public(stored.agenda_item)
    )


def paper_is_public(paper: Paper) -> bool:
    return item_is_public(paper.agenda_item)


def results_are_public(meeting: Meeting) -> bool:
    """Results and resolutions are part of the minutes: public once these are approved."""
    return meeting.status is MeetingStatus.MINUTES_APPROVED


def invitation_is_public(meeting: Meeting) -> bool:
    """The public invitation: once the invitations went out."""
    return meeting.invitation_sent_at is not None


def protocol_is_public(meeting: Meeting) -> bool:
    """The public minutes: once approved (drafts and circulated minutes are internal)."""
    return results_are_public(meeting)
