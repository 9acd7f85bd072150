"""The business, by context. MODEL_MODULES lists every module of tortoise models (one app,
"models"): the database set-up and the migration tool load them all."""

MODEL_MODULES = [
    "domain.org.models",
    "domain.customers.models",
    "domain.documents.models",
    "domain.statements.models",
    "domain.notices.models",
    "domain.credit.models",
    "domain.approvals.models",
    "domain.billing.models",
    "domain.payments.models",
    "domain.tiers.models",
    "domain.system.models",
    "domain.events.models",
]
