"""Evaluating bundles with regopy: findings from `deny`/`warn`, and a bundle's own Rego tests."""

from __future__ import annotations

import os
import re
import sys
import tempfile
import threading
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from regopy import Interpreter, RegoError

from infraplane.adapters.policy.compiled import CompiledBundles
from infraplane.adapters.policy.input import to_input
from infraplane.adapters.policy.projection import attribute_names
from infraplane.adapters.policy.rego_tests import TransformedModule, transform_test_module
from infraplane.core.policy import Finding, Hook, PolicyDecision, project_plan_input
from infraplane.core.policy_bundles import LoadedBundle, TestResult
from infraplane.errors import FailureError, InputError, Problem

__all__ = ["RegoEngine", "TestResult"]

_LOCATION = re.compile(r"--\s*([^\s:]+\.rego):(\d+):(\d+)")
_MESSAGE = re.compile(r"\(errormsg \d+:([^)]*)\)")


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


def _load(bundle: LoadedBundle, sources: Mapping[str, str]) -> Interpreter:
    """An interpreter with these modules; a Rego error becomes an InputError naming file and line."""
    interpreter = Interpreter()
    for name, text in sources.items():
        with _captured_stdout() as printed:
            try:
                interpreter.add_module(name, text)
            except RegoError as exc:
                error = exc
            else:
                continue
        raise _rego_problem(bundle, error, "".join(printed))
    return interpreter


def _converted(document: Mapping[str, Any]) -> Any:
    """The document as rego-cpp's input; InputError for a value it cannot take (a set or bytes in params, a NaN)."""
    try:
        return to_input(document)
    except ValueError as exc:
        raise InputError.from_problems([Problem("", "policy input", str(exc))]) from None


def _unparsed(error: Exception) -> str:
    """What regopy could not read as a result: rego-cpp reports some errors (a rule that recurses, a function
    it does not know) as a successful answer holding an error, on which regopy's JSON parsing fails."""
    return str(getattr(error, "doc", "")) if isinstance(error, ValueError) else ""


def _raise_on_runtime_error(bundle: LoadedBundle, printed: str) -> None:
    """regopy reports a runtime error (a builtin failing) only by printing it and leaving the result undefined.

    An undefined result would read as "no findings", so a bundle that errors must stop the check instead.
    """
    if "Errors:" not in printed:
        return
    lines = [line.strip() for line in printed.splitlines() if line.strip() and line.strip() not in ("Errors:", "--")]
    reason = lines[0] if lines else "evaluation failed"
    raise FailureError(f"policy bundle {bundle.manifest.ref} failed to evaluate: {reason}")


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
    """One compiled interpreter per bundle, reused across evaluations (regopy is not thread-safe: one lock).

    With `compiled_cache`, a bundle compiled once is saved there by its digest and later engines (other
    processes) load it instead of compiling it again.
    """

    def __init__(self, bundles: list[LoadedBundle], compiled_cache: Path | None = None) -> None:
        self.bundles = bundles
        self._interpreters: dict[str, Interpreter] = {}
        self._compiled_queries: dict[str, tuple[Interpreter, list[tuple[str, str]], Any]] = {}
        self._cache = CompiledBundles(compiled_cache) if compiled_cache is not None else None
        self._lock = threading.Lock()
        # The last document handed to rego-cpp, with the attributes kept and the params, and its converted
        # input: two bundles (two versions of one, in a replay) judging the same document convert it once.
        self._last: (
            tuple[Mapping[str, Any], tuple[frozenset[str] | None, frozenset[str]], dict[str, Any], Any] | None
        ) = None

    def _input(
        self, document: Mapping[str, Any], keep: frozenset[str] | None, omit: frozenset[str], params: dict[str, Any]
    ) -> Any:
        last = self._last
        if last is not None and last[0] is document and last[1] == (keep, omit) and last[2] == params:
            return last[3]
        narrowed = project_plan_input(document, keep, omit) if keep is not None else document
        converted = _converted({**narrowed, "params": params})
        self._last = (document, (keep, omit), params, converted)
        return converted

    def _interpreter(self, bundle: LoadedBundle) -> Interpreter:
        if bundle.digest not in self._interpreters:
            policies = {n: t for n, t in bundle.modules.items() if not n.endswith("_test.rego")}
            self._interpreters[bundle.digest] = _load(bundle, policies)
        return self._interpreters[bundle.digest]

    def check(self) -> None:
        """Compile every bundle now, so a syntax error is reported before anything is evaluated."""
        for bundle in self.bundles:
            self.evaluate_bundle(bundle, "plan", {"hook": "plan", "params": {}, "plan": {"resource_changes": []}})

    def _compiled(self, bundle: LoadedBundle) -> tuple[Interpreter, list[tuple[str, str]], Any]:
        """The interpreter, the `(severity, entrypoint)` of every package's `deny`/`warn`, and their bundle.

        The bundle is compiled once with one entrypoint per rule (`infraplane/baseline/network/deny`), so
        each evaluation only runs them; asking the rules one by one costs about a quarter less than one
        query collecting them all in comprehensions. A package without the rule leaves it undefined
        (no findings). When regopy cannot build the bundle, `query` is asked instead.
        """
        key = bundle.digest + ":compiled"
        if key not in self._compiled_queries:
            entrypoints = bundle.entrypoints()
            names = [e for _, e in entrypoints]
            with _captured_stdout():
                saved = self._cache.load(bundle.digest, names) if self._cache is not None else None
            if saved is not None:
                interpreter, compiled = saved
            else:
                interpreter = self._interpreter(bundle)
                try:
                    with _captured_stdout():
                        compiled = interpreter.build(None, names)
                except RegoError:
                    compiled = None  # fall back to plain queries
                if compiled is not None and self._cache is not None:
                    with _captured_stdout():
                        self._cache.save(interpreter, compiled, bundle.digest, names)
            self._compiled_queries[key] = (interpreter, entrypoints, compiled)
        return self._compiled_queries[key]

    def evaluate_bundle(
        self,
        bundle: LoadedBundle,
        hook: Hook,
        document: Mapping[str, Any],
        packages: Collection[str] | None = None,
    ) -> list[Finding]:
        """The findings of one bundle on one document, whatever its scope; `packages` asks only those packages."""
        with self._lock:
            interpreter, entrypoints, compiled = self._compiled(bundle)
            if packages is not None:
                wanted = {p.replace(".", "/") + "/" for p in packages}
                entrypoints = [(s, e) for s, e in entrypoints if e.rsplit("/", 1)[0] + "/" in wanted]
                if not entrypoints:
                    return []
            params = {**bundle.manifest.params, **dict(document.get("params") or {})}
            keep = attribute_names(bundle, params) if hook == "plan" else None
            omit = frozenset(bundle.manifest.input.omit)
            interpreter.set_input(self._input(document, keep, omit, params))
            try:
                outputs = self._query_all(bundle, interpreter, entrypoints, compiled)
            finally:
                # An interpreter keeps its input until the next one: a plan of thousands of resources is
                # hundreds of MB in rego-cpp, which a long-running process should not hold between checks.
                interpreter.set_input(to_input({}))
            findings: list[Finding] = []
            for (severity, _), output in zip(entrypoints, outputs, strict=True):
                results = getattr(output, "results", None) or []
                if not results:
                    continue
                result = results[0]
                if compiled is None:
                    value = result.bindings.get("x")
                else:  # undefined (the package has no such rule): no expressions
                    value = result.expressions[0] if result.expressions else None
                findings += _findings(value, severity, bundle.manifest.ref)
        return findings

    @staticmethod
    def _query_all(
        bundle: LoadedBundle, interpreter: Interpreter, entrypoints: list[tuple[str, str]], compiled: Any
    ) -> list[Any]:
        """Every entrypoint's output; what regopy prints is read once, after the last query."""
        outputs = []
        error: Exception | None = None
        with _captured_stdout() as printed:
            for _, entrypoint in entrypoints:
                try:
                    if compiled is not None:
                        outputs.append(interpreter.query_bundle_entrypoint(compiled, entrypoint))
                    else:
                        outputs.append(interpreter.query(f"x := data.{entrypoint.replace('/', '.')}"))
                except (RegoError, ValueError) as exc:
                    error = exc
                    break
        if error is not None:
            raise _rego_problem(bundle, error, _unparsed(error)) from None
        _raise_on_runtime_error(bundle, "".join(printed))
        return outputs

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

    def approval_entries(
        self, document: Mapping[str, Any], tier: str, team: str, blueprint: str
    ) -> tuple[list[Mapping[str, Any]], list[Mapping[str, Any]], list[str]]:
        """The `require` and `block` entries of every approval bundle in scope, and those bundles' refs."""
        requires: list[Mapping[str, Any]] = []
        blocks: list[Mapping[str, Any]] = []
        used: list[str] = []
        for bundle in self.bundles:
            if not bundle.manifest.scope.applies("approval", tier, team, blueprint):
                continue
            packages = bundle.policy_packages()
            parts = [f"[r | r := data.{p}.{s}[_]]" for p in packages for s in ("require", "block")]
            params = {**bundle.manifest.params, **dict(document.get("params") or {})}
            with self._lock:
                interpreter = self._interpreter(bundle)
                interpreter.set_input(_converted({**document, "params": params}))
                try:
                    with _captured_stdout() as printed:
                        output = interpreter.query(f"entries := [{', '.join(parts)}]")
                except (RegoError, ValueError) as exc:
                    raise _rego_problem(bundle, exc, _unparsed(exc)) from None
                _raise_on_runtime_error(bundle, "".join(printed))
            results = getattr(output, "results", None) or []
            collected = results[0].bindings.get("entries", []) if results else []
            for index, value in enumerate(collected):
                entries = [e for e in (value if isinstance(value, list) else []) if isinstance(e, Mapping)]
                (requires if index % 2 == 0 else blocks).extend(entries)
            used.append(f"{bundle.manifest.ref} {bundle.digest}")
        return requires, blocks, used

    def run_tests(self, bundle: LoadedBundle) -> list[TestResult]:
        """Every `test_*` rule of the bundle's `*_test.rego` files; a test passes when it evaluates to true."""
        modules = {name: transform_test_module(text) for name, text in bundle.test_modules().items()}
        with self._lock:
            sources = {n: t for n, t in bundle.modules.items() if not n.endswith("_test.rego")}
            sources.update({n: m.text for n, m in modules.items() if m is not None})
            interpreter = _load(bundle, sources)
            results = []
            for module in modules.values():
                if module is not None:
                    results += self._run_module(interpreter, bundle, module)
        return results

    def _run_module(
        self, interpreter: Interpreter, bundle: LoadedBundle, module: TransformedModule
    ) -> list[TestResult]:
        """All tests of one test module: their inputs in one query, then one compiled query run per test."""
        package = module.package
        ref = bundle.manifest.ref

        def term_query(term: str) -> str:
            return term if term[:1] in "{[" or term.startswith("data.") else f"data.{package}.{term}"

        try:
            terms = [t.inputs[0] for t in module.tests if len(t.inputs) == 1]
            values: dict[str, Any] = {}
            if terms:
                output = interpreter.query(f"inputs := [{', '.join(term_query(t) for t in terms)}]")
                found = getattr(output, "results", None) or []
                values = dict(zip(terms, found[0].bindings.get("inputs", []), strict=False)) if found else {}
            if terms and not values:  # one term undefined (a local variable) leaves them all undefined together
                for term in terms:
                    found = getattr(interpreter.query(f"term := {term_query(term)}"), "results", None) or []
                    if found and "term" in found[0].bindings:
                        values[term] = found[0].bindings["term"]
            names = [t.name for t in module.tests]
            query = "results := {" + ", ".join(f'"{n}": [r | r := data.{package}.{n}]' for n in names) + "}"
            with _captured_stdout():
                compiled = interpreter.build(query)
            results = []
            for test in module.tests:
                if len(test.inputs) > 1:
                    results.append(
                        TestResult(ref, package, test.name, False, "more than one `with input as` in one test")
                    )
                    continue
                if test.inputs and test.inputs[0] not in values:
                    note = f"`with input as {test.inputs[0]}` is undefined on its own: use a rule or a literal"
                    results.append(TestResult(ref, package, test.name, False, note))
                    continue
                interpreter.set_input(values[test.inputs[0]] if test.inputs else {})
                output = interpreter.query_bundle(compiled)
                found = getattr(output, "results", None) or []
                outcome = found[0].bindings.get("results", {}).get(test.name) if found else None
                results.append(TestResult(ref, package, test.name, outcome == [True]))
        except (RegoError, ValueError) as exc:
            raise _rego_problem(bundle, exc, _unparsed(exc)) from None
        return results
