"""Identifiers people type (catalogue identifiers, body and organisation short names, template
codes, agreement numbers looked up in an import): normalised and restricted to a plain pattern, so
that a look-alike (`DX-2025-003` with a zero-width space, a non-breaking hyphen or a
right-to-left override) cannot sit beside the real one.

Normalising: Unicode NFKC (full-width letters and digits become ASCII), every hyphen and dash
variant becomes '-', surrounding white space is stripped. What is left must match the pattern:
ASCII letters and digits, then also '.', '_', '/', '-'. Anything else (invisible format
characters, other scripts' look-alike letters, spaces) is refused with a 422 and a message,
never silently removed: the user sees what was wrong with what they typed.
"""

from __future__ import annotations

import re
import unicodedata

from flask_babel import gettext

from .errors import ValidationError

# Hyphens and dashes that look like '-' (after NFKC, which already maps U+FF0D and U+FE63):
# hyphen, non-breaking hyphen, figure dash, en dash, em dash, horizontal bar, minus sign,
# hyphen bullet, small em dash.
_HYPHENS = dict.fromkeys(map(ord, "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u2043\ufe58"), "-")
IDENTIFIER_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*")


def normalise_identifier(value: str | None) -> str:
    """NFKC, hyphen variants to '-', stripped: the form an identifier is compared and stored in."""
    return unicodedata.normalize("NFKC", value or "").translate(_HYPHENS).strip()


def clean_identifier(
    value: str | None, field: str = "identifier", max_length: int = 40, example: str = ""
) -> str:
    """The normalised identifier, or ValidationError (422) naming the field when it is empty, too
    long or holds a character outside the pattern."""
    cleaned = normalise_identifier(value)
    if not cleaned:
        raise ValidationError(gettext("Please enter an identifier."), field=field)
    if len(cleaned) > max_length:
        raise ValidationError(
            gettext("At most %(n)d characters, please.", n=max_length), field=field
        )
    if not IDENTIFIER_PATTERN.fullmatch(cleaned):
        raise ValidationError(
            gettext(
                "Use only the letters A–Z, digits and the characters . _ / - (starting with a "
                "letter or digit), e.g. %(example)s.",
                example=example or "DX-2025-003",
            ),
            field=field,
        )
    return cleaned
