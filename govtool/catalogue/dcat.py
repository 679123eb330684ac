"""DCAT-AP.de 3.0 as JSON-LD: a dcat:Catalog with one dcat:Dataset per approved entry in force.

The context is inline (no remote fetch), IRIs are built from GOVTOOL_BASE_URL so they stay stable
whoever asks. Controlled vocabularies: EU data themes, EU frequencies, EU access rights, EU file
types, the DCAT-AP.de political geocoding levels and licences; telephone numbers as `tel:` IRIs
and the laws a legal basis names as ELI IRIs (dcatap:applicableLegislation), see vocabularies.py.

Two audiences: signed in (GOVTOOL_DCAT_PUBLIC off), the contact point names the entry's contact
person; the public export (GOVTOOL_DCAT_PUBLIC=1, read by anyone) names functional contact points
only: the providing organisation with its office address, mailbox and switchboard from the
directory, never a person's name, e-mail address or phone number.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from ..auth.models import User
from ..core.models import utcnow
from ..core.urls import base_url
from ..directory.models import Organisation, Person
from ..extensions import db
from . import vocabularies
from .models import (
    CatalogueEntry,
    CatalogueVersion,
    EntryStatus,
    Frequency,
    LegalBasis,
    PersonalDataLevel,
    SpatialLevel,
)

EU = "http://publications.europa.eu/resource/authority/"
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "dcatde": "http://dcat-ap.de/def/dcatde/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "dcatap": "http://data.europa.eu/r5r/",
    "eli": "http://data.europa.eu/eli/ontology#",
    # The paging links are links (IRIs), not text.
    **{f"hydra:{link}": {"@type": "@id"} for link in ("first", "previous", "next")},
}
PAGE_SIZE = 100  # datasets per page of the export (hydra:PartialCollectionView, as harvesters page)
FREQUENCIES = {
    Frequency.ONCE: "NEVER",
    Frequency.YEARLY: "ANNUAL",
    Frequency.HALF_YEARLY: "ANNUAL_2",
    Frequency.QUARTERLY: "QUARTERLY",
    Frequency.MONTHLY: "MONTHLY",
    Frequency.ON_REQUEST: "IRREG",
}
GEOCODING_LEVEL = "http://dcat-ap.de/def/politicalGeocoding/Level/"
GEOCODING_LEVELS = {
    SpatialLevel.SCHOOL: "municipality",  # the finest level DCAT-AP.de knows
    SpatialLevel.MUNICIPALITY: "municipality",
    SpatialLevel.DISTRICT: "administrativeDistrict",
    SpatialLevel.STATE: "state",
}
ACCESS_RIGHTS = {
    PersonalDataLevel.NONE: "RESTRICTED",
    PersonalDataLevel.AGGREGATED: "RESTRICTED",
    PersonalDataLevel.PSEUDONYMISED: "NON_PUBLIC",
    PersonalDataLevel.PERSONAL: "NON_PUBLIC",
    PersonalDataLevel.SPECIAL: "NON_PUBLIC",
}
# Exchanges between public bodies are not open data: "other closed licence" of DCAT-AP.de.
LICENCE = "http://dcat-ap.de/def/licenses/other-closed"
CONTRIBUTORS = "http://dcat-ap.de/def/contributors/"


def contributor_iri(configured: str | None) -> str | None:
    """GOVTOOL_DCAT_CONTRIBUTOR_ID as an IRI: a full IRI as given, a bare id of GovData's list
    ("landSachsenAnhalt") under http://dcat-ap.de/def/contributors/; empty: none."""
    value = (configured or "").strip()
    if not value:
        return None
    return value if value.startswith(("http://", "https://")) else CONTRIBUTORS + value


def _base() -> str:
    return base_url()


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "de"}


def _in_force() -> tuple:
    return (
        CatalogueEntry.status == EntryStatus.APPROVED,
        CatalogueVersion.number == CatalogueEntry.approved_number,
    )


def approved_versions(limit: int | None = None, offset: int = 0) -> list[CatalogueVersion]:
    """The versions in force: approved, of entries neither suspended nor retired."""
    query = (
        sa.select(CatalogueVersion)
        .join(CatalogueEntry, CatalogueEntry.id == CatalogueVersion.entry_id)
        .where(*_in_force())
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return list(
        db.session.scalars(
            query.options(
                joinedload(CatalogueVersion.entry).joinedload(CatalogueEntry.provider),
                joinedload(CatalogueVersion.provider_contact),
                selectinload(CatalogueVersion.recipients),
            ).order_by(CatalogueEntry.identifier)
        ).unique()
    )


def approved_count() -> int:
    return db.session.execute(
        sa.select(sa.func.count(CatalogueVersion.id))
        .join(CatalogueEntry, CatalogueEntry.id == CatalogueVersion.entry_id)
        .where(*_in_force())
    ).scalar_one()


def _page_view(page: int, has_next: bool) -> dict[str, Any]:
    """hydra:PartialCollectionView links for one page of the export. There is no hydra:last
    (optional in Hydra): finding it means counting the whole catalogue on every page."""
    url = f"{_base()}/catalogue/dcat.jsonld?page="
    view = {
        "@id": f"{url}{page}",
        "@type": "hydra:PartialCollectionView",
        "hydra:first": f"{url}1",
    }
    if page > 1:
        view["hydra:previous"] = f"{url}{page - 1}"
    if has_next:
        view["hydra:next"] = f"{url}{page + 1}"
    return view


def _iso(value) -> str:
    """A date column read as text: SQLite hands back the ISO string, PostgreSQL a date."""
    return value if isinstance(value, str) else value.isoformat()


@functools.cache
def _export_query(paged: bool) -> sa.Select:
    """The export's one query: exactly the columns the datasets show, with the provider, the
    contact person and the fallbacks for a missing e-mail address joined in. Built once: building
    and hashing a select of 29 columns took longer than running it."""
    entry, version = CatalogueEntry.__table__, CatalogueVersion.__table__
    provider = Organisation.__table__
    contact = Person.__table__.alias("contact")
    provider_contact = Person.__table__.alias("provider_contact")
    author = User.__table__

    def text(column):  # enums and dates as stored: mapped below without per-row conversions
        return sa.type_coerce(column, sa.String)

    query = (
        sa.select(
            entry.c.id,
            entry.c.identifier,
            text(entry.c.issued_on),
            text(entry.c.modified_on),
            version.c.title,
            version.c.description,
            version.c.keywords,
            version.c.theme,
            text(version.c.frequency),
            text(version.c.spatial_level),
            text(version.c.personal_data_level),
            version.c.legal_norm,
            text(version.c.legal_basis),
            version.c.spatial_coverage,
            text(version.c.period_start),
            text(version.c.period_end),
            version.c.data_format,
            provider.c.id,
            provider.c.name,
            provider.c.website,
            provider.c.email,
            provider.c.phone,
            provider.c.street,
            provider.c.postal_code,
            provider.c.city,
            contact.c.id,
            contact.c.title,
            contact.c.first_name,
            contact.c.last_name,
            contact.c.email,
            provider_contact.c.email,
            author.c.email,
        )
        .select_from(entry)
        .join(
            version,
            sa.and_(version.c.entry_id == entry.c.id, version.c.number == entry.c.approved_number),
        )
        .join(provider, provider.c.id == entry.c.provider_id)
        .outerjoin(contact, contact.c.id == version.c.provider_contact_id)
        .outerjoin(provider_contact, provider_contact.c.id == provider.c.contact_person_id)
        .outerjoin(author, author.c.id == entry.c.created_by_id)
        .where(entry.c.status == EntryStatus.APPROVED.value)
        .order_by(entry.c.identifier)
    )
    if paged:
        query = query.limit(sa.bindparam("limit")).offset(sa.bindparam("offset"))
    return query


def _page_rows(limit: int | None, offset: int) -> Sequence[sa.Row[Any]]:
    """The rows of one page (or of the whole catalogue when limit is None), as plain tuples."""
    # the Core connection: the ORM layer of session.execute adds half the time for plain rows
    connection = db.session.connection()
    if limit is None:
        return connection.execute(_export_query(False)).all()
    return connection.execute(_export_query(True), {"limit": limit, "offset": offset}).all()


def _functional_contact(name, email, phone, website, street, postal_code, city) -> dict[str, Any]:
    """The organisation as its own contact point: office address, mailbox, switchboard."""
    contact: dict[str, Any] = {"@type": "vcard:Organization", "vcard:fn": name}
    if email:
        contact["vcard:hasEmail"] = {"@id": f"mailto:{email}"}
    tel = vocabularies.tel_iri(phone)
    if tel:
        contact["vcard:hasTelephone"] = {"@id": tel}
    if website:
        contact["vcard:hasURL"] = {"@id": website}
    if street or postal_code or city:
        address: dict[str, Any] = {"@type": "vcard:Address", "vcard:country-name": "Deutschland"}
        for key, value in (
            ("vcard:street-address", street),
            ("vcard:postal-code", postal_code),
            ("vcard:locality", city),
        ):
            if value:
                address[key] = value
        contact["vcard:hasAddress"] = address
    return contact


def _datasets(
    rows: Sequence[Any], base: str, public: bool = False, contributor: str | None = None
) -> list[dict[str, Any]]:
    """The rows of _page_rows as dcat:Dataset nodes (what dataset() builds from a version)."""
    frequencies = {k.value: f"{EU}frequency/{v}" for k, v in FREQUENCIES.items()}
    levels = {k.value: GEOCODING_LEVEL + v for k, v in GEOCODING_LEVELS.items()}
    rights = {k.value: f"{EU}access-right/{v}" for k, v in ACCESS_RIGHTS.items()}
    legal_labels: dict[str, str] = {}
    publishers: dict[int, dict[str, Any]] = {}
    datasets = []
    for (
        entry_id,
        identifier,
        issued_on,
        modified_on,
        title,
        description,
        keywords,
        theme,
        frequency,
        spatial_level,
        personal_data_level,
        legal_norm,
        legal_basis,
        spatial_coverage,
        period_start,
        period_end,
        data_format,
        provider_id,
        provider_name,
        provider_website,
        provider_email,
        provider_phone,
        provider_street,
        provider_postal_code,
        provider_city,
        person_id,
        person_title,
        person_first,
        person_last,
        person_email,
        fallback_email,
        author_email,
    ) in rows:
        url = f"{base}/catalogue/{entry_id}"
        title_text = {"@value": title, "@language": "de"}
        publisher = publishers.get(provider_id)
        if publisher is None:
            publisher = publishers[provider_id] = {
                "@id": f"{base}/organisations/{provider_id}",
                "@type": "foaf:Organization",
                "foaf:name": {"@value": provider_name, "@language": "de"},
            }
            if provider_website:
                publisher["foaf:homepage"] = {"@id": provider_website}
        contact: dict[str, Any]
        if public:
            contact = _functional_contact(
                provider_name,
                provider_email,
                provider_phone,
                provider_website,
                provider_street,
                provider_postal_code,
                provider_city,
            )
        elif person_id is not None:
            name = " ".join(p for p in (person_title, person_first, person_last) if p)
            contact = {
                "@type": "vcard:Organization",
                "vcard:fn": f"{name}, {provider_name}",
            }
            email = person_email or provider_email
        else:
            contact = {"@type": "vcard:Organization", "vcard:fn": provider_name}
            email = provider_email
        if not public:
            if not email:  # rare: fall back to the provider's contact, then the entry's author
                email = (fallback_email if fallback_email is not None else author_email) or ""
            if email:
                contact["vcard:hasEmail"] = {"@id": f"mailto:{email}"}
            tel = vocabularies.tel_iri(provider_phone)
            if tel:
                contact["vcard:hasTelephone"] = {"@id": tel}
        legislation = vocabularies.legislation_iris(legal_basis, legal_norm)
        if not legal_norm:
            legal_norm = legal_labels.get(legal_basis)
            if legal_norm is None:
                legal_norm = legal_labels[legal_basis] = LegalBasis(legal_basis).label
        distribution: dict[str, Any] = {
            "@id": f"{url}#distribution",
            "@type": "dcat:Distribution",
            "dcat:accessURL": {"@id": url},
            "dct:license": {"@id": LICENCE},
            "dct:title": title_text,
        }
        # Only the vocabulary's types: free text that maps to none is left out (dct:format is
        # optional) and flagged on the entry's form (vocabularies.file_type_code).
        code = vocabularies.file_type_code(data_format)
        if code:
            distribution["dct:format"] = {"@id": f"{vocabularies.FILE_TYPE}{code}"}
        modified = {"@value": _iso(modified_on), "@type": "xsd:date"} if modified_on else None
        if modified:
            distribution["dct:modified"] = modified
        node: dict[str, Any] = {
            "@id": f"{url}#dataset",
            "@type": "dcat:Dataset",
            "dct:identifier": identifier,
            "dct:title": title_text,
            # The legal norm in words (state laws have no ELI): part of the description, since
            # dcatde:legalBasis is deprecated in DCAT-AP.de 3.0.
            "dct:description": {
                "@value": f"{description or title}\n\nRechtsgrundlage: {legal_norm}",
                "@language": "de",
            },
            "dct:publisher": publisher,
            "dcat:contactPoint": contact,
            "dcat:keyword": [
                {"@value": k, "@language": "de"} for k in map(str.strip, keywords.split(",")) if k
            ],
            "dcat:theme": {"@id": f"{EU}data-theme/{theme or 'EDUC'}"},
            "dct:accrualPeriodicity": {"@id": frequencies[frequency]},
            "dcatde:politicalGeocodingLevelURI": {"@id": levels[spatial_level]},
            "dct:accessRights": {"@id": rights[personal_data_level]},
            "dcat:landingPage": {"@id": url},
            "dcat:distribution": [distribution],
        }
        if legislation:
            node["dcatap:applicableLegislation"] = [
                {"@id": iri, "@type": "eli:LegalResource"} for iri in legislation
            ]
        if contributor:
            node["dcatde:contributorID"] = {"@id": contributor}
        if spatial_coverage:
            node["dct:spatial"] = {
                "@type": "dct:Location",
                "skos:prefLabel": {"@value": spatial_coverage, "@language": "de"},
            }
        if period_start or period_end:
            period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
            if period_start:
                period["dcat:startDate"] = {"@value": _iso(period_start), "@type": "xsd:date"}
            if period_end:
                period["dcat:endDate"] = {"@value": _iso(period_end), "@type": "xsd:date"}
            node["dct:temporal"] = period
        if issued_on:
            node["dct:issued"] = {"@value": _iso(issued_on), "@type": "xsd:date"}
        if modified:
            node["dct:modified"] = modified
        datasets.append(node)
    return datasets


def catalogue_jsonld(
    page: int | None = None,
    per_page: int = PAGE_SIZE,
    *,
    public: bool = False,
    contributor_id: str | None = None,
) -> dict[str, Any]:
    """The catalogue as a JSON-LD document: whole, or one page of `per_page` datasets.
    `public`: functional contact points only (no person's data); `contributor_id`: GovData's
    dcatde:contributorID (an IRI or a bare id of its list)."""
    base = _base()
    has_next = False
    if page is None:
        rows = _page_rows(None, 0)
    else:
        page = max(1, page)
        # one row more than the page tells whether a next page exists, without a count
        rows = _page_rows(per_page + 1, (page - 1) * per_page)
        has_next = len(rows) > per_page
        rows = rows[:per_page]
    datasets = _datasets(rows, base, public, contributor_iri(contributor_id))
    ministry = db.session.execute(
        sa.select(Organisation.id, Organisation.name, Organisation.website).where(
            Organisation.short_name == "MB-ST"
        )
    ).first()
    publisher: dict[str, Any] | None
    if ministry is not None:
        publisher = {
            "@id": f"{base}/organisations/{ministry.id}",
            "@type": "foaf:Organization",
            "foaf:name": _text(ministry.name),
        }
        if ministry.website:
            publisher["foaf:homepage"] = {"@id": ministry.website}
    else:
        publisher = datasets[0]["dct:publisher"] if datasets else None
    catalog: dict[str, Any] = {
        "@id": f"{base}/catalogue/dcat.jsonld#catalog",
        "@type": "dcat:Catalog",
        "dct:title": _text("Datenaustauschkatalog"),
        "dct:description": _text(
            "Freigegebene Datenaustausche zwischen Land und Kommunen: Art, Umfang, Zweck und "
            "Rechtsgrundlage der Datenbereitstellung."
        ),
        "dct:language": {"@id": f"{EU}language/DEU"},
        "dct:modified": {"@value": utcnow().date().isoformat(), "@type": "xsd:date"},
        "foaf:homepage": {"@id": f"{base}/catalogue/"},
        "dcat:dataset": [{"@id": d["@id"]} for d in datasets],
    }
    if publisher is not None:
        catalog["dct:publisher"] = publisher
    if page is not None:
        catalog["hydra:view"] = _page_view(page, has_next)
    return {"@context": CONTEXT, "@graph": [catalog, *datasets]}


def catalogue_jsonld_text(
    page: int | None = None, *, public: bool = False, contributor_id: str | None = None
) -> str:
    # Compact: json's C encoder only runs without indent; indenting took most of the page's time.
    document = catalogue_jsonld(page, public=public, contributor_id=contributor_id)
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"))
