"""The back-office OpenAPI document's frame: title, prefix, security. Its operations are
generated from the routes' declarations (httpcommon.contract); the routes helper B has not yet
declared still bring their hand-written OPERATIONS (remove each with its module)."""

from __future__ import annotations

from backoffice_api import (
    openapi_approvals,
    openapi_credit,
    openapi_credit_reports,
    openapi_payments,
    openapi_tiers,
)
from httpcommon import openapi as shared

MONEY = shared.MONEY
DATE = shared.DATE
ID = shared.ID
TEXT = {"type": "string"}

# the statement as the mini-program's hand-written entries state it (until they are declared:
# httpcommon.replies.Statement is the declared one)
USAGE_DETAIL = {"type": "object", "description": "only on a usage bill: how it was priced",
                "properties": {
    "price_type": {"enum": ["uniform", "stage", "tiered"]}, "price_type_label": TEXT,
    "quantity": ID, "unit_price": {"type": ["string", "null"]},
    "accounts": {"type": "array", "items": {"type": "object", "properties": {
        "account": TEXT, "quantity": ID}}},
    "slices": {"type": "array", "items": {"type": "object", "properties": {
        "from": ID, "to": {"type": ["integer", "null"]}, "quantity": ID,
        "price": TEXT, "amount": TEXT}}}}}
LINE = {"type": "object", "properties": {
    "number": {"type": "string"},
    "type": {"enum": ["sales_out", "sales_return", "receipt", "bill", "prepaid_draw"]},
    "type_label": {"type": "string"}, "date": DATE, "amount": MONEY, "owed": MONEY,
    "account": {"type": "string"}, "detail": USAGE_DETAIL}}
STATEMENT = {"type": "object", "properties": {
    "id": ID, "customer_id": ID, "date_from": DATE, "date_to": DATE,
    "opening": MONEY, "increase": MONEY, "receipts": MONEY, "closing": MONEY,
    "line_count": ID, "owed_total": MONEY, "received_amount": MONEY,
    "status": {"enum": ["unconfirmed", "matched", "mismatched"]},
    "status_label": {"type": "string"}, "source_changed": {"type": "boolean"},
    "answered_by": {"type": "string",
                    "description": "答复人：联系人姓名，或 通过分享链接（时间，设备）"},
    "view_count": ID, "first_viewed_at": {"type": ["string", "null"]},
    "last_viewed_at": {"type": ["string", "null"]},
    "actions": {"type": "array", "items": {"enum": [
        "receive", "mismatch", "match", "feedback", "share", "delete", "cancel"]}},
    "lines": {"type": "array", "items": LINE}}}
OPERATIONS = {**openapi_credit.OPERATIONS, **openapi_approvals.OPERATIONS,
              **openapi_credit_reports.OPERATIONS, **openapi_tiers.OPERATIONS,
              **openapi_payments.OPERATIONS}

OPENAPI = {
    "title": "Tally back-office API",
    "prefix": "/api/backoffice/v1",
    "operations": OPERATIONS,
    "security_schemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
}
