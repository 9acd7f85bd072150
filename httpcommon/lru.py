"""A bounded least-recently-used map, for values that never go stale under their key:
statement views keyed by (statement, version, customer name)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any


class Lru:
    def __init__(self, capacity: int) -> None:
        self._capacity = capacity
        self._items: OrderedDict[Any, Any] = OrderedDict()

    def get(self, key) -> Any | None:
        value = self._items.get(key)
        if value is not None:
            self._items.move_to_end(key)
        return value

    def put(self, key, value) -> None:
        self._items[key] = value
        self._items.move_to_end(key)
        if len(self._items) > self._capacity:
            self._items.popitem(last=False)
