"""Evaluating bundles with regopy: findings from `deny`/`warn`, and a bundle's own Rego tests."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from regopy import Interpreter, RegoError

from infraplane.adapters.policy.bundles import LoadedBundle
from infraplane.adapters.policy.rego_tests import TestRule, transform_test_module
from infraplane.core.policy import Finding, Hook, PolicyDecision
from infraplane.errors import InputError, Problem

__all__ = ["RegoEngine", "TestResult"]

_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)", re.MULTILINE)
_LOCATION = re.compile(r"--\s*([^\s:]+\.rego):(\d+):(\d+)")
_MESSAGE = re.compile(r"\(errormsg \d+:([^)]*)\)")


@dataclass(frozen=True)
class TestResult:
    bundle: str
    package: str
    name: str
    passed: bool
    note: str = ""


@contextmanager
def _captured_stdout() -> Iterator[list[str]]:
    """regopy's native code prints compile errors on file descriptor 1; keep them off our stdout."""
    captured: list[str] = []
    sys.stdout.flush()
    saved = os.dup(1)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 1)
        try:
            yield captured
        finally:
            os.dup2(saved, 1)
            os.close(saved)
            sink.seek(0)
            captured.append(sink.read().decode("utf-8", errors="replace"))


def _rego_problem(bundle: LoadedBundle, error: Exception, printed: str = "") -> InputError:
    text = f"{printed}\n{error}"
    location = _LOCATION.search(text)
    message = _MESSAGE.search(text)
    lines = [line.strip() for line in printed.splitlines() if line.strip() and line.strip() != "Errors:"]
    reason = message.group(1).strip() if message else (lines[0] if lines else str(error).strip().splitlines()[0])
    file = location.group(1) if location else ""
    field = f"line {location.group(2)}, column {location.group(3)}" if location else ""
    return InputError.from_problems(
        [Problem(f"{bundle.manifest.ref}/{file}" if file else bundle.manifest.ref, field, f"Rego error: {reason}")]
    )


def _values(output: Any) -> list[Any]:
    results = getattr(output, "results", None) or []
    values: list[Any] = []
    for result in results:
        expressions = getattr(result, "expressions", None)
        if expressions is None:
            expressions = result[0] if isinstance(result, tuple | list) else []
        values.extend(expressions)
    return values


def _findings(value: Any, severity: str, bundle: str) -> list[Finding]:
    items = value if isinstance(value, list) else list(value.values()) if isinstance(value, Mapping) else []
    found = []
    for item in items:
        if isinstance(item, Mapping):
            found.append(
                Finding(
                    rule=str(item.get("rule", "UNNAMED")),
                    severity="deny" if severity == "deny" else "warn",
                    address=str(item.get("address", "")),
                    message=str(item.get("message") or item.get("msg") or ""),
                    remediation=str(item.get("remediation", "")),
                    attribute=str(item.get("attribute", "")),
                    bundle=bundle,
                )
            )
        else:
            found.append(Finding("UNNAMED", "deny" if severity == "deny" else "warn", "", str(item), bundle=bundle))
    return found


class RegoEngine:
    """One compiled interpreter per bundle, reused across evaluations (regopy is not thread-safe: one lock)."""

    def __init__(self, bundles: list[LoadedBundle]) -> None:
        self.bundles = bundles
        self._interpreters: dict[str, Interpreter] = {}
        self._lock = threading.Lock()

    def _interpreter(self, bundle: LoadedBundle, with_tests: bool = False) -> Interpreter:
        key = bundle.digest + (":tests" if with_tests else "")
        if key not in self._interpreters:
            interpreter = Interpreter()
            for name, text in bundle.modules.items():
                if with_tests or not name.endswith("_test.rego"):
                    with _captured_stdout() as printed:
                        try:
                            interpreter.add_module(name, text)
                        except RegoError as exc:
                            error = exc
                        else:
                            continue
                    raise _rego_problem(bundle, error, "".join(printed))
            self._interpreters[key] = interpreter
        return self._interpreters[key]

    def check(self) -> None:
        """Compile every bundle now, so a syntax error is reported before anything is evaluated."""
        for bundle in self.bundles:
            self.evaluate_bundle(bundle, "plan", {"hook": "plan", "params": {}, "plan": {"resource_changes": []}})

    def evaluate_bundle(self, bundle: LoadedBundle, hook: Hook, document: Mapping[str, Any]) -> list[Finding]:
        with self._lock:
            interpreter = self._interpreter(bundle)
            params = {**bundle.manifest.params, **dict(document.get("params") or {})}
            interpreter.set_input({**document, "params": params})
            findings: list[Finding] = []
            for package in bundle.policy_packages():
                for severity in ("deny", "warn"):
                    try:
                        output = interpreter.query(f"data.{package}.{severity}")
                    except RegoError as exc:
                        raise _rego_problem(bundle, exc) from None
                    for value in _values(output):
                        findings += _findings(value, severity, bundle.manifest.ref)
        return findings

    def evaluate(self, hook: Hook, document: Mapping[str, Any], tier: str, team: str, blueprint: str) -> PolicyDecision:
        """Run every bundle whose scope covers this hook, tier, team and blueprint."""
        findings: list[Finding] = []
        used = []
        for bundle in self.bundles:
            if bundle.manifest.scope.applies(hook, tier, team, blueprint):
                findings += self.evaluate_bundle(bundle, hook, document)
                used.append(bundle.ref)
        ordered = sorted(findings, key=lambda f: (f.severity != "deny", f.rule, f.address))
        return PolicyDecision(hook, tuple(ordered), tuple(used))

    def run_tests(self, bundle: LoadedBundle) -> list[TestResult]:
        """Every `test_*` rule of the bundle's `*_test.rego` files; a test passes when it evaluates to true."""
        modules = {name: transform_test_module(text) for name, text in bundle.test_modules().items()}
        interpreter = Interpreter()
        with self._lock:
            sources = {n: t for n, t in bundle.modules.items() if not n.endswith("_test.rego")}
            sources.update({n: m.text for n, m in modules.items() if m is not None})
            for name, text in sources.items():
                with _captured_stdout() as printed:
                    try:
                        interpreter.add_module(name, text)
                    except RegoError as exc:
                        error = exc
                    else:
                        continue
                raise _rego_problem(bundle, error, "".join(printed))
            results = []
            for module in modules.values():
                if module is None:
                    continue
                for test in module.tests:
                    results.append(self._run_one(interpreter, bundle, module.package, test))
        return results

    def _run_one(self, interpreter: Interpreter, bundle: LoadedBundle, package: str, test: TestRule) -> TestResult:
        if len(test.inputs) > 1:
            return TestResult(
                bundle.manifest.ref, package, test.name, False, "more than one `with input as` in one test"
            )
        value: Any = {}
        try:
            if test.inputs:
                term = test.inputs[0]
                query = term if term[:1] in "{[" or term.startswith("data.") else f"data.{package}.{term}"
                values = _values(interpreter.query(query))
                value = values[0] if values else {}
            interpreter.set_input(value)
            passed = _values(interpreter.query(f"data.{package}.{test.name}")) == [True]
        except RegoError as exc:
            raise _rego_problem(bundle, exc) from None
        return TestResult(bundle.manifest.ref, package, test.name, passed)
