"""Free-text search helpers shared by the list pages."""

from __future__ import annotations


def like_pattern(term: str) -> str:
    """A LIKE pattern matching `term` anywhere, with % and _ taken literally (use escape='\\\\')."""
    escaped = term.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"
