"""The card template setting: demo defaults per card kind, overridden key by key, and a typo
refused at start with a line that names it."""

from __future__ import annotations

import pytest

from bot.card_templates import CardTemplate, load_card_templates
from tally.settings import Settings, SettingsError


def test_the_defaults_give_every_card_kind_a_template_and_the_approval_one_an_input():
    templates = load_card_templates("")
    assert templates["approval"] == CardTemplate("approval", "demo-card-approval.schema", True)
    assert not templates["dispute"].comment_input and not templates["handover"].comment_input


def test_an_override_replaces_only_what_it_names():
    templates = load_card_templates('{"approval": {"template_id": " abc.schema "}}')
    assert templates["approval"] == CardTemplate("approval", "abc.schema", True)
    assert templates["dispute"].template_id == "demo-card-dispute.schema"


@pytest.mark.parametrize(("raw", "reason"), [
    ("{", "not valid JSON"),
    ('["approval"]', "must be an object of objects"),
    ('{"aproval": {}}', "'aproval' is not a card kind (known: dispute, approval, handover)"),
    ('{"approval": {"template": "x"}}', "unknown keys ['template']"),
    ('{"approval": {"template_id": ""}}', "template_id must be a non-empty string"),
    ('{"approval": {"comment_input": "yes"}}', "comment_input must be true or false"),
])
def test_a_bad_setting_is_refused_at_start_naming_the_variable(raw, reason):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({"TALLY_DINGTALK_CARD_TEMPLATES": raw})
    assert "TALLY_DINGTALK_CARD_TEMPLATES" in str(err.value) and reason in str(err.value)
