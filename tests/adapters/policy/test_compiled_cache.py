"""Compiled bundles kept by digest: a later engine loads the program instead of compiling it, and decides alike.

A saved program that does not match its SHA-256 (a torn write, a changed file) is compiled again and replaced,
never evaluated.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from infraplane.adapters.policy.bundles import load_bundle
from infraplane.adapters.policy.compiled import CompiledBundles
from infraplane.adapters.policy.engine import RegoEngine
from infraplane.core.plan import normalize_plan
from infraplane.core.policy import plan_input
from infraplane.services.policy import BUILTIN_POLICIES

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
BASELINE = load_bundle(BUILTIN_POLICIES / "infraplane-baseline")


def _decide(engine: RegoEngine) -> list[dict[str, str]]:
    plan = normalize_plan(json.loads((FIXTURES / "policies" / "STO-001" / "bad" / "plan.json").read_text()))
    document = plan_input(plan, {"tier": "dev"}, {}, {})
    return [f.as_dict() for f in engine.evaluate("plan", document, "dev", "", "").findings]


def test_a_bundle_compiled_once_is_loaded_by_the_next_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cache = tmp_path / "compiled"
    first = _decide(RegoEngine([BASELINE], cache))
    assert {f["rule"] for f in first} == {"STO-001"}
    saved = sorted(p.name for p in cache.iterdir())
    assert len(saved) == 2 and saved[0].endswith(".rbb") and saved[1].endswith(".sha256")
    assert saved[0].startswith(BASELINE.digest.removeprefix("sha256:"))

    # The next engine must not compile: make compiling fail, and it still decides the same.
    def no_compiling(*_: object, **__: object) -> object:
        raise AssertionError("compiled again although a compiled bundle is saved")

    monkeypatch.setattr("regopy.Interpreter.build", no_compiling)
    assert _decide(RegoEngine([BASELINE], cache)) == first


def test_a_saved_program_that_does_not_match_its_checksum_is_compiled_again(tmp_path: Path) -> None:
    cache = tmp_path / "compiled"
    first = _decide(RegoEngine([BASELINE], cache))
    program = next(cache.glob("*.rbb"))
    program.write_bytes(program.read_bytes()[:1000])  # torn
    assert CompiledBundles(cache).load(BASELINE.digest, ["infraplane/baseline/storage/deny"]) is None
    assert _decide(RegoEngine([BASELINE], cache)) == first
    # Compiled again and replaced: the saved program matches its checksum once more.
    entrypoints = [name for _, name in BASELINE.entrypoints()]
    assert CompiledBundles(cache).load(BASELINE.digest, entrypoints) is not None


def test_an_unwritable_cache_only_costs_a_compilation(tmp_path: Path) -> None:
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    assert _decide(RegoEngine([BASELINE], blocked / "compiled")) == _decide(RegoEngine([BASELINE]))


def test_only_the_newest_programs_are_kept(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("infraplane.adapters.policy.compiled.KEEP", 1)
    cache = tmp_path / "compiled"
    _decide(RegoEngine([BASELINE], cache))
    older = next(cache.glob("*.rbb"))
    other = BASELINE.__class__(BASELINE.manifest, BASELINE.modules, "sha256:" + "0" * 64, b"")  # as if edited
    _decide(RegoEngine([other], cache))
    assert [p.name for p in cache.glob("*.rbb")] == [f"{'0' * 64}-{older.name.split('-')[1]}"]
    assert len(list(cache.glob("*.sha256"))) == 1
