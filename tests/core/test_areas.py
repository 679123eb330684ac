"""Each area registers itself (init_app), and areas meet only in links/."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import govtool
from govtool import create_app
from govtool.config import TestConfig
from govtool.core.cli_hooks import REMINDER_SOURCES
from govtool.core.links import LinkFunctions
from govtool.core.main_views import DASHBOARD_PANELS
from govtool.demo import DEMO_LOADERS

PACKAGE = Path(govtool.__file__).parent
AREAS = (
    "agreements",
    "api",
    "auth",
    "bodies",
    "catalogue",
    "core",
    "directory",
    "links",
    "oparl",
)
# Consumers may import other areas' services (links/ is where areas meet, api/ serves them as
# JSON); they never import another area's views, and no area imports api/.
CONSUMERS = ("api", "links")


def _foreign_service_imports(area: str) -> list[str]:
    """`module:line imported` for every import of another area's services or views."""
    found = []
    for path in sorted((PACKAGE / area).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or node.level < 2 or not node.module:
                continue
            parts = node.module.split(".")
            # core is what every area uses (core.views holds shared view helpers)
            if parts[0] == area or parts[0] not in AREAS or parts[0] == "core":
                continue
            names = {alias.name for alias in node.names}
            if {"services", "views"} & (set(parts[1:]) | names):
                found.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module}")
    return found


@pytest.mark.parametrize("area", [a for a in AREAS if a not in CONSUMERS])
def test_no_area_imports_another_areas_services_or_views(area):
    # links/ may (it is where areas meet); pages use links.services, services core.links
    allowed = {"links.services", "links.directory", "links"}
    offending = [line for line in _foreign_service_imports(area) if line.split()[-1] not in allowed]
    assert offending == []


@pytest.mark.parametrize("area", CONSUMERS)
def test_a_consumer_imports_services_but_no_other_areas_views(area):
    views = []
    for path in sorted((PACKAGE / area).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.ImportFrom) or node.level < 2 or not node.module:
                continue
            parts = node.module.split(".")
            if parts[0] == area or parts[0] not in AREAS or parts[0] == "core":
                continue
            if "views" in parts[1:] or "views" in {alias.name for alias in node.names}:
                views.append(f"{path.relative_to(PACKAGE)}:{node.lineno} {node.module}")
    assert _foreign_service_imports(area)  # it does use other areas' services
    assert views == []


@pytest.mark.parametrize("area", [a for a in AREAS if a != "api"])
def test_no_area_imports_the_api(area):
    """The API is a leaf: pages and services never depend on it."""
    for path in sorted((PACKAGE / area).rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.level >= 2 and node.module:
                assert node.module.split(".")[0] != "api", f"{path}:{node.lineno}"
            if isinstance(node, ast.ImportFrom) and node.module:
                assert not node.module.startswith("govtool.api"), f"{path}:{node.lineno}"


@pytest.mark.parametrize("area", ["agreements", "bodies", "catalogue"])
def test_no_area_service_imports_links(area):
    """links/ imports these services: an import back would be the old cycle."""
    source = (PACKAGE / area / "services.py").read_text()
    assert "from ..links" not in source


def test_every_area_registers_itself_once(app):
    assert all(callable(getattr(getattr(govtool, a), "init_app", None)) for a in AREAS)
    assert {"main", "audit", "auth", "directory", "bodies", "meetings", "actions"} <= set(
        app.blueprints
    )
    assert {"agreements", "catalogue"} <= set(app.blueprints)
    assert {"reminders", "templates", "agreements"} <= set(app.cli.commands)
    before = (list(DASHBOARD_PANELS), list(DEMO_LOADERS), list(REMINDER_SOURCES))
    other = create_app(TestConfig)
    assert (list(DASHBOARD_PANELS), list(DEMO_LOADERS), list(REMINDER_SOURCES)) == before
    assert [p.__name__ for p, _ in DASHBOARD_PANELS] == [
        "waiting_panel",
        "agreements_panel",
        "bodies_panel",
        "catalogue_panel",
        "directory_panel",
    ]
    assert DEMO_LOADERS[-1].__name__ == "load_links_demo"  # links after the areas it links
    directories = other.extensions["babel"].translation_directories
    assert directories[0] == str(PACKAGE / "translations")
    assert directories[1:] == [
        str(PACKAGE / area / "translations")
        for area in ("agreements", "bodies", "catalogue", "directory", "links")
    ]


def test_an_unprovided_link_function_is_an_error_not_an_unchecked_link():
    with pytest.raises(RuntimeError, match="create_app"):
        LinkFunctions().check_body(None, 1)
