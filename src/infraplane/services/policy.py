"""Guardrails: which bundles are active, publishing them immutably, checking requests and plans, running tests."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.plan import NormalizedPlan, PlanFormatError, normalize_plan
from infraplane.core.policy import Hook, PolicyDecision
from infraplane.core.policy_bundles import LoadedBundle, TestResult
from infraplane.core.versions import newest_matching, parse_ref
from infraplane.errors import ImmutableVersionError, InputError, NotFoundError, Problem
from infraplane.services.audit import record
from infraplane.services.documents import MAX_PLAN_BYTES, read_json

if TYPE_CHECKING:  # `policy check` imports this module; the ports and records would double its start-up
    from infraplane.core.approval import ApprovalDecision
    from infraplane.core.ports import PolicyBundles, PolicyEngine, PublishedPolicies, Store
    from infraplane.core.records import PublishedBundle

__all__ = ["BUILTIN_POLICIES", "PolicyService", "plan_from_document", "read_plan_file"]

BUILTIN_POLICIES = Path(__file__).resolve().parent.parent / "policies"


_SHOW = "run `terraform show -json PLANFILE` on the file `terraform plan -out PLANFILE` wrote"


def _not_a_plan(document: Any) -> str | None:
    """What a JSON document that is not plan JSON is, and what to do instead; None when it may be a plan."""
    if not isinstance(document, dict):
        return f"expected a JSON object (a Terraform plan), got a JSON {type(document).__name__}; {_SHOW}"
    if "version" in document and "serial" in document and "lineage" in document:
        return f"this is a Terraform state file (version/serial/lineage), not a plan: {_SHOW}"
    plan_keys = ("resource_changes", "planned_values", "configuration", "applyable", "output_changes")
    if "format_version" in document and "values" in document and not any(k in document for k in plan_keys):
        return f"this is `terraform show -json` of a state (format_version/values), not of a plan: {_SHOW}"
    if "@message" in document or "@level" in document:
        return f"this is a line of `terraform plan -json` (the streamed UI), not a plan: {_SHOW}"
    return None


def read_plan_file(path: Path, max_bytes: int = MAX_PLAN_BYTES) -> NormalizedPlan:
    """Load and normalize a plan JSON file made anywhere (`terraform show -json PLANFILE`).

    A state file, a shown state, a directory, a device or a file over `max_bytes` is refused saying which it is.
    """
    name = str(path)
    try:
        document = read_json(path, "plan JSON", max_bytes=max_bytes)
    except InputError as error:
        first = error.problems[0] if error.problems else None
        if first is not None and "Extra data" in first.reason:
            reason = f"holds several JSON documents (`terraform plan -json` output?), not one plan: {_SHOW}"
            raise InputError.from_problems([Problem(name, "", reason)]) from None
        raise
    return plan_from_document(document, name)


def plan_from_document(document: Any, name: str = "plan") -> NormalizedPlan:
    """Normalize a plan JSON document already parsed (an upload); InputError naming `name` and the field."""
    wrong = _not_a_plan(document)
    if wrong is not None:
        raise InputError.from_problems([Problem(name, "", wrong)])
    try:
        return normalize_plan(document)
    except PlanFormatError as exc:
        raise InputError.from_problems([Problem(name, exc.field, exc.reason)]) from None
    except RecursionError:
        raise InputError.from_problems([Problem(name, "", "refused: nested too deeply to read")]) from None


@dataclass(frozen=True)
class BundlePublishResult:
    ref: str
    digest: str
    status: Literal["published", "already published"]


class PolicyService:
    def __init__(
        self,
        store: Store,
        bundles: PolicyBundles,
        cache_dir: Path,
        params: Mapping[str, Any],
        include_builtin: bool = True,
        published: PublishedPolicies | None = None,
    ) -> None:
        """`published`, when given, is read instead of the store for which bundles are published."""
        self._store = store
        self._reader = published
        self._bundles = bundles
        self._cache_dir = cache_dir
        self._params = dict(params)
        self._include_builtin = include_builtin
        self._engine: PolicyEngine | None = None
        self._builtin: list[LoadedBundle] | None = None

    # -- which bundles -------------------------------------------------------------------------

    def builtin(self) -> list[LoadedBundle]:
        """The bundles that ship with infraplane, read (and digested) once per service: they never change."""
        if self._builtin is None:
            directories = sorted(BUILTIN_POLICIES.iterdir()) if BUILTIN_POLICIES.is_dir() else []
            self._builtin = [self._bundles.load(d) for d in directories if (d / "bundle.yaml").is_file()]
        return list(self._builtin)

    def _published(self, bundle: PublishedBundle) -> LoadedBundle:
        if self._reader is not None:
            archive = self._reader.archive(bundle.digest)
        else:
            with self._store.transaction() as tx:
                archive = tx.catalog.get_archive(bundle.digest)
        return self._bundles.load_archive(archive, self._cache_dir / bundle.digest.removeprefix("sha256:")[:32])

    def published(self) -> list[PublishedBundle]:
        if self._reader is not None:
            return self._reader.all()
        with self._store.transaction() as tx:
            return tx.policies.all()

    def active(self) -> list[LoadedBundle]:
        """The built-in bundles and the newest published version of every bundle name (newest wins on a clash)."""
        chosen: dict[str, LoadedBundle] = {}
        if self._include_builtin:
            chosen = {b.manifest.name: b for b in self.builtin()}
        by_name: dict[str, list[PublishedBundle]] = {}
        for bundle in self.published():
            by_name.setdefault(bundle.name, []).append(bundle)
        for name, versions in by_name.items():
            newest = newest_matching([v.version for v in versions], None)
            current = chosen.get(name)
            if newest and (current is None or newest_matching([newest, current.manifest.version], None) == newest):
                chosen[name] = self._published(next(v for v in versions if v.version == newest))
        return [chosen[n] for n in sorted(chosen)]

    def active_named(self, name: str) -> LoadedBundle | None:
        """The active version of bundle `name` (built-in or published), None when no bundle of that name is active."""
        return next((b for b in self.active() if b.manifest.name == name), None)

    def load(self, directory: Path) -> LoadedBundle:
        """A bundle directory, read and digested (not published); InputError naming the file and field."""
        return self._bundles.load(directory)

    def resolve(self, text: str) -> LoadedBundle:
        """A bundle by directory path, `name` or `name@version` (built-in or published)."""
        path = Path(text)
        if path.is_dir():
            return self._bundles.load(path)
        try:
            ref = parse_ref(text)
        except ValueError as exc:
            raise InputError.from_problems([Problem("", "bundle", str(exc))]) from None
        candidates = {b.manifest.version: b for b in self.builtin() if b.manifest.name == ref.name}
        published = {b.version: b for b in self.published() if b.name == ref.name}
        versions = sorted(set(candidates) | set(published))
        if not versions:
            known = sorted({b.manifest.name for b in self.builtin()} | {b.name for b in self.published()})
            raise NotFoundError(f"no policy bundle named {ref.name!r} (bundles: {', '.join(known) or 'none'})")
        version = newest_matching(versions, ref.constraint)
        if version is None:
            raise NotFoundError(
                f"no version of bundle {ref.name!r} matches {ref.constraint!r} (versions: {', '.join(versions)})"
            )
        return candidates[version] if version in candidates else self._published(published[version])

    def engine(self, bundles: list[LoadedBundle] | None = None) -> PolicyEngine:
        if bundles is not None:
            # A bundle handed over (a directory, an upload) is tried apart first; the built-in ones ship with
            # infraplane, and a published one was tried when it was published.
            trusted = {b.digest for b in self.builtin()} | {b.digest for b in self.published()}
            for bundle in bundles:
                if bundle.digest not in trusted:
                    self._bundles.vet(bundle)
            engine = self._bundles.engine(bundles)
            engine.check()
            return engine
        if self._engine is None:
            self._engine = self._bundles.engine(self.active())
            self._engine.check()
        return self._engine

    # -- publishing ----------------------------------------------------------------------------

    def publish(self, directory: Path, actor: Actor, replay: Mapping[str, Any] | None = None) -> BundlePublishResult:
        """Publish a bundle version; `replay` (the replay that preceded it) goes into the audit event."""
        from infraplane.core.records import PublishedBundle

        bundle = self._bundles.load(directory)
        self.engine([bundle])  # compiles: a Rego error stops the publish
        manifest = bundle.manifest
        with self._store.transaction() as tx:
            existing = tx.policies.get(manifest.name, manifest.version)
            if existing is not None:
                if existing.digest != bundle.digest:
                    raise ImmutableVersionError(
                        f"{manifest.ref} is immutable; publish a new version",
                        [
                            Problem(
                                str(directory / "bundle.yaml"),
                                "version",
                                f"{manifest.ref} is immutable; publish a new version",
                            )
                        ],
                    )
                return BundlePublishResult(manifest.ref, bundle.digest, "already published")
            tx.catalog.put_archive(bundle.digest, bundle.archive)
            tx.policies.add(
                PublishedBundle(
                    manifest.name,
                    manifest.version,
                    bundle.digest,
                    manifest.model_dump(mode="json"),
                    utc_timestamp(),
                    str(actor),
                )
            )
            payload = {"digest": bundle.digest, **({"replay": dict(replay)} if replay is not None else {})}
            record(tx, actor, "policy.publish", f"policy-bundle:{manifest.ref}", payload)
        self._engine = None
        return BundlePublishResult(manifest.ref, bundle.digest, "published")

    # -- checking ------------------------------------------------------------------------------

    def params(self) -> dict[str, Any]:
        return dict(self._params)

    def decide(
        self,
        hook: Hook,
        document: Mapping[str, Any],
        tier: str,
        team: str,
        blueprint: str,
        bundles: list[LoadedBundle] | None = None,
    ) -> PolicyDecision:
        return self.engine(bundles).evaluate(
            hook, {**document, "params": self._params | dict(document.get("params") or {})}, tier, team, blueprint
        )

    def decide_approval(self, document: Mapping[str, Any], tier: str, team: str, blueprint: str) -> ApprovalDecision:
        """Run the approval rules (bundles scoped to the `approval` hook) over a proposal's summary."""
        from infraplane.core.approval import decide

        requires, blocks, used = self.engine().approval_entries(
            {**document, "params": self._params | dict(document.get("params") or {})}, tier, team, blueprint
        )
        if not used:
            # No approval bundle at all (built-ins switched off, none published): nothing is auto-approved.
            requires = [{"rule": "APR-NONE", "count": 1, "group": "", "reason": "no approval rules are active"}]
        return decide(requires, blocks, used)

    def test(self, target: str | None) -> list[TestResult]:
        bundles = [self.resolve(target)] if target else self.active()
        results: list[TestResult] = []
        for bundle in bundles:
            results += self.engine([bundle]).run_tests(bundle)
        return results
