"""Regions, organisations (with departments as child organisations) and people."""

from __future__ import annotations

import datetime as dt
import enum

import sqlalchemy as sa
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import Audited, TimestampMixin, UTCDateTime, enum_type
from ..extensions import Model


class OrganisationKind(enum.Enum):
    MINISTRY = "ministry"
    STATE_OFFICE = "state_office"
    MUNICIPALITY = "municipality"
    DISTRICT = "district"
    AGENCY = "agency"
    SCHOOL = "school"
    ASSOCIATION = "association"
    OTHER = "other"

    @property
    def label(self) -> str:
        return str(ORGANISATION_KIND_LABELS[self])


ORGANISATION_KIND_LABELS = {
    OrganisationKind.MINISTRY: _l("Ministry"),
    OrganisationKind.STATE_OFFICE: _l("State office"),
    OrganisationKind.MUNICIPALITY: _l("Municipality"),
    OrganisationKind.DISTRICT: _l("District"),
    OrganisationKind.AGENCY: _l("Agency"),
    OrganisationKind.SCHOOL: _l("School"),
    OrganisationKind.ASSOCIATION: _l("Association"),
    OrganisationKind.OTHER: _l("Other"),
}


class Region(Audited, TimestampMixin, Model):
    """A region organisations belong to (e.g. Saxony's Mitte Nord); state as ISO 3166-2 code."""

    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(120), unique=True)
    state_code: Mapped[str] = mapped_column(sa.String(2), default="")  # e.g. SN, ST (holidays)

    @property
    def audit_label(self) -> str:
        return self.name

    def __str__(self) -> str:
        return self.name


class Organisation(Audited, TimestampMixin, Model):
    """A public body or partner; departments (e.g. Referat 34) are children of their ministry."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), index=True)
    short_name: Mapped[str] = mapped_column(sa.String(40), unique=True)
    kind: Mapped[OrganisationKind] = mapped_column(enum_type(OrganisationKind), index=True)
    parent_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisations.id"), index=True)
    region_id: Mapped[int | None] = mapped_column(sa.ForeignKey("regions.id"), index=True)
    street: Mapped[str] = mapped_column(sa.String(200), default="")
    postal_code: Mapped[str] = mapped_column(sa.String(10), default="")
    city: Mapped[str] = mapped_column(sa.String(100), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="")
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    website: Mapped[str] = mapped_column(sa.String(300), default="")
    contact_person_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("people.id", use_alter=True), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True, index=True)

    parent: Mapped[Organisation | None] = relationship(
        remote_side="Organisation.id", back_populates="children"
    )
    children: Mapped[list[Organisation]] = relationship(
        back_populates="parent", order_by="Organisation.name"
    )
    region: Mapped[Region | None] = relationship()
    contact_person: Mapped[Person | None] = relationship(foreign_keys=[contact_person_id])
    people: Mapped[list[Person]] = relationship(
        back_populates="organisation",
        foreign_keys="Person.organisation_id",
        order_by="(Person.last_name, Person.first_name)",
    )

    @property
    def audit_label(self) -> str:
        return self.name

    @property
    def address(self) -> str:
        place = " ".join(p for p in (self.postal_code, self.city) if p)
        return ", ".join(p for p in (self.street, place) if p)

    def __str__(self) -> str:
        return self.name


def list_label(last_name: str, first_name: str) -> str:
    """ "Last, First" for choice lists read as rows; an erased person has only a last name (the
    placeholder), so no dangling comma."""
    return ", ".join(part for part in (last_name, first_name) if part)


class Person(Audited, TimestampMixin, Model):
    """A person who works with govtool's bodies and agreements; not necessarily a user."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(sa.String(40), default="")
    first_name: Mapped[str] = mapped_column(sa.String(100))
    last_name: Mapped[str] = mapped_column(sa.String(100), index=True)
    function: Mapped[str] = mapped_column(sa.String(200), default="")
    email: Mapped[str] = mapped_column(sa.String(254), default="", index=True)
    phone: Mapped[str] = mapped_column(sa.String(40), default="")
    organisation_id: Mapped[int | None] = mapped_column(
        sa.ForeignKey("organisations.id"), index=True
    )
    is_active: Mapped[bool] = mapped_column(default=True, index=True)
    # Set when the person's data was erased (Art. 17 GDPR); the row stays for the records.
    erased_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime())

    organisation: Mapped[Organisation | None] = relationship(
        back_populates="people", foreign_keys=[organisation_id]
    )

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None

    @property
    def full_name(self) -> str:
        if self.erased_at is not None:
            # Minutes, memberships and agreements still name someone, without personal data.
            return gettext("Erased person %(id)s", id=self.id)
        return " ".join(p for p in (self.title, self.first_name, self.last_name) if p)

    @property
    def list_name(self) -> str:
        """ "Last, First" for lists; the placeholder for an erased person."""
        if self.erased_at is not None:
            return self.full_name
        return f"{self.last_name}, {self.first_name}"

    @property
    def audit_label(self) -> str:
        return self.full_name

    def __str__(self) -> str:
        return self.full_name
