"""German grammar for the generated documents' fixed words: counts with the right noun form and
noun phrases declined by case.

Only OUR words are declined here (meeting kinds, "Mitglied", "Monat"): a name a user typed (a
body, an organisation, a meeting title) is never inflected by guessing; the templates put such a
name where no inflection is needed (after a colon or dash, in quotes, on a line of its own).
Documents are German whatever the UI language, so these helpers do not go through gettext (the
UI's plural forms do: ngettext with the catalogues).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from babel.numbers import format_decimal


class Case(Enum):
    NOMINATIVE = "nominative"
    GENITIVE = "genitive"
    DATIVE = "dative"
    ACCUSATIVE = "accusative"


# The definite article by gender and case.
ARTICLES = {
    "f": {"nominative": "die", "genitive": "der", "dative": "der", "accusative": "die"},
    "m": {"nominative": "der", "genitive": "des", "dative": "dem", "accusative": "den"},
    "n": {"nominative": "das", "genitive": "des", "dative": "dem", "accusative": "das"},
}
# Preposition + article that German writes as one word ("zu der" → "zur").
CONTRACTIONS = {
    ("zu", "der"): "zur",
    ("zu", "dem"): "zum",
    ("an", "dem"): "am",
    ("in", "dem"): "im",
    ("von", "dem"): "vom",
    ("bei", "dem"): "beim",
}
# The case each preposition we use governs.
PREPOSITION_CASE = {
    "zu": Case.DATIVE,
    "an": Case.DATIVE,
    "in": Case.DATIVE,
    "von": Case.DATIVE,
    "bei": Case.DATIVE,
    "mit": Case.DATIVE,
    "nach": Case.DATIVE,
    "aus": Case.DATIVE,
    "für": Case.ACCUSATIVE,
    "über": Case.ACCUSATIVE,
    "durch": Case.ACCUSATIVE,
    "während": Case.GENITIVE,
}


@dataclass(frozen=True)
class Phrase:
    """A noun phrase of fixed words in its four cases (after the definite article, i.e. with
    the weak adjective endings): Phrase("f", "konstituierende Sitzung", "konstituierenden
    Sitzung", ...)."""

    gender: str
    nominative: str
    genitive: str
    dative: str
    accusative: str

    def form(self, case: Case) -> str:
        """The phrase without article in `case`."""
        return str(getattr(self, case.value))

    def definite(self, case: Case = Case.NOMINATIVE) -> str:
        """With the definite article: "der konstituierenden Sitzung"."""
        return f"{ARTICLES[self.gender][case.value]} {self.form(case)}"

    def after(self, preposition: str) -> str:
        """After a preposition, in the case it governs, contracted where German contracts:
        "zur konstituierenden Sitzung", "für die ordentliche Sitzung"."""
        case = PREPOSITION_CASE[preposition]
        article = ARTICLES[self.gender][case.value]
        joined = CONTRACTIONS.get((preposition, article))
        lead = joined if joined else f"{preposition} {article}"
        return f"{lead} {self.form(case)}"


def feminine(adjective: str, noun: str) -> Phrase:
    """An adjective before a feminine noun, weak endings (after "die"/"der"):
    feminine("konstituierend", "Sitzung") declines "konstituierende Sitzung"."""
    strong = f"{adjective}e {noun}"
    weak = f"{adjective}en {noun}"
    return Phrase("f", strong, weak, weak, strong)


def number(value: int | float) -> str:
    """A count written the German way (1.234)."""
    return format_decimal(value, locale="de")


def count(value: int, singular: str, plural: str) -> str:
    """ "1 Eintrag", "2 Einträge", "0 Einträge": the number and the noun form it needs."""
    return f"{number(value)} {singular if value == 1 else plural}"


def count_words(value: int, singular: str, plural: str, one: str = "ein") -> str:
    """Like count(), but 1 spelled out as a text does ("einem Monat", "eine Woche"): pass the
    inflected article for one as `one`."""
    if value == 1:
        return f"{one} {singular}"
    return f"{number(value)} {plural}"
