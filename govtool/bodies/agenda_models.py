"""Agenda items (TOP), papers (Vorlagen) and uploaded files (OParl AgendaItem, Paper, File)."""

from __future__ import annotations

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.locking import Versioned
from ..core.models import Audited, TimestampMixin, enum_type
from ..extensions import Model
from .models import LABELS, LabelledEnum


class ItemKind(LabelledEnum):
    """Standing items every agenda starts with; the open-actions item lists open action items."""

    OPENING = "opening"
    AGENDA_APPROVAL = "agenda_approval"
    PREVIOUS_MINUTES = "previous_minutes"
    OPEN_ACTIONS = "open_actions"
    TOPIC = "topic"
    AOB = "aob"


class PaperType(LabelledEnum):
    REPORT = "report"
    PROPOSAL = "proposal"
    OTHER = "other"


LABELS.update(
    {
        ItemKind.OPENING: _l("Opening and quorum"),
        ItemKind.AGENDA_APPROVAL: _l("Approval of the agenda"),
        ItemKind.PREVIOUS_MINUTES: _l("Approval of the previous minutes"),
        ItemKind.OPEN_ACTIONS: _l("Report on open action items"),
        ItemKind.TOPIC: _l("Topic"),
        ItemKind.AOB: _l("Any other business"),
        PaperType.REPORT: _l("Report"),
        PaperType.PROPOSAL: _l("Proposal"),
        PaperType.OTHER: _l("Other paper"),
    }
)


class AgendaItem(Versioned, Audited, TimestampMixin, Model):
    """A TOP: numbered 1, 2, 2.1 from its position and parent; carries the minutes of the item."""

    __tablename__ = "agenda_items"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    position: Mapped[int] = mapped_column(default=0)  # order within the whole agenda
    number: Mapped[str] = mapped_column(sa.String(10), default="")  # "2.1", set by renumbering
    kind: Mapped[ItemKind] = mapped_column(enum_type(ItemKind), default=ItemKind.TOPIC)
    title: Mapped[str] = mapped_column(sa.String(300))
    description: Mapped[str] = mapped_column(sa.Text, default="")  # Markdown, sanitised on display
    presenter: Mapped[str] = mapped_column(sa.String(200), default="")
    planned_minutes: Mapped[int | None] = mapped_column()
    is_public: Mapped[bool] = mapped_column(default=True)
    # Minutes of this item: notes (Markdown) and result, with a counter for optimistic locking.
    notes: Mapped[str] = mapped_column(sa.Text, default="")
    result: Mapped[str] = mapped_column(sa.Text, default="")
    minutes_version: Mapped[int] = mapped_column(default=0)

    meeting = relationship("Meeting", back_populates="agenda_items")
    parent: Mapped[AgendaItem | None] = relationship(remote_side="AgendaItem.id")
    files: Mapped[list[StoredFile]] = relationship(
        back_populates="agenda_item", order_by="StoredFile.id"
    )
    papers: Mapped[list[Paper]] = relationship(
        back_populates="agenda_item", order_by="Paper.id", cascade="all, delete-orphan"
    )

    @property
    def audit_label(self) -> str:
        return f"TOP {self.number} {self.title}"[:200]

    @property
    def label(self) -> str:
        return f"TOP {self.number}"


class Paper(Audited, TimestampMixin, Model):
    """A paper (Vorlage) an organisation submits to an agenda item before the papers deadline."""

    __tablename__ = "papers"

    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    reference: Mapped[str] = mapped_column(sa.String(40), unique=True)  # e.g. BG-V-2026/004
    title: Mapped[str] = mapped_column(sa.String(300))
    paper_type: Mapped[PaperType] = mapped_column(enum_type(PaperType), default=PaperType.REPORT)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    agenda_item: Mapped[AgendaItem] = relationship(back_populates="papers")
    organisation = relationship("Organisation")
    files: Mapped[list[StoredFile]] = relationship(back_populates="paper")

    @property
    def audit_label(self) -> str:
        return self.reference


class StoredFile(Audited, TimestampMixin, Model):
    """An upload kept in the file store (core/storage.py) under its SHA-256; the original name
    lives only here."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(sa.ForeignKey("meetings.id"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(sa.ForeignKey("agenda_items.id"), index=True)
    paper_id: Mapped[int | None] = mapped_column(sa.ForeignKey("papers.id"), index=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    original_name: Mapped[str] = mapped_column(sa.String(255))
    mime_type: Mapped[str] = mapped_column(sa.String(120))
    size: Mapped[int] = mapped_column()
    uploaded_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"), index=True)

    agenda_item: Mapped[AgendaItem | None] = relationship(back_populates="files")
    paper: Mapped[Paper | None] = relationship(back_populates="files")

    @property
    def audit_label(self) -> str:
        return self.original_name[:200]
