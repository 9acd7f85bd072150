"""Start-up refuses what cannot work: `tally` runs as a subprocess, and each refusal is exit code 2
with one line on stderr naming what to fix, before anything is served or changed.

The refusals start together (one module fixture) so the suite pays one interpreter start-up in
wall time, not one per case."""

from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.support import REAL_CREDENTIALS

pytestmark = pytest.mark.db_agnostic  # no test database: once, on the SQLite pass

ROOT = Path(__file__).resolve().parents[3]
TALLY = [sys.executable, "-m", "tally.cli"]
WAIT = 90
UNREACHABLE_PG = "postgres://tally:pa55word@127.0.0.1:1/tally"

# case: (arguments, environment, the line's expected start or fragment)
REFUSALS = {
    "misspelt_name": (["serve", "--sandbox"], {"TALLY_JOBS_ENABLD": "false"},
                      "tally: unknown setting TALLY_JOBS_ENABLD "
                      "(did you mean TALLY_JOBS_ENABLED?)"),
    "port": (["serve", "--sandbox"], {"TALLY_PORT": "abc"},
             "tally: bad setting TALLY_PORT='abc': Input should be a valid integer"),
    "boolean": (["serve", "--sandbox"], {"TALLY_JOBS_ENABLED": "ture"},
                "tally: bad setting TALLY_JOBS_ENABLED='ture': Input should be a valid boolean"),
    "reminder_days": (["serve", "--sandbox"], {"TALLY_REMINDER_BEFORE_DAYS": "seven"},
                      "tally: bad setting TALLY_REMINDER_BEFORE_DAYS='seven': "
                      "提前提醒天数格式错误"),
    "cron": (["serve", "--sandbox"], {"TALLY_REMINDER_CRON": "61 * * * *"},
             "tally: bad setting TALLY_REMINDER_CRON='61 * * * *': not a cron expression"),
    "approval_flows": (["serve", "--sandbox"], {"TALLY_APPROVAL_FLOWS": '{"credit_application": ['},
                       "tally: bad setting TALLY_APPROVAL_FLOWS="),
    "wechat_templates": (["serve", "--sandbox"], {"TALLY_WECHAT_TEMPLATES": (
        '{"statement_issued": {"fields": {"first": "title", "keyword1": "customer"}}}')},
        "tally: bad setting TALLY_WECHAT_TEMPLATES='{\"statement_issued\": {\"fields\": "
        "{\"first\": \"title\", \"keyword1\": \"customer\"}}}': "
        "TALLY_WECHAT_TEMPLATES[statement_issued].fields: first is a historical-template field"),
    "card_templates": (["serve", "--sandbox"], {"TALLY_DINGTALK_CARD_TEMPLATES": '{"aproval": {}}'},
                       "tally: bad setting TALLY_DINGTALK_CARD_TEMPLATES='{\"aproval\": {}}': "
                       "TALLY_DINGTALK_CARD_TEMPLATES: 'aproval' is not a card kind "
                       "(known: dispute, "),
    "postgres_without_secret": (["serve", "--sandbox"], {"TALLY_DATABASE_URL": UNREACHABLE_PG},
                                "tally: TALLY_SECRET_KEY is not set: on PostgreSQL every replica "
                                "must share one secret"),
    "demo_credentials": (["serve"], {}, "tally: refusing to start outside sandbox mode with demo "
                         "or empty credentials: TALLY_WECHAT_CALLBACK_TOKEN, TALLY_WECHAT_APPID, "
                         "TALLY_WECHAT_SECRET, TALLY_MP_APPID, TALLY_MP_SECRET, "
                         "TALLY_DINGTALK_CLIENT_ID, TALLY_DINGTALK_CLIENT_SECRET, "
                         "TALLY_DINGTALK_ROBOT_CODE, TALLY_DINGTALK_CORP_ID"),
    "one_demo_credential": (["serve"], {**REAL_CREDENTIALS,
                                        "TALLY_WECHAT_CALLBACK_TOKEN": "demo-callback-token"},
                            "tally: refusing to start outside sandbox mode with demo or empty "
                            "credentials: TALLY_WECHAT_CALLBACK_TOKEN (set the real ones"),
    "demo_card_templates": (["serve"], {**REAL_CREDENTIALS,
                                        "TALLY_DINGTALK_CARD_TEMPLATES": (
                                            '{"approval": {"template_id": "a1.schema"}, '
                                            '"handover": {"template_id": "h1.schema"}}')},
                            "tally: refusing to start outside sandbox mode with the demo card "
                            "templates of dispute: set TALLY_DINGTALK_CARD_TEMPLATES"),
    "unmigrated": (["serve"], REAL_CREDENTIALS,
                   "tally: the database sqlite://{tmp}/tally.sqlite3 lacks "),
    "unreachable": (["serve", "--sandbox"], {"TALLY_DATABASE_URL": UNREACHABLE_PG,
                                             "TALLY_SECRET_KEY": "shared"},
                    "tally: cannot reach the database postgres://tally:***@127.0.0.1:1/tally: "),
    "migrate_unreachable": (["migrate"], {"TALLY_DATABASE_URL": UNREACHABLE_PG,
                                          "TALLY_SECRET_KEY": "shared"},
                            "tally: cannot reach the database "
                            "postgres://tally:***@127.0.0.1:1/tally: "),
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tally_env(tmp: Path, **settings: str) -> dict[str, str]:
    """The caller's environment without its TALLY_* settings, a fresh SQLite file and data
    directory in ``tmp``, a free port, and ``settings``."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith("TALLY_") or k.startswith("TALLY_TEST_")}
    env.update({"TALLY_DATABASE_URL": f"sqlite://{tmp}/tally.sqlite3",
                "TALLY_DATA_DIR": str(tmp / "data"), "TALLY_PORT": str(free_port()),
                "PYTHONUNBUFFERED": "1", **settings})
    return env


def start(args: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    return subprocess.Popen([*TALLY, *args], cwd=ROOT, env=env, text=True, **kwargs)


def finish(process: subprocess.Popen) -> tuple[int, str]:
    """Exit code and stderr; a process still running after WAIT seconds is stopped (a fail)."""
    try:
        _, err = process.communicate(timeout=WAIT)
    except subprocess.TimeoutExpired:
        process.kill()
        _, err = process.communicate()
        return -1, f"still running after {WAIT} s: {err}"
    return process.returncode, err


@pytest.fixture(scope="module")
def refusals(tmp_path_factory):
    """Every refusal case started at once; each test waits for its own."""
    running = {}
    for case, (args, settings, expected) in REFUSALS.items():
        tmp = tmp_path_factory.mktemp(case)
        process = start(args, tally_env(tmp, **settings), stdout=subprocess.PIPE,
                        stderr=subprocess.PIPE)
        running[case] = (process, expected.replace("{tmp}", str(tmp)))
    yield running
    for process, _ in running.values():
        if process.poll() is None:
            process.kill()
            process.communicate()


@pytest.mark.parametrize("case", list(REFUSALS))
def test_start_up_refuses_what_cannot_work_with_one_line_naming_it(refusals, case):
    process, expected = refusals[case]
    code, err = finish(process)
    assert err.startswith(expected), err
    assert err.count("\n") == 1 and "Traceback" not in err, err
    assert code == 2
    assert "pa55word" not in err


def test_migrate_names_the_database_without_its_password(database_url, tmp_path):
    url = database_url
    if url.startswith("postgres://"):  # trust auth: any password passes, and must not show
        url = url.replace("postgres://postgres@", "postgres://postgres:pa55word@")
    result = subprocess.run([*TALLY, "migrate"], cwd=ROOT, capture_output=True, text=True,
                            env=tally_env(tmp_path, TALLY_DATABASE_URL=url,
                                          TALLY_SECRET_KEY="shared"), timeout=WAIT)
    assert result.returncode == 0, result.stderr
    shown = url.replace(":pa55word@", ":***@")
    assert result.stdout.strip().splitlines()[-1] == f"migrations applied to {shown}"
    assert "pa55word" not in result.stdout + result.stderr


def test_a_port_in_use_by_another_program_is_refused_before_the_database_is_touched(tmp_path):
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        env = tally_env(tmp_path, TALLY_PORT=str(port))
        code, err = finish(start(["serve", "--sandbox", "--migrate", "--demo"], env,
                                 stderr=subprocess.PIPE, stdout=subprocess.DEVNULL))
    assert code == 2
    assert err == (f"tally: port {port} on 127.0.0.1 is already in use (by another program, "
                   f"or a Tally still starting); stop it or set TALLY_PORT\n")
    assert not (tmp_path / "tally.sqlite3").exists()


def _wait_until_ready(port: int, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        assert process.poll() is None, "the first demo stopped"
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as resp:
                if json.loads(resp.read()).get("status") == "ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError("the first demo did not come up")


def _statements(port: int, key: str) -> int:
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/backoffice/v1/statements",
                                     headers={"Authorization": f"Bearer {key}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return response.status


def test_make_run_twice_says_the_demo_is_running_and_keeps_its_key(tmp_path):
    env = tally_env(tmp_path, TALLY_JOBS_ENABLED="false")
    port = int(env["TALLY_PORT"])
    demo = ["serve", "--sandbox", "--migrate", "--demo", "--quiet"]  # what `make run` runs
    log = tmp_path / "first.out"
    with log.open("w") as out:
        first = start(demo, env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_until_ready(port, first)
        key = re.search(r"back-office API key \(admin\): (\S+)", log.read_text()).group(1)
        code, err = finish(start(demo, env, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL))
        assert code == 2
        assert err == (f"tally: Tally is already running at http://127.0.0.1:{port} — nothing "
                       f"started, and its API key still works; stop it first, or set TALLY_PORT "
                       f"to run another\n")
        assert _statements(port, key) == 200
    finally:
        first.terminate()
        first.wait(timeout=WAIT)


def _dry_run(target: str) -> str:
    return subprocess.run(["make", "-n", "-B", "--no-print-directory", target], cwd=ROOT,
                          capture_output=True, text=True, check=True, timeout=WAIT).stdout


def test_the_demo_installs_the_service_without_the_test_tools():
    run = _dry_run("run")
    assert "pip install --quiet -e .\n" in run
    assert "[dev]" not in run
    assert run.strip().endswith("tally serve --sandbox --migrate --demo")
    assert "pip install --quiet -e '.[dev]'" in _dry_run("test")
