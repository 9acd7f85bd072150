"""`tally import usage FILE`: usage (发送量) from a CSV lands through the same all-or-nothing
usage ingest as the API."""

from __future__ import annotations

from tortoise.contrib.test import truncate_all_models

from domain.billing.models import Usage
from tests.support.cli import run_orm, run_tally


def _usage(url):
    async def rows():
        return sorted(await Usage.all().values_list("account", "quantity"))

    return run_orm(rows, url)


def test_a_usage_csv_is_imported_and_a_bad_file_writes_nothing(database_url, tmp_path):
    run_orm(truncate_all_models, database_url)
    bad = tmp_path / "bad.csv"
    bad.write_text("账号,月份,发送量\nacc-1,2026-10,100\nacc-2,2026-10,-5\n", encoding="utf-8")
    result = run_tally(database_url, "import", "usage", str(bad))
    assert result.returncode == 1 and "line 3" in result.stderr, result.stderr
    assert _usage(database_url) == []
    good = tmp_path / "good.csv"
    good.write_text("账号,月份,发送量\nacc-1,2026-10,100\nacc-2,2026-10,5\n", encoding="utf-8")
    result = run_tally(database_url, "import", "usage", str(good))
    assert result.returncode == 0 and "created 2" in result.stdout, result.stderr
    assert _usage(database_url) == [("acc-1", 100), ("acc-2", 5)]
