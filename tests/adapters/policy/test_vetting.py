"""A bundle is compiled and tried in a child process first: rego-cpp crashing or hanging on it refuses it, nothing more.

The crash, the hang and the swelling below are rego-cpp's own (regopy 1.5): each of these bundles, compiled in
the test's process, would end it or hold it for minutes.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from infraplane.adapters.policy.vetting import vet
from infraplane.core.policy import BundleManifest
from infraplane.core.policy_bundles import LoadedBundle
from infraplane.errors import InputError

HEAD = "package hunt\nimport rego.v1\n"
ARITY = {
    "a.rego": "package hunt.a\nimport rego.v1\n" + 'f(x) := x + 1\ndeny contains {"rule": "A"} if f(1) == 2\n',
    "b.rego": "package hunt.b\nimport rego.v1\n" + 'f(x, y) := x + y\ndeny contains {"rule": "B"} if f(1, 2) == 3\n',
}
BACKTRACKING = {"r.rego": HEAD + 'deny contains "x" if regex.match("^(a+)+$", "' + "a" * 40 + '!")\n'}
SWELLING = {"m.rego": HEAD + 'deny contains "x" if count(numbers.range(1, 1000000000)) > 0\n'}
FINE = {"f.rego": HEAD + 'deny contains {"rule": "F"} if input.plan.resource_changes[_].type == "x"\n'}


def _bundle(modules: dict[str, str], digest: str) -> LoadedBundle:
    return LoadedBundle(BundleManifest(name="hunt", version="1.0.0"), modules, digest, b"")


def test_functions_of_one_name_with_two_arities_crash_the_child_not_us() -> None:
    with pytest.raises(InputError) as refused:
        vet(_bundle(ARITY, "sha256:arity"), None)
    reason = refused.value.problems[0].reason
    assert refused.value.problems[0].file == "hunt@1.0.0"
    assert "the Rego engine crashed (SIG" in reason and "different numbers of arguments" in reason, reason


def test_a_backtracking_regex_is_refused_after_the_time_limit() -> None:
    # On a clock the test moves: each look at the child is a second later, so 60 s pass in 60 looks.
    now = [0.0]

    def sleep(seconds: float) -> None:
        now[0] += 1.0

    started = time.monotonic()
    with pytest.raises(InputError, match="took over 60 s"):
        vet(_bundle(BACKTRACKING, "sha256:regex"), None, clock=lambda: now[0], sleep=sleep)
    assert now[0] == 61.0 and time.monotonic() - started < 5


def test_a_rule_that_takes_gigabytes_is_refused_at_the_memory_limit() -> None:
    with pytest.raises(InputError, match="took over 314,572,800 bytes of memory"):
        vet(_bundle(SWELLING, "sha256:range"), None, max_rss=300 * 1024**2)


def test_a_bundle_that_passed_is_remembered_by_its_digest(tmp_path: Path) -> None:
    vet(_bundle(FINE, "sha256:fine"), tmp_path)
    assert (tmp_path / "fine.vetted").is_file()
    started = time.monotonic()
    vet(_bundle(FINE, "sha256:fine"), tmp_path)
    assert time.monotonic() - started < 0.05  # no child this time


def test_a_rego_error_is_left_to_the_engine_to_name() -> None:
    vet(_bundle({"s.rego": "package hunt\nimport rego.v1\ndeny contains x if {\n"}, "sha256:syntax"), None)


def test_the_built_in_bundles_with_their_tests_pass() -> None:
    # Their tests as written (`with input as`) make rego-cpp abort while building: the child transforms them first.
    from infraplane.adapters.policy.bundles import load_bundle
    from infraplane.services.policy import BUILTIN_POLICIES

    for name in ("infraplane-baseline", "infraplane-approval"):
        bundle = load_bundle(BUILTIN_POLICIES / name)
        assert bundle.test_modules()
        vet(bundle, None)
