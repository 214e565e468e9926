"""Shared fixtures: an isolated INFRAPLANE_HOME, the store on SQLite and on a throw-away PostgreSQL.

Safe under pytest-xdist (`make test` runs three workers): every session fixture (the sandbox
cloud, the PostgreSQL server, the published template home) is per worker, on its own free
port and under the worker's own temporary directory; only the read-only provider mirror is
shared (Terraform links work directories into it, see adapters/terraform/cli_config.py).
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from infraplane.adapters.sandbox.control import SandboxInfo, start_sandbox, stop_sandbox
from infraplane.adapters.store import SqlStore
from tests.support.cli import run_cli
from tests.support.postgres import ThrowawayPostgres, find_pg_bin
from tests.support.sandbox import free_port, use_sandbox

REPO = Path(__file__).resolve().parent.parent
EXAMPLE_CATALOG = REPO / "examples" / "catalog"
EXAMPLE_ENVIRONMENTS = REPO / "examples" / "environments"
FIXTURE_CATALOG = Path(__file__).resolve().parent / "fixtures" / "catalog"
DURATIONS = Path(__file__).resolve().parent / "durations.json"


def throwaway_postgres() -> Iterator[ThrowawayPostgres]:
    """A PostgreSQL server of its own, stopped and removed afterwards (the body of the fixtures that need one)."""
    bin_dir = find_pg_bin()
    if bin_dir is None:
        pytest.fail("PostgreSQL binaries not found; `make test` installs Debian's postgresql package")
    server = ThrowawayPostgres(bin_dir)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[ThrowawayPostgres]:
    yield from throwaway_postgres()


_database_counter = 0


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database URL: SQLite file or a new PostgreSQL database."""
    global _database_counter
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'infraplane.db'}"
    server: ThrowawayPostgres = request.getfixturevalue("postgres_server")
    _database_counter += 1
    return server.create_database(f"test_{_database_counter}")


@pytest.fixture
def store(store_url: str) -> Iterator[SqlStore]:
    store = SqlStore(store_url)
    store.migrate()
    yield store
    store.dispose()


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / ".infraplane"


@pytest.fixture
def catalog_copy(tmp_path: Path) -> Path:
    """A private copy of the example catalog that a test may edit."""
    target = tmp_path / "catalog"
    shutil.copytree(EXAMPLE_CATALOG, target)
    return target


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SandboxInfo]:
    """One real sandbox cloud (infraplane's moto server) for the whole session, on a free loopback port."""
    sandbox_home = tmp_path_factory.mktemp("sandbox-home")
    info, _ = start_sandbox(sandbox_home, free_port())
    yield info
    stop_sandbox(sandbox_home)


@pytest.fixture(scope="session")
def published_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An INFRAPLANE_HOME with the example and test catalogs published, once per worker; tests get copies."""
    template = tmp_path_factory.mktemp("published-template") / ".infraplane"
    for catalog in (EXAMPLE_CATALOG, FIXTURE_CATALOG):
        published = run_cli(template, "catalog", "publish", str(catalog))
        assert published.exit_code == 0, published.stderr
    return template


def copy_of(template: Path, home: Path) -> Path:
    """A private copy of a published home (its store, keys and settings) that a test may change."""
    shutil.copytree(template, home, dirs_exist_ok=True)
    return home


@pytest.fixture
def published_home(home: Path, published_template: Path) -> Path:
    """An INFRAPLANE_HOME with the example and test catalogs published (no sandbox)."""
    return copy_of(published_template, home)


@pytest.fixture
def cloud_home(published_home: Path, sandbox: SandboxInfo) -> Path:
    """An INFRAPLANE_HOME that uses the session's sandbox, with the example and test catalogs published."""
    use_sandbox(Path(sandbox.log).parent, published_home)
    return published_home


def _known_durations() -> dict[str, float]:
    """Seconds each long case took in a measured `make test` run (tests/durations.json), by node id."""
    try:
        table = json.loads(DURATIONS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): float(v) for k, v in table.get("seconds", {}).items()}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Longest first, so the workers start on the long end-to-end cases at once and finish together.

    `--dist loadgroup` hands the cases out in this order, each to the next free worker (a group
    stays on one worker), so this is longest-processing-time-first scheduling. The order is by the
    seconds measured in tests/durations.json (a group counts the sum of its cases); cases it does
    not list come after, the file marked `xdist_group` first, then the slow cases of the files with
    the most slow cases, then the other slow ones, then the rest. A stale or missing table only
    changes the order, never what runs.
    """
    known = _known_durations()
    slow_per_file: dict[str, int] = {}
    group_seconds: dict[str, float] = {}
    for item in items:
        if item.get_closest_marker("slow"):
            slow_per_file[item.path.name] = slow_per_file.get(item.path.name, 0) + 1
        group = item.get_closest_marker("xdist_group")
        if group:
            name = str(group.args[0]) if group.args else ""
            group_seconds[name] = group_seconds.get(name, 0.0) + known.get(item.nodeid, 0.0)

    def weight(item: pytest.Item) -> tuple[float, int, int]:
        group = item.get_closest_marker("xdist_group")
        if group:
            return (-group_seconds[str(group.args[0]) if group.args else ""], 0, 0)
        seconds = -known.get(item.nodeid, 0.0)
        if item.get_closest_marker("slow"):
            return (seconds, 1, -slow_per_file[item.path.name])
        return (seconds, 2, 0)

    items.sort(key=weight)
