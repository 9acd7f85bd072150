"""The workbench writes no rule of its own: every page is admitted by the API's role table
(``@page("METHOD /path")``) or is public on purpose, and its modules call use cases and queries,
never the models or the ORM directly (so a rule cannot be written a second time in a page)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from aiohttp import web

from httpcommon.roles import ROUTE_ROLES
from tally.settings import Settings
from workbench.app import create_workbench_app
from workbench.guard import PUBLIC_ATTR, ROLES_ATTR

pytestmark = pytest.mark.db_agnostic

WORKBENCH = Path(__file__).resolve().parents[2] / "workbench"


def test_every_workbench_route_is_admitted_by_the_role_table_or_public():
    app = create_workbench_app(Settings(secret_key="k"))
    unmarked = [
        f"{route.method} {route.resource.canonical}" for route in app.router.routes()
        if not isinstance(route.resource, web.StaticResource)
        and not getattr(route.handler, ROLES_ATTR, None)
        and not getattr(route.handler, PUBLIC_ATTR, False)
    ]
    assert unmarked == []
    assert ROUTE_ROLES  # the table the marks come from


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_workbench_imports_no_model_and_no_orm():
    offending = {
        f"{path.relative_to(WORKBENCH.parent)}: {module}"
        for path in WORKBENCH.rglob("*.py") for module in _imports(path)
        if module.endswith(".models") or module.split(".")[0] == "tortoise"
    }
    assert offending == set()
