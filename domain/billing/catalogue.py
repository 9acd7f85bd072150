"""The billing catalogue (seed 004, 添加产品 / 账号 / 销售调价): products of a customer, their
accounts (with the 不计息账号 flag) and their price adjustments, validated strictly."""

from __future__ import annotations

import re
from datetime import date, datetime

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from domain.billing import pricing
from domain.billing.errors import (
    ACCOUNT_EXISTS,
    ACCOUNT_NOT_FOUND,
    BAD_ACCOUNT,
    BAD_CODE,
    BAD_PRICE_TABLE,
    PRICE_EXISTS,
    PRODUCT_EXISTS,
    PRODUCT_NOT_FOUND,
)
from domain.billing.models import PriceAdjustment, Product, UsageAccount
from domain.common_errors import BAD_FIELD, BAD_TERM, MISSING_FIELD
from domain.customers.errors import CUSTOMER_NOT_FOUND
from domain.customers.models import Customer

CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,50}$")  # goes into bill numbers: BILL-YYYYMM-<code>
ACCOUNT = re.compile(r"^\S{1,64}$")
MAX_TERM_MONTHS = 12  # seed 004: a payment term of at most 12 months


def check_term(months) -> int:
    if isinstance(months, bool) or not isinstance(months, int) \
            or not 1 <= months <= MAX_TERM_MONTHS:
        raise BAD_TERM(f"账期必须是 1 到 {MAX_TERM_MONTHS} 个月的整数")
    return months


async def create_product(*, customer_id: int, code: str, name: str, payment_term_months: int,
                         now: datetime) -> Product:
    if not CODE.match(code or ""):
        raise BAD_CODE("产品编号必须是 1–50 位字母、数字或 _.-")
    if not (name or "").strip():
        raise MISSING_FIELD("缺少产品名称 name")
    check_term(payment_term_months)
    customer = await Customer.get_or_none(id=customer_id, deleted_at=None)
    if customer is None:
        raise CUSTOMER_NOT_FOUND(f"客户 {customer_id} 不存在")
    if await Product.filter(code=code).exists():
        raise PRODUCT_EXISTS(f"产品编号 {code} 已存在")
    try:
        return await Product.create(customer=customer, code=code, name=name.strip()[:200],
                                    payment_term_months=payment_term_months, created_at=now)
    except IntegrityError:
        raise PRODUCT_EXISTS(f"产品编号 {code} 已存在") from None


async def get_product(product_id: int) -> Product:
    product = await Product.get_or_none(id=product_id)
    if product is None:
        raise PRODUCT_NOT_FOUND(f"产品 {product_id} 不存在")
    return product


async def update_product(product_id: int, *, name: str | None, payment_term_months: int | None,
                         active: bool | None) -> Product:
    product = await get_product(product_id)
    if name is not None:
        if not name.strip():
            raise BAD_FIELD("产品名称不能为空")
        product.name = name.strip()[:200]
    if payment_term_months is not None:
        product.payment_term_months = check_term(payment_term_months)
    if active is not None:
        product.active = active
    await product.save()
    return product


async def add_account(product_id: int, *, account: str, interest_free: bool,
                      now: datetime) -> UsageAccount:
    if not ACCOUNT.match(account or ""):
        raise BAD_ACCOUNT("账号必须是 1–64 位不含空白的字符")
    product = await get_product(product_id)
    if await UsageAccount.filter(account=account).exists():
        raise ACCOUNT_EXISTS(f"账号 {account} 已属于某个产品")
    try:
        return await UsageAccount.create(product=product, account=account,
                                         interest_free=interest_free, created_at=now)
    except IntegrityError:
        raise ACCOUNT_EXISTS(f"账号 {account} 已属于某个产品") from None


async def set_interest_free(account: str, interest_free: bool) -> UsageAccount:
    """不计息账号配置: put an account on or off the no-interest list."""
    row = await UsageAccount.get_or_none(account=account)
    if row is None:
        raise ACCOUNT_NOT_FOUND(f"账号 {account} 不存在")
    row.interest_free = interest_free
    await row.save(update_fields=["interest_free"])
    return row


async def add_price(product_id: int, *, effective_from: date, price_type: str, tiers,
                    note: str, actor: str, now: datetime) -> PriceAdjustment:
    """销售调价: a price table in force from a date; the table is refused whole if malformed."""
    try:
        parsed = pricing.parse_tiers(price_type, tiers)
    except pricing.PriceTableError as exc:
        raise BAD_PRICE_TABLE(f"调价表格式错误: {exc}") from None
    product = await get_product(product_id)
    if await PriceAdjustment.filter(product=product, effective_from=effective_from).exists():
        raise PRICE_EXISTS(f"产品 {product.code} 在 {effective_from} 已有调价")
    try:
        async with in_transaction():
            return await PriceAdjustment.create(
                product=product, effective_from=effective_from, price_type=price_type,
                tiers=pricing.tiers_json(parsed), note=note, created_by=actor, created_at=now)
    except IntegrityError:
        raise PRICE_EXISTS(f"产品 {product.code} 在 {effective_from} 已有调价") \
            from None


def product_view(product: Product, accounts: list[UsageAccount] | None = None) -> dict:
    view = {"id": product.id, "code": product.code, "name": product.name,
            "customer_id": product.customer_id, "payment_term_months":
            product.payment_term_months, "active": product.active}
    if accounts is not None:
        view["accounts"] = [account_view(a) for a in accounts]
    return view


def account_view(account: UsageAccount) -> dict:
    return {"account": account.account, "product_id": account.product_id,
            "interest_free": account.interest_free}


def price_view(price: PriceAdjustment) -> dict:
    return {"id": price.id, "product_id": price.product_id,
            "effective_from": price.effective_from, "price_type": price.price_type,
            "price_type_label": pricing.PRICE_TYPE_LABELS.get(price.price_type, ""),
            "tiers": price.tiers, "note": price.note}


async def list_products(customer_id: int | None) -> list[dict]:
    query = Product.all()
    if customer_id is not None:
        query = query.filter(customer_id=customer_id)
    products = await query.order_by("id").limit(1000)
    accounts: dict[int, list[UsageAccount]] = {p.id: [] for p in products}
    for account in await UsageAccount.filter(product_id__in=list(accounts)).order_by("id"):
        accounts[account.product_id].append(account)
    return [product_view(p, accounts[p.id]) for p in products]


async def list_prices(product_id: int) -> list[dict]:
    product = await get_product(product_id)
    prices = await PriceAdjustment.filter(product=product).order_by("effective_from")
    return [price_view(p) for p in prices]
