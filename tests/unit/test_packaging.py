"""Every package of the service is in the installed distribution: `pip install .` (production)
and `make run` (an editable install run as `.venv/bin/tally`) import only what pyproject.toml
lists, while the tests also see the source tree, so a missing package fails only outside them."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _service_packages() -> set[str]:
    return {path.parent.name for path in ROOT.glob("*/__init__.py")} - {"tests"}


def test_every_service_package_is_installed_and_first_party():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    included = project["tool"]["setuptools"]["packages"]["find"]["include"]
    first_party = project["tool"]["ruff"]["lint"]["isort"]["known-first-party"]
    packages = _service_packages()
    assert {"domain", "bot", "tally", "workbench"} <= packages
    assert [p for p in sorted(packages)
            if not any(fnmatch.fnmatch(p, pattern) for pattern in included)] == []
    assert sorted(packages - set(first_party)) == []
