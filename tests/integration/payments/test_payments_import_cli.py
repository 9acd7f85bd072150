"""`tally import payments FILE`: finance's received payments from a CSV land in the payments
pool through the same import as the API, matched to customers by name."""

from __future__ import annotations

from tortoise.contrib.test import truncate_all_models

from domain.customers.models import Customer
from domain.payments.models import PoolPayment
from tests.support.cli import run_orm, run_tally


def _pool(url):
    async def rows():
        return sorted(await PoolPayment.all().values_list("reference", "amount", "customer__code"))

    return run_orm(rows, url)


def test_a_payments_csv_lands_in_the_pool_and_a_bad_row_is_named(database_url, tmp_path):
    run_orm(truncate_all_models, database_url)
    run_orm(lambda: Customer.create(code="C9", name="上海明辉有限公司"), database_url)
    path = tmp_path / "payments.csv"
    path.write_text("流水号,付款人,金额,到款日期\n"
                    "R-1,上海明辉有限公司 ,1200.50,2026-11-02\n"
                    "R-2,无名公司,abc,2026-11-02\n", encoding="utf-8")

    result = run_tally(database_url, "import", "payments", str(path), "--atomic")
    assert result.returncode == 1 and "line 3" in result.stderr, result.stderr
    assert _pool(database_url) == []

    result = run_tally(database_url, "import", "payments", str(path))
    assert result.returncode == 1 and "created 1" in result.stdout, result.stderr
    [(reference, amount, code)] = _pool(database_url)
    assert (reference, str(amount), code) == ("R-1", "1200.50", "C9")
