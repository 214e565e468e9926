"""Hostile inputs: one published home shared by the suite, and what every refusal must look like.

Every case asserts what a user (or an agent) sees: exit code 2, a short message naming the
file and the field, no traceback, and a store whose audit chain and catalog did not move.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from infraplane.interfaces.container import Container
from infraplane.settings import load_settings
from tests.conftest import EXAMPLE_CATALOG, FIXTURE_CATALOG
from tests.support.cli import CliResult, run_cli


@dataclass(frozen=True)
class StoreView:
    """What the store holds: every audit event, the verified chain head, every published version."""

    audit_log: tuple[str, ...]
    audit_head: str
    catalog: tuple[tuple[str, str, bool], ...]


def store_view(home: Path) -> StoreView:
    """The store read in-process after a case (each case's own CLI run is the subprocess)."""
    container = Container(load_settings(home=home))
    try:
        events = tuple(json.dumps(e.as_dict(), sort_keys=True) for e in container.audit.events())
        head = str(container.audit.verify().head)
        versions = tuple(sorted((v.ref, v.digest, v.deprecated) for v in container.catalog.all_versions()))
    finally:
        container.close()
    return StoreView(events, head, versions)


@dataclass(frozen=True)
class CliView:
    """The same through the command line: `audit log --json`, `audit verify`, `catalog list --json`."""

    audit_log: str
    audit_verify: str
    catalog: str


def cli_view(home: Path) -> CliView:
    log = run_cli(home, "audit", "log", "--json")
    verify = run_cli(home, "audit", "verify")
    listed = run_cli(home, "catalog", "list", "--json")
    for result in (log, verify, listed):
        assert result.exit_code == 0, result.stderr
    return CliView(log.stdout, verify.stdout, listed.stdout)


@pytest.fixture(scope="session")
def published_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home with the example and fixture catalogs published (never changed by a case)."""
    home = tmp_path_factory.mktemp("hostile") / ".infraplane"
    for catalog in (EXAMPLE_CATALOG, FIXTURE_CATALOG):
        result = run_cli(home, "catalog", "publish", str(catalog))
        assert result.exit_code == 0, result.stderr
    return home


@pytest.fixture(scope="session")
def baseline(published_home: Path) -> StoreView:
    return store_view(published_home)


@pytest.fixture(scope="session")
def cli_baseline(published_home: Path) -> CliView:
    """Taken before the first case; each module's last test compares the command line's view to it."""
    return cli_view(published_home)


@pytest.fixture
def configured_home(published_home: Path, tmp_path: Path) -> Callable[[str], Path]:
    """A copy of the published home with a config.yaml of one's own (the shared home keeps its defaults)."""

    def make(config: str) -> Path:
        home = tmp_path / "configured" / ".infraplane"
        shutil.copytree(published_home, home, ignore=shutil.ignore_patterns("work", "cache"))
        (home / "config.yaml").write_text(config)
        return home

    return make


def assert_refused(result: CliResult, *needles: str, limit: int = 600) -> str:
    """Exit 2, no traceback, a short message holding every needle; returns stderr."""
    output = result.stdout + result.stderr
    assert result.exit_code == 2, output[:2000]
    assert "Traceback" not in output, output[:2000]
    assert len(result.stderr) < limit, result.stderr[:2000]
    for needle in needles:
        assert needle in result.stderr, result.stderr
    return result.stderr
