"""What the areas' services ask of links/ (govtool/links), without importing it.

links/ is the one package that knows two areas: it imports the agreements and catalogue services
to check and list link targets through their visibility rules. An area's service that saves or
prints a link (an agreement's body and entries, an entry's or a body's agreement) calls the
function links/ provides here in its init_app, so no area imports links/ or another area back
and the import graph has no cycle.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any


class LinkFunctions:
    """The functions links/ provides, by name; asking for one before links.init_app ran (an app
    built without create_app) is a clear error rather than a link saved unchecked."""

    def __getattr__(self, name: str) -> Callable[..., Any]:
        raise RuntimeError(f"links/ has not provided {name!r}: build the app with create_app()")


links = LinkFunctions()


def provide(**functions: Callable[..., Any]) -> None:
    """Called by links.init_app: the functions the areas' services may call."""
    for name, function in functions.items():
        setattr(links, name, function)
