"""Files a run writes are owner-only from the moment they exist; the home check names whatever is not."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from infraplane.adapters.permissions import loose_entries
from infraplane.adapters.workdir import private_directory, write_private_bytes, write_private_json


@pytest.fixture
def open_umask() -> Iterator[None]:
    """A user whose umask lets everyone read what they create."""
    previous = os.umask(0o000)
    yield
    os.umask(previous)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.mark.usefixtures("open_umask")
def test_private_files_and_directories_are_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    work = private_directory(tmp_path / "work" / "env" / "component")
    assert _mode(work) == 0o700 and _mode(work.parent) == 0o700
    old = work / "infraplane.tfvars.json"
    old.write_text("{}")
    old.chmod(0o666)  # a file an older version left readable by all
    write_private_json(old, {"password": "p"})
    assert _mode(old) == 0o600 and '"password": "p"' in old.read_text()
    assert _mode(write_private_bytes(work / "infraplane.tfplan", b"plan")) == 0o600


def test_the_home_check_names_entries_open_to_group_or_others(tmp_path: Path) -> None:
    home = private_directory(tmp_path / "home")
    assert loose_entries(home) == []
    readable = home / "infraplane.db"
    readable.write_bytes(b"")
    readable.chmod(0o644)
    shared = home / "work"
    shared.mkdir(mode=0o700)
    shared.chmod(0o770)
    (home / "link").symlink_to(readable)  # a link's own mode means nothing
    found = loose_entries(home)
    assert [(e.path, e.is_dir) for e in found] == [(readable, False), (shared, True)]
    assert "0644" in str(found[0])
    home.chmod(0o755)
    assert loose_entries(home)[0].path == home
