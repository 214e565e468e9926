"""A published module's interface is parsed once per digest, in memory and across processes (a JSON file)."""

from __future__ import annotations

from pathlib import Path

import pytest

from infraplane.adapters import terraform_module
from infraplane.adapters.terraform_module import ModuleInterfaceCache, read_module_interface

MODULE = Path(__file__).resolve().parents[2] / "fixtures" / "catalog" / "volume" / "module"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []

    def counting(directory: Path):  # type: ignore[no-untyped-def]
        calls.append(directory)
        return read_module_interface(directory)

    monkeypatch.setattr(terraform_module, "read_module_interface", counting)
    return calls


def test_one_parse_per_digest_and_the_same_interface_from_disk(tmp_path: Path, parses: list[Path]) -> None:
    first = ModuleInterfaceCache(tmp_path / "cache")
    interface, problems = first.read("sha256:aaa", "./module", MODULE)
    assert problems == [] and interface.variables
    assert first.read("sha256:aaa", "./module", MODULE) == (interface, [])
    assert len(parses) == 1
    # A new process (a new cache object) reads the JSON file, not the HCL.
    again, _ = ModuleInterfaceCache(tmp_path / "cache").read("sha256:aaa", "./module", MODULE)
    assert again == interface
    assert len(parses) == 1
    # Another digest is another version: parsed anew.
    ModuleInterfaceCache(tmp_path / "cache").read("sha256:bbb", "./module", MODULE)
    assert len(parses) == 2


def test_a_damaged_cache_file_is_parsed_again(tmp_path: Path, parses: list[Path]) -> None:
    cache = tmp_path / "cache"
    interface, _ = ModuleInterfaceCache(cache).read("sha256:aaa", ".", MODULE)
    [entry] = cache.glob("*.json")
    entry.write_text("{not json")
    assert ModuleInterfaceCache(cache).read("sha256:aaa", ".", MODULE) == (interface, [])
    assert len(parses) == 2


def test_a_module_with_hcl_problems_is_not_cached(tmp_path: Path) -> None:
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "main.tf").write_text('variable "x" {\n')
    cache = ModuleInterfaceCache(tmp_path / "cache")
    _, problems = cache.read("sha256:ccc", ".", broken)
    assert problems and "cannot parse HCL" in problems[0].reason
    assert not (tmp_path / "cache").exists() or not any((tmp_path / "cache").iterdir())
