"""Comparing two bundle versions' findings, and which packages can change them (core/replay.py)."""

from __future__ import annotations

from infraplane.core.policy import BundleManifest, BundleRef, Finding
from infraplane.core.policy_bundles import LoadedBundle
from infraplane.core.replay import ReplayDocument, ReplayReport, Source, changed_packages, compare


def _document(environment: str, component: str, source: Source) -> ReplayDocument:
    return ReplayDocument(environment, "shop", "dev", component, "queue", "plan", source, {})


STATE = _document("shop-dev", "jobs", Source("state"))
PLAN = _document("shop-dev", "jobs", Source("plan", "p-1", "pending"))


def _finding(rule: str, severity: str, address: str = "aws_sqs_queue.this") -> Finding:
    return Finding(rule, severity, address, f"{rule} on {address}")  # type: ignore[arg-type]


def test_findings_are_compared_by_what_they_name_and_sources_merge() -> None:
    changes = compare(
        [
            (
                STATE,
                [_finding("Q-1", "deny"), _finding("Q-2", "warn")],
                [_finding("Q-1", "warn"), _finding("Q-3", "deny")],
            ),
            (PLAN, [_finding("Q-4", "warn")], [_finding("Q-3", "deny"), _finding("Q-4", "warn")]),
        ]
    )
    found = {(c.change, c.rule, c.severity, c.was, c.sources) for c in changes}
    assert found == {
        ("newly-warns", "Q-1", "warn", "deny", ("state",)),  # a deny that becomes a warning
        ("stops-firing", "Q-2", "warn", "warn", ("state",)),
        ("newly-denies", "Q-3", "deny", "", ("state", "plan of p-1 (pending)")),  # one change, both sources
    }
    report = ReplayReport(_ref(), None, ("shop-dev",), 2, changes)
    assert report.denied_environments == ("shop-dev",)
    assert ReplayReport.from_dict(report.as_dict()) == report


def _ref() -> BundleRef:
    return BundleRef("queues", "1.1.0", "sha256:new")


def _bundle(version: str, modules: dict[str, str], params: dict[str, object] | None = None) -> LoadedBundle:
    manifest = BundleManifest(name="queues", version=version, params=params or {})
    return LoadedBundle(manifest, modules, f"sha256:{version}", b"")


LIB = 'package q.lib\nimport rego.v1\nqueue(rc) if rc.type == "aws_sqs_queue"\n'
RULES = (
    "package q.rules\nimport rego.v1\nimport data.q.lib\n"
    "deny contains f if { some rc in input.plan.resource_changes; lib.queue(rc); f := {} }\n"
)
OTHER = "package q.other\nimport rego.v1\nwarn contains f if { false; f := {} }\n"


def test_only_changed_packages_and_their_readers_are_evaluated() -> None:
    old = _bundle("1.0.0", {"lib.rego": LIB, "rules.rego": RULES, "other.rego": OTHER, "rules_test.rego": "x"})
    assert changed_packages(None, old) is None
    assert changed_packages(old, old) == ()
    tests_only = _bundle("1.0.1", {**old.modules, "rules_test.rego": "package q.rules_test\n# more tests\n"})
    assert changed_packages(old, tests_only) == ()
    other = _bundle("1.1.0", {**old.modules, "other.rego": OTHER.replace("false", "true")})
    assert changed_packages(old, other) == ("q.other",)
    lib = _bundle("1.2.0", {**old.modules, "lib.rego": LIB + "# a comment moves nothing, but the text differs\n"})
    assert changed_packages(old, lib) == ("q.lib", "q.rules")  # rules reads lib
    added = _bundle("1.3.0", {**old.modules, "new.rego": "package q.new\nimport rego.v1\n"})
    assert changed_packages(old, added) == ("q.new",)
    assert changed_packages(old, _bundle("2.0.0", old.modules, {"limit": 3})) is None  # params reach every package
