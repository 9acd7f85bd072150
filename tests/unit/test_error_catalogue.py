"""Errors are a catalogue: each code declared once, with one kind, raised by name, and the
README's error table is the catalogue."""

from __future__ import annotations

import ast
import importlib

import pytest

from domain.errors import Conflict, DomainError, ErrorCode, Upstream
from httpcommon.error_table import (
    README,
    ROOT,
    TABLE_END,
    TABLE_START,
    catalogue,
    error_table_markdown,
    status_of,
)

KINDS = {cls.__name__ for cls in (DomainError, *DomainError.__subclasses__())}
PACKAGES = ("domain", "bot", "backoffice_api", "miniapp_api", "httpcommon", "jobs", "tally")


def _declared() -> list[ErrorCode]:
    return [code for codes in catalogue().values() for code in codes]


def _kind_calls(path) -> list[str]:
    """Where a file builds a domain error from a kind directly, not from a declared code."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [f"{path.relative_to(ROOT)}:{node.lineno}" for node in ast.walk(tree)
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
            and node.func.id in KINDS]


def test_calling_a_code_builds_an_error_of_its_kind_with_the_message_and_detail():
    cycle = ErrorCode("customer_cycle", Conflict, "上级客户会形成循环")
    error = cycle("客户 A 的上级不能是 B", parent_id=7)
    assert isinstance(error, Conflict)
    assert (error.code, error.message, error.detail) == (
        "customer_cycle", "客户 A 的上级不能是 B", {"parent_id": 7})
    with pytest.raises(Conflict):
        raise error


def test_no_code_is_declared_twice():
    codes = [code.code for code in _declared()]
    assert sorted(c for c in set(codes) if codes.count(c) > 1) == []


def test_every_code_has_a_status_a_summary_and_is_named_after_itself():
    """No code answers 5xx but an upstream platform's failure (502): the caller did nothing
    wrong, and a 4xx would tell it to change its request."""
    wrong = []
    for module, codes in catalogue().items():
        names = {id(value): name for name, value in vars(importlib.import_module(module)).items()}
        wrong += [f"{module}.{names[id(c)]}" for c in codes
                  if names[id(c)] != c.code.upper() or not c.summary.strip()
                  or (status_of(c) >= 500 and c.kind is not Upstream)]
    assert wrong == []


def test_no_error_is_raised_with_a_literal_code():
    files = [path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
             if path != ROOT / "domain" / "errors.py"]
    found = [site for path in files for site in _kind_calls(path)]
    assert found == [], "declare the code in its context's errors module and raise it by name"


def test_the_readme_error_table_is_the_catalogue():
    text = README.read_text(encoding="utf-8")
    start, end = text.index(TABLE_START) + len(TABLE_START), text.index(TABLE_END)
    assert text[start:end].strip() == error_table_markdown().strip(), (
        "regenerate it: make error-table")
