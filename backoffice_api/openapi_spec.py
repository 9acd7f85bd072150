"""The back-office OpenAPI document's frame: title, prefix, security. Its operations are
generated from the routes' declarations (httpcommon.contract)."""

from __future__ import annotations

from backoffice_api.events import webhooks

OPENAPI = {
    "title": "Tally back-office API",
    "prefix": "/api/backoffice/v1",
    "security_schemes": {"apiKey": {"type": "http", "scheme": "bearer"}},
    "webhooks": webhooks,  # what Tally POSTs to the ERP's endpoint (domain.events)
}
