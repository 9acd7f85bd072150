"""Seed 003's 集团 relation as a pure rule: a customer can never be its own ancestor.

A tree is a mapping customer → parent (None at the top); customers are any hashable key (codes
for an ERP batch, ids for the back office)."""

from __future__ import annotations

from collections.abc import Hashable, Mapping
from typing import TypeVar

K = TypeVar("K", bound=Hashable)  # a customer's key: its code or its id

CYCLE = "cycle"  # the link would make the customer its own ancestor
PARENT_REFUSED = "parent_refused"  # the parent is a new customer whose own row was refused


def would_cycle(tree: Mapping[K, K | None], child: K, parent: K | None) -> bool:
    """Whether hanging ``child`` under ``parent`` makes ``child`` its own ancestor."""
    seen: set[K] = set()
    node = parent
    while node is not None and node not in seen:
        if node == child:
            return True
        seen.add(node)
        node = tree.get(node)
    return False


def refused_links(links: list[tuple[K, K | None]],
                  stored: Mapping[K, K | None]) -> dict[int, str]:
    """Apply the (child, parent) links in order over the stored tree; the index of each link
    refused, with why. ``stored`` holds every stored customer the links reach (and their
    ancestors); a parent in neither ``stored`` nor the links is not checked here."""
    refused: dict[int, str] = {}
    while (found := _first_refusal(links, stored, refused)) is not None:
        # Start again without it: a link accepted before may have leant on the refused one.
        refused[found[0]] = found[1]
    return refused


def _first_refusal(links: list[tuple[K, K | None]], stored: Mapping[K, K | None],
                   refused: dict[int, str]) -> tuple[int, str] | None:
    tree = dict(stored)
    landing = {child for index, (child, _) in enumerate(links) if index not in refused}
    batch = {child for child, _ in links}
    for index, (child, parent) in enumerate(links):
        if index in refused:
            continue
        if parent is not None and parent in batch and parent not in stored \
                and parent not in landing:
            return index, PARENT_REFUSED
        if would_cycle(tree, child, parent):
            return index, CYCLE
        tree[child] = parent
    return None
