"""The workbench's DingTalk sign-in settings: the org's corp id (免登 asks codes for it) and the
host of DingTalk's OAuth page (QR login). Each bad value is refused naming its variable, and
the fake's demo corp id is refused outside the sandbox, as the other demo credentials are."""

from __future__ import annotations

import pytest

from tally.settings import Settings, SettingsError
from tally.startup import StartupError, refuse_demo_credentials
from tests.support import REAL_CREDENTIALS


def settings_with(**env: str) -> Settings:
    return Settings.from_env({**REAL_CREDENTIALS, "TALLY_SECRET_KEY": "k", **env})


def test_real_values_are_taken_and_the_login_host_defaults_to_dingtalks():
    settings = settings_with(TALLY_DINGTALK_CORP_ID="ding1a2b3c4d5e6f")
    assert settings.dingtalk_corp_id == "ding1a2b3c4d5e6f"
    assert settings.dingtalk_login_base == "https://login.dingtalk.com"
    refuse_demo_credentials(settings)


@pytest.mark.parametrize("variable, value, reason", [
    ("TALLY_DINGTALK_CORP_ID", "", "must be the org's CorpId"),
    ("TALLY_DINGTALK_CORP_ID", "ding 1a2b", "must be the org's CorpId"),
    ("TALLY_DINGTALK_LOGIN_BASE", "login.dingtalk.com", "must be an http(s):// URL"),
])
def test_a_value_that_cannot_work_is_refused_naming_its_variable(variable, value, reason):
    with pytest.raises(SettingsError, match=f"{variable}='{value}': {reason}".replace(
            "(", r"\(").replace(")", r"\)")):
        settings_with(**{variable: value})


def test_the_fakes_corp_id_is_refused_outside_the_sandbox():
    demo = {k: v for k, v in REAL_CREDENTIALS.items() if k != "TALLY_DINGTALK_CORP_ID"}
    with pytest.raises(StartupError, match="credentials: TALLY_DINGTALK_CORP_ID "):
        refuse_demo_credentials(Settings.from_env({**demo, "TALLY_SECRET_KEY": "k"}))
