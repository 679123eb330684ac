"""DCAT-AP.de 3.0 as JSON-LD: a dcat:Catalog with one dcat:Dataset per approved entry in force.

The context is inline (no remote fetch), IRIs are built from GOVTOOL_BASE_URL so they stay stable
whoever asks. Controlled vocabularies: EU data themes, EU frequencies, EU access rights, EU file
types, the DCAT-AP.de political geocoding levels and licences.
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.orm import joinedload, selectinload

from ..core.models import utcnow
from ..directory.models import Organisation
from ..extensions import db
from .models import (
    CatalogueEntry,
    CatalogueVersion,
    EntryStatus,
    Frequency,
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
FILE_TYPES = {
    "CSV": "CSV",
    "XLSX": "XLSX",
    "XLS": "XLS",
    "JSON": "JSON",
    "XML": "XML",
    "PDF": "PDF",
}
# Exchanges between public bodies are not open data: "other closed licence" of DCAT-AP.de.
LICENCE = "http://dcat-ap.de/def/licenses/other-closed"


def _base() -> str:
    return current_app.config["GOVTOOL_BASE_URL"].rstrip("/")


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "de"}


def _date(value) -> dict[str, str]:
    return {"@value": value.isoformat(), "@type": "xsd:date"}


def _organisation(organisation: Organisation) -> dict[str, Any]:
    node = {
        "@id": f"{_base()}/organisations/{organisation.id}",
        "@type": "foaf:Organization",
        "foaf:name": _text(organisation.name),
    }
    if organisation.website:
        node["foaf:homepage"] = {"@id": organisation.website}
    return node


def _contact_point(version: CatalogueVersion) -> dict[str, Any]:
    provider = version.entry.provider
    person = version.provider_contact
    node: dict[str, Any] = {
        "@type": "vcard:Organization",
        "vcard:fn": f"{person.full_name}, {provider.name}" if person else provider.name,
    }
    email = (person.email if person else "") or provider.email
    if not email:  # rare: fall back to the provider's contact, then the entry's author
        fallback = provider.contact_person or version.entry.created_by
        email = fallback.email if fallback is not None else ""
    if email:
        node["vcard:hasEmail"] = {"@id": f"mailto:{email}"}
    if provider.phone:
        node["vcard:hasTelephone"] = provider.phone
    return node


def dataset(version: CatalogueVersion) -> dict[str, Any]:
    """One approved version as a dcat:Dataset node."""
    entry = version.entry
    url = f"{_base()}/catalogue/{entry.id}"
    node: dict[str, Any] = {
        "@id": f"{url}#dataset",
        "@type": "dcat:Dataset",
        "dct:identifier": entry.identifier,
        "dct:title": _text(version.title),
        "dct:description": _text(version.description or version.title),
        "dct:publisher": _organisation(entry.provider),
        "dcat:contactPoint": _contact_point(version),
        "dcat:keyword": [_text(k) for k in version.keyword_list],
        "dcat:theme": {"@id": f"{EU}data-theme/{version.theme or 'EDUC'}"},
        "dct:accrualPeriodicity": {"@id": f"{EU}frequency/{FREQUENCIES[version.frequency]}"},
        "dcatde:politicalGeocodingLevelURI": {
            "@id": GEOCODING_LEVEL + GEOCODING_LEVELS[version.spatial_level]
        },
        "dct:accessRights": {
            "@id": f"{EU}access-right/{ACCESS_RIGHTS[version.personal_data_level]}"
        },
        "dcatde:legalBasis": _text(version.legal_norm or version.legal_basis.label),
        "dcat:landingPage": {"@id": url},
        "dcat:distribution": [_distribution(version, url)],
    }
    if version.spatial_coverage:
        node["dct:spatial"] = {
            "@type": "dct:Location",
            "skos:prefLabel": _text(version.spatial_coverage),
        }
    if version.period_start or version.period_end:
        period: dict[str, Any] = {"@type": "dct:PeriodOfTime"}
        if version.period_start:
            period["dcat:startDate"] = _date(version.period_start)
        if version.period_end:
            period["dcat:endDate"] = _date(version.period_end)
        node["dct:temporal"] = period
    if entry.issued_on:
        node["dct:issued"] = _date(entry.issued_on)
    if entry.modified_on:
        node["dct:modified"] = _date(entry.modified_on)
    return node


def _distribution(version: CatalogueVersion, url: str) -> dict[str, Any]:
    node: dict[str, Any] = {
        "@id": f"{url}#distribution",
        "@type": "dcat:Distribution",
        "dcat:accessURL": {"@id": url},
        "dct:license": {"@id": LICENCE},
        "dct:title": _text(version.title),
    }
    code = FILE_TYPES.get((version.data_format or "").strip().upper())
    if code:
        node["dct:format"] = {"@id": f"{EU}file-type/{code}"}
    elif version.data_format:
        node["dct:format"] = {
            "@type": "dct:MediaTypeOrExtent",
            "skos:prefLabel": version.data_format,
        }
    else:
        node["dct:format"] = {"@id": f"{EU}file-type/OCTET"}
    if version.entry.modified_on:
        node["dct:modified"] = _date(version.entry.modified_on)
    return node


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
    return db.session.scalar(
        sa.select(sa.func.count(CatalogueVersion.id))
        .join(CatalogueEntry, CatalogueEntry.id == CatalogueVersion.entry_id)
        .where(*_in_force())
    )


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


def catalogue_jsonld(page: int | None = None, per_page: int = PAGE_SIZE) -> dict[str, Any]:
    """The catalogue as a JSON-LD document: whole, or one page of `per_page` datasets."""
    has_next = False
    if page is None:
        versions = approved_versions()
    else:
        page = max(1, page)
        # one row more than the page tells whether a next page exists, without a count
        versions = approved_versions(limit=per_page + 1, offset=(page - 1) * per_page)
        has_next = len(versions) > per_page
        versions = versions[:per_page]
    ministry = db.session.scalar(
        sa.select(Organisation).where(Organisation.short_name == "MB-ST")
    ) or (versions[0].entry.provider if versions else None)
    datasets = [dataset(v) for v in versions]
    catalog: dict[str, Any] = {
        "@id": f"{_base()}/catalogue/dcat.jsonld#catalog",
        "@type": "dcat:Catalog",
        "dct:title": _text("Datenaustauschkatalog"),
        "dct:description": _text(
            "Freigegebene Datenaustausche zwischen Land und Kommunen: Art, Umfang, Zweck und "
            "Rechtsgrundlage der Datenbereitstellung."
        ),
        "dct:language": {"@id": f"{EU}language/DEU"},
        "dct:modified": {"@value": utcnow().date().isoformat(), "@type": "xsd:date"},
        "foaf:homepage": {"@id": f"{_base()}/catalogue/"},
        "dcat:dataset": [{"@id": d["@id"]} for d in datasets],
    }
    if ministry is not None:
        catalog["dct:publisher"] = _organisation(ministry)
    if page is not None:
        catalog["hydra:view"] = _page_view(page, has_next)
    return {"@context": CONTEXT, "@graph": [catalog, *datasets]}


def catalogue_jsonld_text(page: int | None = None) -> str:
    # Compact: json's C encoder only runs without indent; indenting took most of the page's time.
    return json.dumps(catalogue_jsonld(page), ensure_ascii=False, separators=(",", ":"))
