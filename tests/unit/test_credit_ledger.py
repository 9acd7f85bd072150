"""Seed 002's ledger invariant as a pure rule."""

from __future__ import annotations

from decimal import Decimal

from domain.credit.rules import ledger_gap


def test_the_seeds_repayment_account_example_balances():
    """基本账户 −2000, 1500 received: base −500, repayment account 1500, credit debt 2000."""
    assert ledger_gap(Decimal(2000), Decimal(0), Decimal(2000)) == 0
    assert ledger_gap(Decimal(2000), Decimal(1500), Decimal(500)) == 0
    assert ledger_gap(Decimal(500), Decimal(0), Decimal(500)) == 0  # after the account pays


def test_a_gap_says_by_how_much_the_books_are_off():
    assert ledger_gap(Decimal(2000), Decimal(1500), Decimal(2000)) == Decimal(-1500)
