"""Bind QR rules: how long WeChat keeps the QR code, which channel may be asked for, and the
signed link's token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from domain.customers.bind_qr import (
    MAX_QR_SECONDS,
    MINIPROGRAM,
    OFFICIAL_ACCOUNT,
    MiniProgram,
    check_channel,
    image_type,
    qr_lifetime_seconds,
    read_bind_qr_token,
    sign_bind_qr_token,
)
from domain.customers.models import BindCode
from domain.errors import Conflict, DomainError
from domain.sharing import sign_share_token
from tally.settings import Settings, SettingsError

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)


def code(expires_in: timedelta) -> BindCode:
    return BindCode(code="ABCD2345", created_at=NOW, expires_at=NOW + expires_in)


def test_the_qr_code_lives_as_long_as_the_bind_code():
    assert qr_lifetime_seconds(code(timedelta(hours=72)), NOW) == 72 * 3600
    assert qr_lifetime_seconds(code(timedelta(hours=72)), NOW + timedelta(hours=71)) == 3600


def test_the_qr_code_lives_at_most_thirty_days():
    assert qr_lifetime_seconds(code(timedelta(days=45)), NOW) == MAX_QR_SECONDS == 2_592_000


def test_the_miniprogram_channel_needs_a_miniprogram():
    check_channel(MINIPROGRAM, MiniProgram("wx-mp", "pages/bind/index"))
    check_channel(OFFICIAL_ACCOUNT, MiniProgram("", "pages/bind/index"))
    with pytest.raises(Conflict) as refused:
        check_channel(MINIPROGRAM, MiniProgram("", "pages/bind/index"))
    assert refused.value.code == "miniprogram_not_configured"


def test_images_are_known_by_their_magic_bytes():
    assert image_type(b"\x89PNG\r\n\x1a\n....") == "image/png"
    assert image_type(b"\xff\xd8\xff\xe0....") == "image/jpeg"
    assert image_type(b'{"errcode": 41030}') is None


def test_a_token_names_the_code_and_channel_until_the_code_expires():
    bind = code(timedelta(hours=72))
    token = sign_bind_qr_token("k", bind, MINIPROGRAM)
    assert read_bind_qr_token("k", token, NOW) == ("ABCD2345", MINIPROGRAM)
    with pytest.raises(DomainError) as expired:
        read_bind_qr_token("k", token, NOW + timedelta(hours=72))
    assert expired.value.code == "bind_code_expired"


def test_a_statement_share_token_is_no_bind_qr_token():
    share = sign_share_token("k", f"ABCD2345-{OFFICIAL_ACCOUNT}", NOW + timedelta(days=1))
    for token in (share, sign_bind_qr_token("other", code(timedelta(hours=1)), MINIPROGRAM)):
        with pytest.raises(DomainError) as refused:
            read_bind_qr_token("k", token, NOW)
        assert refused.value.code == "bind_qr_link_invalid"


def test_the_miniprogram_version_setting_is_checked_at_start(tmp_path):
    env = {"TALLY_SECRET_KEY": "k", "TALLY_DATA_DIR": str(tmp_path)}
    assert Settings.from_env({**env, "TALLY_MP_CODE_ENV_VERSION": "trial"}).mp_code_env_version \
        == "trial"
    with pytest.raises(SettingsError, match="TALLY_MP_CODE_ENV_VERSION='beta': must be release"):
        Settings.from_env({**env, "TALLY_MP_CODE_ENV_VERSION": "beta"})
