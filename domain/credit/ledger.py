"""A customer's ledger (CreditLedger): base-account debt, repayment account, deposit and
unapplied money, and the one place seed 002's invariant is kept and checked:

    outstanding credit debt − repayment-account balance = base-account debt

(the seed's "授信总欠款 + 还款账户余额 = 基本账户欠款" in the ERP's signed balances, where a debt is
negative: −2000 + 1500 = −500). Every use case that moves debt or money changes the ledger only
through these functions, and checks the invariant before its transaction commits.
"""

from __future__ import annotations

from decimal import Decimal

from domain.credit import rules
from domain.credit.errors import LEDGER_UNBALANCED, REPAYMENT_BALANCE_SHORT
from domain.credit.lines import save
from domain.credit.models import CreditLedger, Debt
from domain.money import ZERO, fmt

OPEN = "open"


async def outstanding_debt(customer_id: int) -> Decimal:
    # Summed in Python: SQLite keeps decimals as text and SQL SUM would go through floats.
    rows = await Debt.filter(customer_id=customer_id, status=OPEN).values_list(
        "outstanding", flat=True)
    return sum(rows, ZERO)


async def change_base(ledger: CreditLedger, delta: Decimal) -> None:
    """The credit debt on the books grew (a shipment) or shrank (a return, a reversal).

    When it shrinks below what the repayment account already holds, the surplus is no longer
    owed to anything: it moves to the unapplied money, so the base debt never goes negative.
    """
    base = ledger.base_debt + delta
    surplus = max(-base, ZERO)
    await save(ledger, base_debt=base + surplus,
               repayment_balance=ledger.repayment_balance - surplus,
               unapplied=ledger.unapplied + surplus)


async def receive(ledger: CreditLedger, *, repayment: Decimal, deposit: Decimal,
                  remainder: Decimal) -> None:
    """Money in: the repayment part lowers the base debt and goes into the repayment account."""
    await save(ledger, base_debt=ledger.base_debt - repayment,
               repayment_balance=ledger.repayment_balance + repayment,
               deposit=ledger.deposit + deposit, unapplied=ledger.unapplied + remainder)


async def spend(ledger: CreditLedger, amount: Decimal) -> None:
    """The repayment account pays a debt."""
    if amount > ledger.repayment_balance:
        raise REPAYMENT_BALANCE_SHORT("还款账户余额不足",
                                      balance=fmt(ledger.repayment_balance), amount=fmt(amount))
    await save(ledger, repayment_balance=ledger.repayment_balance - amount)


async def check_balanced(ledger: CreditLedger) -> None:
    """Refuse to commit books that break the invariant (a bug, never a user's mistake)."""
    outstanding = await outstanding_debt(ledger.customer_id)
    gap = rules.ledger_gap(outstanding, ledger.repayment_balance, ledger.base_debt)
    if gap != 0:
        raise LEDGER_UNBALANCED("授信欠款、还款账户与基本账户欠款不平，操作已撤销",
                                customer_id=ledger.customer_id, outstanding=fmt(outstanding),
                                repayment_balance=fmt(ledger.repayment_balance),
                                base_debt=fmt(ledger.base_debt))
