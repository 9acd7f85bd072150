"""The error catalogue listed: every declared code with its HTTP status, grouped by context, and
the README's error table made from it (regenerate: ``.venv/bin/python -m httpcommon.error_table
--write``, or ``make error-table``)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

from domain.errors import ErrorCode
from httpcommon.errors import STATUS_BY_KIND

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
TABLE_START, TABLE_END = "<!-- error table: start -->", "<!-- error table: end -->"
# Where codes are declared: one module per domain context, a shared one, the HTTP edge's own.
CATALOGUE_FILES = ("domain/*/errors.py", "domain/*_errors.py", "httpcommon/error_codes.py")


def catalogue_modules() -> list[str]:
    """The dotted names of the modules that declare codes, sorted."""
    paths = {path for pattern in CATALOGUE_FILES for path in ROOT.glob(pattern)}
    return sorted(".".join(p.relative_to(ROOT).with_suffix("").parts) for p in paths)


def catalogue() -> dict[str, list[ErrorCode]]:
    """Every declared code by the module declaring it, each list sorted by code."""
    seen: set[int] = set()
    by_module: dict[str, list[ErrorCode]] = {}
    for name in catalogue_modules():
        module = importlib.import_module(name)
        codes = [value for value in vars(module).values()
                 if isinstance(value, ErrorCode) and id(value) not in seen]
        seen.update(id(code) for code in codes)
        by_module[name] = sorted(codes, key=lambda c: c.code)
    return by_module


def status_of(code: ErrorCode) -> int:
    return STATUS_BY_KIND[code.kind.kind]


def context_of(module: str) -> str:
    """``domain.credit.errors`` → credit, ``domain.common_errors`` → common, the edge → http."""
    if not module.startswith("domain."):
        return "http"
    return module.removeprefix("domain.").removesuffix(".errors").removesuffix("_errors")


def _group_order(module: str) -> tuple[int, str]:
    context = context_of(module)
    return (0 if context == "common" else 2 if context == "http" else 1, context)


def error_table_markdown() -> str:
    """The README's error table: one small table per context, code, status and meaning."""
    parts = []
    for module, codes in sorted(catalogue().items(), key=lambda item: _group_order(item[0])):
        if not codes:
            continue
        path = module.replace(".", "/") + ".py"
        rows = [f"**{context_of(module)}** (`{path}`)", "", "| code | HTTP | meaning |",
                "|---|---|---|"]
        rows += [f"| `{c.code}` | {status_of(c)} | {c.summary.replace('|', '/')} |"
                 for c in codes]
        parts.append("\n".join(rows))
    return "\n\n".join(parts) + "\n"


def readme_with_table(text: str) -> str:
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    return text[:start] + "\n" + error_table_markdown() + text[end:]


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        README.write_text(readme_with_table(README.read_text(encoding="utf-8")),
                          encoding="utf-8")
    else:
        print(error_table_markdown(), end="")
