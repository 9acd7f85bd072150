"""The models are split by context: every models module is registered, and the status enums
keep the values the columns already hold."""

from __future__ import annotations

import importlib
from enum import StrEnum
from pathlib import Path

from tortoise.fields import CharField
from tortoise.models import Model

from domain import MODEL_MODULES

DOMAIN = Path(__file__).resolve().parents[2] / "domain"


def _models(module_name: str) -> list[type[Model]]:
    module = importlib.import_module(module_name)
    return [value for value in vars(module).values() if isinstance(value, type)
            and issubclass(value, Model) and value.__module__ == module_name]


def test_every_models_module_of_a_context_is_registered_with_the_database():
    found = {f"domain.{path.parent.name}.models" for path in DOMAIN.glob("*/models.py")}
    assert sorted(found) == sorted(MODEL_MODULES)


def test_a_status_default_is_a_member_of_the_enum_beside_it_and_fits_its_column():
    checked = []
    for module_name in MODEL_MODULES:
        for model in _models(module_name):
            for name, field in model._meta.fields_map.items():
                if isinstance(field, CharField) and isinstance(field.default, StrEnum):
                    enum = type(field.default)
                    assert enum.__module__ == module_name, (model.__name__, name)
                    longest = max(len(member.value) for member in enum)
                    assert longest <= field.max_length, (model.__name__, name)
                    checked.append(f"{model.__name__}.{name}")
    assert "Statement.status" in checked and "Expense.audit_status" in checked


def test_the_three_hand_over_documents_share_one_base():
    from domain.documents.models import Exchange, Expense, HandoverDocument, OtherIncome

    assert HandoverDocument._meta.abstract
    for model in (Expense, OtherIncome, Exchange):
        assert issubclass(model, HandoverDocument)
        assert {"number", "date", "audit_status", "confirmed_at"} <= set(model._meta.fields_map)
