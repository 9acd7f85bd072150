"""The files docs/production.md installs: the systemd units pass `systemd-analyze verify` and
the nginx config `nginx -t` (the whole guide runs in `make check-guide`, about a minute)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.db_agnostic  # no test database: once, on the SQLite pass

ROOT = Path(__file__).resolve().parents[2]
UNITS = sorted((ROOT / "deploy" / "systemd").glob("*.service"))
NGINX_CONF = ROOT / "deploy" / "nginx" / "tally.conf"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


def _run(*command: str) -> subprocess.CompletedProcess:
    return subprocess.run(command, capture_output=True, text=True, timeout=60)


def test_the_units_cover_replicas_workers_and_migrations():
    assert {unit.name for unit in UNITS} == {
        "tally@.service", "tally-deliver@.service", "tally-migrate.service"}
    replica = (ROOT / "deploy/systemd/tally@.service").read_text()
    assert "TALLY_PORT=%i" in replica and "TALLY_DELIVERY_WORKER=false" in replica
    assert "ExecStart=/opt/tally/.venv/bin/tally deliver" in (
        ROOT / "deploy/systemd/tally-deliver@.service").read_text()


@pytest.mark.skipif(not shutil.which("systemd-analyze"), reason="systemd-analyze not installed")
def test_the_systemd_units_pass_systemd_analyze_verify(tmp_path):
    for unit in UNITS:  # the release at /opt/tally is this checkout
        (tmp_path / unit.name).write_text(unit.read_text().replace("/opt/tally", str(ROOT)))
    result = _run("systemd-analyze", "verify", *map(str, sorted(tmp_path.iterdir())))
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == "", result.stderr


@pytest.mark.skipif(not Path(NGINX).exists(), reason="nginx not installed (scripts/system-deps.sh)")
def test_the_nginx_config_passes_nginx_t(tmp_path):
    tls = tmp_path / "tls"
    tls.mkdir()
    made = _run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                "-subj", "/CN=tally.example.com", "-keyout", str(tls / "privkey.pem"),
                "-out", str(tls / "fullchain.pem"))
    assert made.returncode == 0, made.stderr
    conf = NGINX_CONF.read_text().replace("/etc/tally/tls", str(tls))
    conf = conf.replace("/var/log/nginx", str(tmp_path))
    conf = re.sub(r"listen (\[::\]:)?(80|443)", lambda m: f"listen 127.0.0.1:{m[2]}", conf)
    conf = re.sub(r"\n\s*listen 127\.0\.0\.1:(80|443)( ssl http2)?;(?=\n\s*listen 127\.0\.0\.1:\1)",
                  "", conf)
    (tmp_path / "tally.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{\n  access_log {tmp_path}/access.log;\n  include {tmp_path}/tally.conf;\n}}\n")
    result = _run(NGINX, "-t", "-e", str(tmp_path / "error.log"),
                  "-c", str(tmp_path / "nginx.conf"))
    assert result.returncode == 0, result.stderr
