"""The layers hold (docs/architecture.md, DESIGN.md): ``domain`` imports no edge and no HTTP or
chat SDK, nothing below ``tally`` imports ``tally`` (the composition and entry points), the
edges do not import each other, and no modules, nor contexts of the domain, import each other
in a cycle (the failure names the path).

Imports are read from the source (``ast``), not by importing it: every import counts for the
layering rules (one inside a function too), the module-level ones for cycles (those run at
import; a function's own import or an ``if TYPE_CHECKING:`` one does not)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import NamedTuple

import pytest

pytestmark = pytest.mark.db_agnostic  # reads source files only: once, on the SQLite pass

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "bot", "backoffice_api", "miniapp_api", "workbench", "jobs",
            "httpcommon", "tally")
EDGES = ("bot", "backoffice_api", "miniapp_api", "workbench", "jobs")
NOT_IN_DOMAIN = (*EDGES, "httpcommon", "tally", "aiohttp", "wechatpy", "dingtalk_stream")

DECLARATIONS = "domain.*.models|errors"  # the context graph's node for those modules


class Import(NamedTuple):
    target: str  # the module imported, or the package a name is imported from
    top_level: bool  # runs when the importing module is imported
    line: int


@cache
def modules() -> dict[str, Path]:
    """Every module of the packages by dotted name (a package by its ``__init__``)."""
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


@cache
def imports_of(module: str) -> tuple[Import, ...]:
    path = modules()[module]
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    return tuple(_imports(tree, package, top_level=True))


def _imports(node: ast.AST, package: str, top_level: bool) -> Iterator[Import]:
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import):
            yield from (Import(alias.name, top_level, child.lineno) for alias in child.names)
        elif isinstance(child, ast.ImportFrom):
            base = _absolute(child, package)
            for alias in child.names:
                yield Import(_resolved(base, alias.name), top_level, child.lineno)
        elif isinstance(child, ast.If) and _is_type_checking(child.test):
            yield from _imports(child, package, top_level=False)
        else:
            inner = top_level and not isinstance(
                child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            yield from _imports(child, package, inner)


def _absolute(node: ast.ImportFrom, package: str) -> str:
    if not node.level:
        return node.module or ""
    parts = package.split(".")
    base = ".".join(parts[:len(parts) - node.level + 1])
    return f"{base}.{node.module}" if node.module else base


def _resolved(base: str, name: str) -> str:
    """``from base import name``: the submodule ``base.name`` if there is one, else ``base``."""
    return f"{base}.{name}" if f"{base}.{name}" in modules() else base


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _top(name: str) -> str:
    return name.split(".")[0]


def _in(module: str, packages: tuple[str, ...]) -> bool:
    return _top(module) in packages


def _breaches(rule) -> list[str]:
    return [f"{module} imports {i.target} (line {i.line})"
            for module in modules() for i in imports_of(module) if rule(module, i.target)]


def test_the_modules_are_found():
    assert {"domain.statements.models", "jobs.schedule", "tally.app", "bot.cards"} <= set(modules())


def test_the_domain_imports_no_edge_and_no_http_or_chat_sdk():
    assert _breaches(lambda m, target: _in(m, ("domain",))
                     and _in(target, NOT_IN_DOMAIN)) == []


def test_nothing_below_the_composition_imports_tally():
    assert _breaches(lambda m, target: not _in(m, ("tally",)) and _in(target, ("tally",))) == []


def test_the_edges_do_not_import_each_other():
    def crosses(module: str, target: str) -> bool:
        return _in(module, EDGES) and _in(target, EDGES) and _top(module) != _top(target)

    assert _breaches(crosses) == []


def _owner(target: str) -> str:
    """The module an import names (``bot.wechat.WeChatError`` is ``bot.wechat``)."""
    while target not in modules() and "." in target:
        target = target.rpartition(".")[0]
    return target


def test_no_modules_import_each_other_in_a_cycle():
    found = _cycles_in(_graph())
    assert found == [], "import cycles (module-level imports):\n" + "\n".join(found)


def test_no_contexts_of_the_domain_import_each_other_in_a_cycle():
    """A context (``domain.statements``, ``domain.billing`` …) depends on others one way: the
    ones below it never import it back, by however long a path."""
    found = _cycles_in(_context_graph())
    assert found == [], "cycles between contexts (module-level imports):\n" + "\n".join(found)


def _cycles_in(graph: dict[str, set[str]]) -> list[str]:
    """A path round each cycle: "a -> b -> a"."""
    cycles = []
    for component in _components(graph):
        path = _path_within(component, graph)
        cycles.append(" -> ".join([*path, path[0]]) + f" (of {sorted(component)})")
    return cycles


def _graph() -> dict[str, set[str]]:
    """Module → the modules of the packages it imports when it is imported."""
    return {module: {_owner(i.target) for i in imports_of(module)
                     if i.top_level and _owner(i.target) in modules()} - {module}
            for module in modules()}


def _context(module: str) -> str:
    """``domain.statements.bulk`` is in ``domain.statements``; a module of ``domain`` itself
    (``domain.money``) and the edges' modules are their own. The contexts' ``models`` and
    ``errors`` modules are one layer below every context: declarations that import no context
    (one tortoise app whose relations are named, not imported; codes that import only
    ``domain.errors``), as the single ``domain/models.py`` was before the split."""
    parts = module.split(".")
    if parts[0] == "domain" and parts[-1] in ("models", "errors") and len(parts) == 3:
        return DECLARATIONS
    return ".".join(parts[:2]) if parts[0] == "domain" and len(parts) > 2 else module


def _context_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for module, targets in _graph().items():
        if _in(module, ("domain",)):
            graph.setdefault(_context(module), set()).update(
                _context(t) for t in targets if _in(t, ("domain",)))
    return {context: targets - {context} for context, targets in graph.items()}


def _components(graph: dict[str, set[str]]) -> list[frozenset[str]]:
    """The strongly connected sets of more than one node (Tarjan): each holds a cycle."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[frozenset[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(frozenset(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def _path_within(component: frozenset[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest cycle from the component's first module back to itself, inside it."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    while queue:
        node = queue.pop(0)
        for target in sorted(graph[node] & component):
            if target == start:
                return paths[node]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    return sorted(component)
