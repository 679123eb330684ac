"""The directory's choices and search as the other areas' pages use them (organisations and
people to pick in a form): through links/, the one package that knows two areas, so no area
imports the directory's services."""

from __future__ import annotations

from ..directory.services import (
    SEARCH_LIMIT,
    organisation_choices,
    organisation_choices_for,
    people_of_organisations,
    person_search,
)

__all__ = [
    "SEARCH_LIMIT",
    "organisation_choices",
    "organisation_choices_for",
    "people_of_organisations",
    "person_search",
]
