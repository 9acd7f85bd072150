"""DingTalk card-platform templates (卡片平台): which template each card kind is drawn with.

A template is designed in DingTalk's developer console and published with a ``cardTemplateId``
(``….schema``). Tally's templates all bind the same variables of ``cardParamMap`` (string values,
as the card platform requires): ``title``, ``markdown`` (the body) and ``buttons`` (a JSON array
of ``{"id", "label", "primary", "url"?}``: a button with a ``url`` opens it, any other sends
``{"action": id}`` back on the stream topic). A template that also has a text input bound to
``comment`` sends its value in the press's ``params``: only then can 驳回 / 退回 take their comment
on the card; otherwise those buttons open Tally's approval page.

``settings.dingtalk_card_templates`` is a JSON object keyed by card kind; each entry overrides the
demo defaults below key by key, e.g.::

    {"approval": {"template_id": "1a2b….schema", "comment_input": true}}
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.template_settings import template_overrides

# The card kinds (bot.cards.DISPUTE, bot.approval_cards.APPROVAL, bot.handover_cards.HANDOVER).
DEFAULTS: dict[str, dict] = {
    "dispute": {"template_id": "demo-card-dispute.schema", "comment_input": False},
    "approval": {"template_id": "demo-card-approval.schema", "comment_input": True},
    "handover": {"template_id": "demo-card-handover.schema", "comment_input": False},
}
ENTRY_KEYS = frozenset({"template_id", "comment_input"})
SETTING = "TALLY_DINGTALK_CARD_TEMPLATES"


@dataclass(frozen=True)
class CardTemplate:
    kind: str
    template_id: str
    comment_input: bool = False  # the template has a text input bound to ``comment``


def load_card_templates(raw: str) -> dict[str, CardTemplate]:
    """The templates by card kind: the demo defaults overridden by ``raw`` (JSON; empty for
    none). Raises ValueError on malformed JSON, unknown kinds or keys, so a typo fails at start."""
    overrides = template_overrides(raw, SETTING, DEFAULTS, ENTRY_KEYS, "card kind")
    return {kind: _template(kind, {**base, **overrides.get(kind, {})})
            for kind, base in DEFAULTS.items()}


def _template(kind: str, entry: dict) -> CardTemplate:
    template_id = entry.get("template_id")
    if not isinstance(template_id, str) or not template_id.strip():
        raise ValueError(f"{SETTING}[{kind}].template_id must be a non-empty string")
    if not isinstance(entry.get("comment_input", False), bool):
        raise ValueError(f"{SETTING}[{kind}].comment_input must be true or false")
    return CardTemplate(kind, template_id.strip(), bool(entry.get("comment_input", False)))
