"""A seller without a mini-program leaves TALLY_MP_APPID and TALLY_MP_SECRET empty: the service
starts (notices carry the link alone); half a mini-program or its demo values do not."""

from __future__ import annotations

import pytest

from tally.settings import Settings
from tally.startup import StartupError, refuse_demo_credentials
from tests.support import REAL_CREDENTIALS

REAL = Settings.from_env({**REAL_CREDENTIALS, "TALLY_SECRET_KEY": "k"})


def with_mp(appid: str, secret: str) -> Settings:
    return Settings.from_env({**REAL_CREDENTIALS, "TALLY_SECRET_KEY": "k",
                              "TALLY_MP_APPID": appid, "TALLY_MP_SECRET": secret})


def test_no_mini_program_is_a_valid_configuration():
    settings = with_mp("", "")
    refuse_demo_credentials(settings)
    assert settings.mini_program is False and REAL.mini_program is True


@pytest.mark.parametrize("appid, secret, named", [
    ("wx0987654321", "", "TALLY_MP_SECRET"), ("", "real-secret", "TALLY_MP_APPID"),
    ("wx-demo-miniapp", "demo-miniapp-secret", "TALLY_MP_APPID, TALLY_MP_SECRET"),
])
def test_half_a_mini_program_or_the_demo_one_is_refused(appid, secret, named):
    with pytest.raises(StartupError, match=f"credentials: {named} "):
        refuse_demo_credentials(with_mp(appid, secret))
