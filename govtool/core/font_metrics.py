"""Advance widths of Arial (from Liberation Sans, its metric-compatible free twin, which
LibreOffice uses in Arial's place) in 1/1000 em, for measuring table text without a font file.

Generated once with Pillow from LiberationSans-Regular/-Bold.ttf (see `_generate`); characters
outside the table count as a wide letter, so unknown text is over- rather than under-measured.
"""

from __future__ import annotations

CHARACTERS = (
    "".join(map(chr, range(32, 127))) + "".join(map(chr, range(160, 256))) + "–—‘’‚“”„†•…‰€"
)

_REGULAR = (
    "278 278 355 556 556 889 667 191 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 "
    "556 556 556 278 278 584 584 584 556 1015 667 667 722 722 667 611 778 722 278 500 667 556 833 "
    "722 778 667 778 722 667 611 722 667 944 667 667 611 278 278 278 469 556 333 556 556 500 556 "
    "556 278 556 556 222 222 500 222 833 556 556 556 556 333 500 278 556 500 722 500 500 500 334 "
    "260 334 584 278 333 556 556 556 556 260 556 333 737 370 556 584 0 737 552 400 549 333 333 "
    "333 576 537 333 333 333 365 556 834 834 834 611 667 667 667 667 667 667 1000 722 667 667 667 "
    "667 278 278 278 278 722 722 778 778 778 778 778 584 778 722 722 722 722 667 667 611 556 556 "
    "556 556 556 556 889 500 556 556 556 556 278 278 278 278 556 556 556 556 556 556 556 549 611 "
    "556 556 556 556 500 556 500 556 1000 222 222 222 333 333 333 556 350 1000 1000 556"
)

_BOLD = (
    "278 333 474 556 556 889 722 238 333 333 389 584 278 333 278 278 556 556 556 556 556 556 556 "
    "556 556 556 333 333 584 584 584 611 975 722 722 722 722 667 611 778 722 278 556 722 611 833 "
    "722 778 667 778 722 667 611 722 667 944 667 667 611 333 278 333 584 556 333 556 611 556 611 "
    "556 333 611 611 278 278 556 278 889 611 611 611 611 389 556 333 611 556 778 556 556 500 389 "
    "280 389 584 278 333 556 556 556 556 280 556 333 737 370 556 584 0 737 552 400 549 333 333 "
    "333 576 556 333 333 333 365 556 834 834 834 611 722 722 722 722 722 722 1000 722 667 667 667 "
    "667 278 278 278 278 722 722 778 778 778 778 778 584 778 722 722 722 722 667 667 611 556 556 "
    "556 556 556 556 889 556 556 556 556 556 278 278 278 278 611 611 611 611 611 611 611 549 611 "
    "611 611 611 611 556 611 556 556 1000 278 278 278 500 500 500 556 350 1000 1000 556"
)

UNKNOWN = 722  # the width of a capital H: wider than most letters

REGULAR = dict(zip(CHARACTERS, map(int, _REGULAR.split()), strict=True))
BOLD = dict(zip(CHARACTERS, map(int, _BOLD.split()), strict=True))
MONOSPACE = 600  # Courier New / Liberation Mono: every character


def text_width(text: str, size_pt: float, *, bold: bool = False, monospace: bool = False) -> float:
    """The width of `text` in points, set in Arial (or a monospace font) at `size_pt`."""
    if monospace:
        return len(text) * MONOSPACE * size_pt / 1000
    table = BOLD if bold else REGULAR
    return sum(table.get(c, UNKNOWN) for c in text) * size_pt / 1000


def _generate(font_directory: str = "/usr/share/fonts/truetype/liberation2") -> dict[str, str]:
    """The width strings above, measured again (needs Pillow and the Liberation fonts)."""
    from PIL import ImageFont

    found = {}
    for style in ("Regular", "Bold"):
        font = ImageFont.truetype(f"{font_directory}/LiberationSans-{style}.ttf", 2048)
        found[style] = " ".join(str(round(font.getlength(c) * 1000 / 2048)) for c in CHARACTERS)
    return found
