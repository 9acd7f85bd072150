"""Seed 003's 集团 relation: a customer can never be its own ancestor."""

from __future__ import annotations

from domain.customer_tree import CYCLE, PARENT_REFUSED, refused_links, would_cycle


def test_a_customer_under_itself_or_a_descendant_is_a_cycle():
    tree = {"A": None, "B": "A", "C": "B"}
    assert would_cycle(tree, "A", "A")
    assert would_cycle(tree, "A", "C")
    assert not would_cycle(tree, "C", "A")
    assert not would_cycle(tree, "A", None)


def test_a_cycle_already_stored_elsewhere_does_not_loop_forever():
    assert not would_cycle({"X": "Y", "Y": "X"}, "A", "X")


def test_links_apply_in_order_and_the_closing_one_is_refused():
    assert refused_links([("B", "A"), ("A", "B")], {"A": None, "B": None}) == {1: CYCLE}
    assert refused_links([("C", None), ("P", "C")], {"P": None, "C": "P"}) == {}


def test_children_of_a_refused_new_customer_are_refused_as_well():
    links = [("X", "Y"), ("Y", "X"), ("W", "Y"), ("V", None)]
    assert refused_links(links, {}) == {0: PARENT_REFUSED, 1: CYCLE, 2: PARENT_REFUSED}
