"""Roles are a contract: which back-office key role may call which route, declared once here.

The API-key middleware refuses any route × role not in this table (a route missing from it is
refused to every role); handlers may narrow further by the data (sales see only their own and
shared customers). The README's role table is checked against this one by the test suite.

* ``admin`` — everything, including keys and direct credit grants.
* ``finance`` — the books: money in, confirmations, customers, settings, reports.
* ``sales`` — statements, sharing and bind codes, approvals, credit and billing reads, for
  their own and shared customers only; no money and no deletion.
* ``erp`` — ingest only: it pushes master data, documents, orders, shipments, returns, the
  billing catalogue, usage and tier events, and reads back only what it pushed (an order's
  credit state, the catalogue and its prices) and the events feed of what happened in Tally
  (``GET /events``). It reads no ledger, debt, bill or customer and
  records no money: receipts are finance's.
"""

from __future__ import annotations

from domain.actors import ADMIN, ERP, FINANCE, ROLES, SALES

PREFIX = "/api/backoffice/v1"

ALL = (ADMIN, FINANCE, SALES)  # every person's key; the ERP's is not one
BOOKS = (ADMIN, FINANCE)
PUSH = (ADMIN, ERP)
ADMIN_ONLY = (ADMIN,)

ROUTE_ROLES: dict[str, tuple[str, ...]] = {
    # ingest and the ERP's pushes
    "POST /ingest/{kind}": PUSH,
    "POST /credit/orders": PUSH,
    "GET /credit/orders/{number}": (*ALL, ERP),
    "POST /credit/orders/{number}/cancel": PUSH,
    "POST /credit/orders/{number}/close": PUSH,
    "POST /credit/shipments": PUSH,
    "POST /credit/shipments/{number}/reverse": PUSH,
    "POST /credit/returns": PUSH,
    "POST /credit/returns/{number}/reverse": PUSH,
    "POST /billing/products": PUSH,
    "GET /billing/products": (*ALL, ERP),
    "PATCH /billing/products/{id}": PUSH,
    "POST /billing/products/{id}/accounts": PUSH,
    "PUT /billing/accounts/{account}": PUSH,
    "POST /billing/products/{id}/prices": PUSH,
    "GET /billing/products/{id}/prices": (*ALL, ERP),
    "POST /billing/usage": PUSH,
    "POST /tiers/contact-logs": PUSH,
    "POST /tiers/trial-accounts": PUSH,
    "POST /tiers/contracts": PUSH,
    "PUT /customers/{id}/profile": (ADMIN, ERP, SALES),
    "PATCH /customers/{id}/profile": (ADMIN, ERP, SALES),
    "GET /events": (ADMIN, FINANCE, ERP),  # the events feed (domain.events)
    # customers
    "GET /customers": ALL,
    "GET /customers/{id}": ALL,
    "GET /customers/{id}/group": ALL,
    "PATCH /customers/{id}": BOOKS,
    "DELETE /customers/{id}": BOOKS,
    "POST /customers/{id}/disable": BOOKS,
    "POST /customers/{id}/enable": BOOKS,
    "GET /customers/{id}/shares": ALL,
    # Sharing hands another salesperson a customer's books to see: the books' decision, like
    # every other change to a customer (the ERP's push sets shares too).
    "POST /customers/{id}/shares": BOOKS,
    "DELETE /customers/{id}/shares/{staff_id}": BOOKS,
    "POST /customers/{id}/bind-codes": ALL,
    "POST /customers/{id}/bind-qr": ALL,
    "GET /bind-codes/{code}/qr": ALL,
    "GET /customers/{id}/documents": ALL,
    "GET /customers/{id}/profile": ALL,
    "GET /customers/{id}/tier": ALL,
    "GET /customers/{id}/penalties": ALL,
    # statements
    "POST /statements": ALL,
    "GET /statements/settings": ALL,
    "PUT /statements/settings": BOOKS,
    # the letterhead on the statement and day-report PDFs
    "GET /settings/letterhead": ALL,
    "PUT /settings/letterhead": BOOKS,
    "GET /statements": ALL,
    "GET /statements/{id}": ALL,
    "POST /statements/{id}/receive": BOOKS,
    "POST /statements/{id}/match": BOOKS,
    "POST /statements/{id}/mismatch": BOOKS,
    "POST /statements/{id}/cancel": BOOKS,
    "GET /statements/{id}/feedback": ALL,
    "GET /statements/{id}/history": ALL,
    "POST /statements/{id}/share": ALL,
    "GET /statements/{id}/share-links": ALL,
    "POST /statements/{id}/share-links/{link_id}/revoke": ALL,
    "DELETE /statements/{id}": BOOKS,
    "GET /statements/{id}/pdf": ALL,
    # deliveries and reports
    "GET /deliveries": BOOKS,
    "POST /deliveries/{id}/resend": BOOKS,
    "POST /deliveries/resend-failed": BOOKS,
    "GET /reports/deliveries": BOOKS,
    "GET /reports/statements": ALL,
    # keys
    "POST /api-keys": ADMIN_ONLY,
    "GET /api-keys": ADMIN_ONLY,
    "POST /api-keys/{id}/revoke": ADMIN_ONLY,
    # credit
    "PUT /credit/orgs/{code}": BOOKS,
    "GET /credit/orgs": BOOKS,
    "PUT /credit/budget/{year}": BOOKS,
    "GET /credit/terms": ALL,
    "PUT /credit/terms": BOOKS,
    "POST /credit/accounts": ADMIN_ONLY,
    "GET /credit/accounts": ALL,
    "GET /credit/accounts/{id}": ALL,
    "POST /credit/accounts/{id}/status": BOOKS,
    "POST /credit/accounts/{id}/limit": ADMIN_ONLY,
    "GET /credit/debts": ALL,
    "POST /credit/payments": BOOKS,
    "POST /credit/repayments": BOOKS,
    "GET /credit/customers/{id}/ledger": ALL,
    "GET /credit/overview": ALL,
    # approvals
    "POST /approvals": ALL,
    "GET /approvals": ALL,
    "GET /approvals/{id}": ALL,
    "POST /approvals/{id}/tasks/{task_id}/approve": ALL,
    "POST /approvals/{id}/tasks/{task_id}/reject": ALL,
    "POST /approvals/{id}/tasks/{task_id}/return": ALL,
    "POST /approvals/{id}/withdraw": ALL,
    "POST /approvals/{id}/resubmit": ALL,
    "PUT /departments/{name}": ADMIN_ONLY,
    # billing
    "GET /billing/bills": ALL,
    "GET /billing/exceptions": ALL,
    "POST /billing/customers/{id}/bill": ALL,
    "PUT /billing/customers/{id}/payment-mode": BOOKS,
    "POST /billing/customers/{id}/recharges": BOOKS,
    # tiers and the payments pool
    "GET /tiers/pool": ALL,
    "POST /tiers/pool/{id}/claim": (ADMIN, SALES),
    "POST /pool-payments": BOOKS,
    "GET /pool-payments": ALL,
    "GET /pool-payments/{id}": ALL,
    "POST /pool-payments/{id}/match": BOOKS,
    "POST /invoice-requests": ALL,
    "GET /invoice-requests": BOOKS,
    "POST /invoice-requests/{id}/cancel": BOOKS,
    # daily hand-over
    "POST /handover/confirm": BOOKS,
    "POST /handover/unconfirm": BOOKS,
    "POST /handover/close": BOOKS,
    "POST /handover/reopen": BOOKS,
    "GET /handover/closes": BOOKS,
    "GET /handover/settings": BOOKS,
    "PUT /handover/settings": BOOKS,
    "POST /handover/receipts/{id}/audit": BOOKS,
    "POST /handover/receipts/{id}/unaudit": BOOKS,
    "POST /handover/receipts/{id}/void": BOOKS,
    "POST /handover/remarks": BOOKS,
    "GET /handover/days": ALL,
    "GET /handover/days/{userid}/{date}": ALL,
    "GET /handover/days/{userid}/{date}/report.pdf": ALL,
}


def roles_for(method: str, canonical_path: str) -> tuple[str, ...]:
    """The roles admitted to a route (none for a route the table does not list)."""
    path = canonical_path.removeprefix(PREFIX)
    method = "GET" if method == "HEAD" else method
    return ROUTE_ROLES.get(f"{method} {path}", ())


def role_table_markdown() -> str:
    """The README's role table: one row per set of roles, naming every route it admits."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for route, roles in ROUTE_ROLES.items():
        groups.setdefault(tuple(r for r in ROLES if r in roles), []).append(route)
    rows = [f"| {' | '.join(ROLES)} | routes under `{PREFIX}` |",
            "|" + "---|" * (len(ROLES) + 1)]
    for roles, routes in sorted(groups.items(), key=lambda g: (-len(g[0]), g[0])):
        marks = " | ".join("✓" if r in roles else "" for r in ROLES)
        rows.append(f"| {marks} | {', '.join(f'`{r}`' for r in routes)} |")
    return "\n".join(rows) + "\n"


if __name__ == "__main__":
    print(role_table_markdown(), end="")
