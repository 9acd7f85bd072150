"""The look-up tables filled at composition, not by importing a module: the approval engine's
flow kinds, the DingTalk cards' buttons and the org sync's directory reader. Each is declared
beside its own use case or card; this lists them. The app (``tally.app``), the CLI
(``tally.cli``) and the tests' fixtures call ``build_registries`` before anything looks a kind
up; calling it again changes nothing."""

from __future__ import annotations

from bot.approval_cards import APPROVAL_CARD
from bot.cards import DISPUTE_CARD, register_card
from bot.dingtalk_contacts import read_directory
from bot.handover_cards import HANDOVER_CARD
from domain.approvals.kinds import CREDIT_KINDS, register_kind
from domain.events.publish import set_webhook_endpoints
from domain.payments.flow_kinds import PAYMENTS_KINDS
from domain.tiers.claim_kind import POOL_CLAIM_KIND
from jobs.org_sync import register_directory_reader

FLOW_KINDS = (*CREDIT_KINDS, *PAYMENTS_KINDS, POOL_CLAIM_KIND)
CARDS = (DISPUTE_CARD, APPROVAL_CARD, HANDOVER_CARD)


def build_registries() -> None:
    """Register every flow kind with the approval engine, every card kind's buttons and the
    reader of DingTalk's contacts."""
    for kind in FLOW_KINDS:
        register_kind(kind)
    for card in CARDS:
        register_card(card)
    register_directory_reader(read_directory)


def configure_events(settings) -> None:
    """Which webhook endpoints each published event is queued for (none without a URL)."""
    set_webhook_endpoints(sorted(settings.webhook_endpoints()))
