"""Rows for the set-based inserts (``domain.sql.insert_rows``), shaped by the tortoise model.

The columns of a table and the default of each come from the model's metadata, so a bulk path
cannot forget a column or restate a default the model changed: a row is built from keyword
values (field names, ``customer_id`` for a foreign key), the rest takes the field's default,
and a column with neither a value nor a default is an error. Values stay Python objects as the
ORM would bind them: money quantized to the field's places, JSON encoded by the field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from functools import cached_property
from typing import Any

from tortoise import fields
from tortoise.fields.db_defaults import SqlDefault
from tortoise.models import Model

_REQUIRED = object()  # a column without a default: the caller must give it


class EncodedJSON(str):
    """A JSON column's value already encoded: a payload many rows share is encoded once."""


class BulkTable:
    """One model's table as ``insert_rows`` takes it: ``table``, ``columns`` and ``rows(...)``.
    Read from the metadata on first use: foreign-key columns exist once tortoise is set up."""

    def __init__(self, model: type[Model]) -> None:
        self.model = model

    @property
    def table(self) -> str:
        return self.model._meta.db_table

    @cached_property
    def columns(self) -> tuple[str, ...]:
        projection = self.model._meta.fields_db_projection
        return tuple(projection[name] for name in self._fields)

    @cached_property
    def _fields(self) -> dict[str, fields.Field]:
        meta = self.model._meta
        return {name: meta.fields_map[name] for name in meta.fields_db_projection
                if not meta.fields_map[name].generated}

    @cached_property
    def _defaults(self) -> dict[str, Any]:
        return {name: _default(field) for name, field in self._fields.items()}

    @cached_property
    def _encoders(self) -> dict[str, Callable[[Any], Any]]:
        return {name: encoder for name, field in self._fields.items()
                if (encoder := _encoder(self.model, field)) is not None}

    def _encoded_default(self, name: str) -> Any:
        """A column's default as bound (None where each row computes or gives its own)."""
        default = self._defaults[name]
        if callable(default) or default is _REQUIRED or default is None:
            return None
        encoder = self._encoders.get(name)
        return default if encoder is None else encoder(default)

    def row(self, **values: Any) -> tuple:
        """One row in ``columns`` order."""
        return self.rows([values])[0]

    def rows(self, items: Iterable[Mapping[str, Any]]) -> list[tuple]:
        """Rows in ``columns`` order from mappings of field name → value."""
        found = []
        for values in items:
            make = self._makers.get(frozenset(values)) or self._maker(frozenset(values))
            found.append(make(values))
        return found

    @cached_property
    def _makers(self) -> dict[frozenset[str], Callable[[Mapping[str, Any]], tuple]]:
        return {}

    def _maker(self, keys: frozenset[str]) -> Callable[[Mapping[str, Any]], tuple]:
        """How a row is made from values with these keys (checked once per key set: unknown
        fields and required columns left out fail loudly)."""
        unknown = sorted(keys - self._fields.keys())
        missing = sorted(name for name, default in self._defaults.items()
                         if default is _REQUIRED and name not in keys)
        if unknown or missing:
            raise ValueError(f"{self.table} row: unknown fields {unknown}, "
                             f"required fields missing {missing}")
        names = list(self._fields)
        given = [(i, name) for i, name in enumerate(names) if name in keys]
        # the defaults' values, encoded once; a callable default gives each row a new value
        template = [self._encoded_default(name) for name in names]
        fresh = [(i, default) for i, name in enumerate(names)
                 if name not in keys and callable(default := self._defaults[name])]
        encode = [(i, self._encoders[name]) for i, name in enumerate(names)
                  if name in self._encoders and (name in keys or callable(self._defaults[name]))]

        def make(values: Mapping[str, Any]) -> tuple:
            row = template.copy()
            for i, name in given:
                row[i] = values[name]
            for i, default in fresh:
                row[i] = default()
            for i, encoder in encode:
                if row[i] is not None:
                    row[i] = encoder(row[i])
            return tuple(row)

        self._makers[keys] = make
        return make


def _default(field: fields.Field) -> Any:
    """The field's default as the ORM applies it; auto_now(_add) stamps are passed in."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _REQUIRED
    if field.default is not None:
        return field.default
    if field.null:
        return None
    if field.has_db_default() and not isinstance(field.db_default, SqlDefault):
        return field.db_default
    return _REQUIRED  # (an SQL expression default is not restated here either)


def _encoder(model: type[Model], field: fields.Field):
    """How a value becomes what the ORM binds: quantized money, encoded JSON."""
    if isinstance(field, fields.DecimalField):
        quant = field.quant
        return lambda value: (value if isinstance(value, Decimal) else Decimal(value)).quantize(
            quant)
    if isinstance(field, fields.JSONField):
        return lambda value: value if isinstance(value, EncodedJSON) else field.to_db_value(
            value, model)
    return None
