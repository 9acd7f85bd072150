"""domain/documents is the kernel the contexts build on (issue 13): it imports none of them,
and statements and hand-over no longer import each other (read from the source, no imports)."""

from __future__ import annotations

import ast
from pathlib import Path

DOMAIN = Path(__file__).resolve().parents[2] / "domain"
BUILT_ON_DOCUMENTS = ("statements", "handover", "credit", "billing", "payments", "tiers",
                      "approvals")


def contexts_imported(package: str) -> set[str]:
    """The other domain packages (contexts) the package's modules import."""
    found = set()
    for path in (DOMAIN / package).rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            for name in _imported(node):
                parts = name.split(".")
                if parts[0] == "domain" and len(parts) > 1 and (DOMAIN / parts[1]).is_dir():
                    found.add(parts[1])
    return found - {package}


def _imported(node: ast.AST) -> list[str]:
    """The modules an import statement names (``from domain import x`` names domain.x)."""
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom) and node.module:
        return [f"{node.module}.{a.name}" for a in node.names]
    return []


def test_documents_import_no_context_that_builds_on_them():
    assert contexts_imported("documents").isdisjoint(BUILT_ON_DOCUMENTS)


def test_statements_do_not_import_the_handover():
    assert "handover" not in contexts_imported("statements")
