"""Advisors: recommendations from the target's metrics and the store, and the proposals they become.

For every applied component whose blueprint declares a sizing or a scaling (`spec.sizing`,
`spec.scaling`), the metric is read for the component's resource (the dimension's value is one of
its outputs) through the `MetricsReader` port, priced from the price table, and decided by
core/advisors. Environments nobody touched for a while get a TTL or a destroy suggestion.

A recommendation becomes a proposal through the ordinary pipeline (plan, guardrails, approval
rules): kind `advisor` for a new size, count or TTL, kind `destroy` for an idle environment (so the
destroy rules apply), with the reasoning and evidence in its justification and `extra`. An open
proposal of the same recommendation is not proposed twice.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from infraplane.core.advisors import (
    AdvisorLimits,
    MetricPoint,
    MetricQuery,
    Recommendation,
    idle,
    prefer_up_or_out,
    right_size,
    scale_out,
)
from infraplane.core.audit import SYSTEM, Actor
from infraplane.core.blueprint import Blueprint, MetricSpec, PricedAs
from infraplane.core.clock import Clock, parse_time, system_clock
from infraplane.core.cost import Priced, PriceTable, price_resource
from infraplane.core.ports import MetricsReader, Store
from infraplane.core.proposal_lifecycle import OPEN_STATUSES
from infraplane.core.proposals import Proposal
from infraplane.core.records import ComponentRecord, EnvironmentRecord
from infraplane.core.runs import Target
from infraplane.core.wiring import InputRef, parse_reference
from infraplane.errors import FailureError, InfraplaneError, NotFoundError, RefusedError
from infraplane.services.catalog import CatalogService
from infraplane.services.orchestration.progress import NullProgress, Progress
from infraplane.services.orchestration.service import EnvironmentService
from infraplane.services.proposals import ProposalService

__all__ = ["AdvisorService"]


class AdvisorService:
    def __init__(
        self,
        store: Store,
        catalog: CatalogService,
        environments: EnvironmentService,
        proposals: ProposalService,
        metrics: MetricsReader,
        target_for: Callable[[str], Target],
        prices: Callable[[], PriceTable],
        limits: AdvisorLimits,
        idle_tiers: frozenset[str],
        clock: Clock = system_clock,
    ) -> None:
        self._store = store
        self._catalog = catalog
        self._environments = environments
        self._proposals = proposals
        self._metrics = metrics
        self._target_for = target_for
        self._prices = prices
        self._limits = limits
        self._idle_tiers = idle_tiers
        self._clock = clock

    # -- recommending --------------------------------------------------------------------------

    def recommend(
        self, name: str | None = None, sees: Callable[[str], bool] = lambda team: True
    ) -> list[Recommendation]:
        """Every recommendation for one environment (`name`) or every one `sees` lets through."""
        if name is not None:
            env, components, _ = self._environments.get(name)
            chosen = [(env, components)]
        else:
            chosen = [(e, c) for e, c in self._environments.environments() if sees(e.team)]
        found: list[Recommendation] = []
        for env, components in chosen:
            if env.status != "ready":
                continue
            for component in components:
                if component.status == "applied":
                    found += self._component(env, component)
            found += self._idle(env)
        return found

    def _component(self, env: EnvironmentRecord, component: ComponentRecord) -> list[Recommendation]:
        try:
            blueprint = self._catalog.get(component.blueprint).blueprint
        except NotFoundError:
            return []
        sizing, scaling = blueprint.spec.sizing, blueprint.spec.scaling
        found: list[Recommendation] = []
        size_points: list[MetricPoint] = []
        if sizing is not None:
            query, size_points, missing = self._series(env, component, sizing.metric)
            current = str(component.inputs.get(sizing.input, blueprint.input_default(sizing.input)))
            if query is None:
                found.append(self._declined(env, component, "right-size", sizing.input, current, missing))
            else:
                prices = self._priced(env, component, sizing.price, list(sizing.capacity))
                found.append(
                    right_size(env.name, component.name, sizing, current, query, size_points, prices, self._limits)
                )
        if scaling is not None:
            query, points, missing = self._series(env, component, scaling.metric)
            schema = blueprint.spec.inputs.get(scaling.input, {})
            current_count = int(component.inputs.get(scaling.input, blueprint.input_default(scaling.input)) or 0)
            if query is None:
                found.append(self._declined(env, component, "scale", scaling.input, current_count, missing))
            else:
                unit = self._priced(env, component, scaling.price, [""]).get("")
                bounds = (int(schema["minimum"]), int(schema["maximum"]))
                found.append(
                    scale_out(
                        env.name, component.name, scaling, current_count, bounds, query, points, unit, self._limits
                    )
                )
        if len(found) == 2:
            found = list(prefer_up_or_out(found[0], found[1], size_points, self._limits))
        return [self._changeable(env, r, blueprint) for r in found]

    def _declined(
        self, env: EnvironmentRecord, component: ComponentRecord, kind: Any, input_: str, current: Any, why: str
    ) -> Recommendation:
        return Recommendation(env.name, component.name, kind, "decline", why, input_, current)

    def _series(
        self, env: EnvironmentRecord, component: ComponentRecord, metric: MetricSpec
    ) -> tuple[MetricQuery | None, list[MetricPoint], str]:
        """The metric's hourly points over the window, for the resource the component's output names."""
        value = component.outputs.get(metric.output)
        if not isinstance(value, str) or not value:
            why = f"{component.name} has no output {metric.output!r} yet, which names its {metric.dimension}"
            return None, [], why
        query = MetricQuery.of(metric, value)
        end = self._clock()
        start = end - timedelta(days=self._limits.window_days)
        return query, self._metrics.hourly(self._target_for(env.target), query, start, end), ""

    def _priced(
        self, env: EnvironmentRecord, component: ComponentRecord, price: PricedAs | None, values: list[str]
    ) -> dict[str, Decimal | None]:
        """The monthly price of each value (a size, or "" for one unit) from the price table; None if unpriced.

        The resource's attributes come from the component's state when it has one (engine, storage,
        Multi-AZ as they are), else from what the blueprint declares.
        """
        if price is None:
            return dict.fromkeys(values)
        base: Mapping[str, Any] = price.attributes
        with self._store.read() as tx:
            latest = tx.environments.latest_state(env.name, component.name)
        if latest is not None:
            for resource, instance in latest.state.managed_instances():
                if resource.type == price.resource:
                    base = {**price.attributes, **instance.attributes}
                    break
        table = self._prices()
        found: dict[str, Decimal | None] = {}
        for value in values:
            outcome = price_resource(price.resource, {**base, **price.values.get(value, {})}, table)
            found[value] = outcome.monthly if isinstance(outcome, Priced) else None
        return found

    def _changeable(
        self, env: EnvironmentRecord, recommendation: Recommendation, blueprint: Blueprint
    ) -> Recommendation:
        """A change the environment file can make: the input is the environment's own, or wired from one."""
        if not recommendation.actionable or recommendation.kind == "idle":
            return recommendation
        where = self._input_field(env, recommendation.component, recommendation.input, blueprint)
        if where is None:
            why = (
                f"{recommendation.reasoning}; but {recommendation.input} of {recommendation.component} is fixed by "
                f"its composite blueprint, so the environment file cannot change it (ask the blueprint's owners)"
            )
            return replace(recommendation, action="keep", reasoning=why)
        return replace(recommendation, evidence={**recommendation.evidence, "field": ".".join(where)})

    def _current_document(self, name: str) -> tuple[dict[str, Any], Mapping[str, str]]:
        env, _, revisions = self._environments.get(name)
        current = next((r for r in revisions if r.number == env.current_revision), None)
        if current is None:
            raise RefusedError(f"{name} has no applied revision to change")
        return dict(current.document["environment"]), current.document.get("pins") or {}

    def _input_field(
        self, env: EnvironmentRecord, component: str, input_: str, blueprint: Blueprint
    ) -> tuple[str, ...] | None:
        """Where in the environment file `component`'s `input_` is set: spec.inputs.X or spec.components.C.inputs.X."""
        document, pins = self._current_document(env.name)
        spec = document.get("spec", {})
        if spec.get("components"):
            return ("spec", "components", component, "inputs", input_) if component in spec["components"] else None
        top_name = str(spec.get("blueprint", "")).partition("@")[0]
        if top_name == blueprint.name and component == blueprint.name:
            return ("spec", "inputs", input_)
        try:
            ref = f"{top_name}@{pins[top_name]}" if top_name in pins else top_name
            top = self._catalog.get(ref).blueprint if top_name in pins else self._catalog.resolve(ref).blueprint
        except NotFoundError:
            return None
        wired = top.spec.components.get(component)
        if wired is None or input_ not in wired.inputs:
            return None
        try:
            reference = parse_reference(wired.inputs[input_])
        except ValueError:
            return None
        return ("spec", "inputs", reference.input) if isinstance(reference, InputRef) else None

    def _idle(self, env: EnvironmentRecord) -> list[Recommendation]:
        if env.tier not in self._idle_tiers:
            return []
        created, last = _moment(env.created_at), self._last_activity(env)
        if created is None or last is None:
            return []  # no time to tell idleness from
        found = idle(env.name, env.ttl, created, last, self._clock(), self._limits)
        if found is None:
            return []
        if found.action == "destroy":
            costs = self._environments.checks.current_costs(env.name) if self._environments.checks else {}
            total = sum(float(r.total_after) for r in costs.values())
            found = replace(found, monthly_delta=-round(total, 2) if costs else None)
        return [found]

    def _last_activity(self, env: EnvironmentRecord) -> datetime | None:
        """When a person or an agent last changed or proposed something for the environment (None: unknown)."""
        _, _, revisions = self._environments.get(env.name)
        texts = [env.created_at]
        texts += [r.created_at for r in revisions if not r.created_by.startswith("system:")]
        texts += [p.created_at for p in self._proposals.proposals(env.name) if p.actor.kind != "system"]
        moments = [m for m in (_moment(t) for t in texts) if m is not None]
        return max(moments) if moments else None

    # -- proposing -----------------------------------------------------------------------------

    def find(self, key: str) -> Recommendation:
        """The recommendation named `key` (environment/component/kind), as the advisors see it now."""
        environment = key.partition("/")[0]
        found = {r.key: r for r in self.recommend(environment)}
        if key not in found:
            known = ", ".join(sorted(found)) or "none"
            raise NotFoundError(f"no recommendation {key!r} (recommendations for {environment}: {known})")
        return found[key]

    def open_proposal(self, recommendation: Recommendation) -> Proposal | None:
        """An open proposal already made of this recommendation (the same key and the same proposed value)."""
        for proposal in self._proposals.proposals(recommendation.environment):
            made = proposal.extra.get("advisor") or {}
            if (
                proposal.status in OPEN_STATUSES
                and made.get("key") == recommendation.key
                and made.get("proposed") == recommendation.proposed
            ):
                return proposal
        return None

    def propose(
        self, recommendation: Recommendation, actor: Actor, progress: Progress | None = None, note: str = ""
    ) -> Proposal | None:
        """Make the recommendation a proposal (it goes through the approval rules like any other); None: no change.

        Only proposes: nothing is applied here. `note` (the proposer's own words) heads the justification.
        """
        if not recommendation.actionable:
            raise RefusedError(
                f"{recommendation.key} recommends no change ({recommendation.action}): {recommendation.reasoning}"
            )
        existing = self.open_proposal(recommendation)
        if existing is not None:
            return existing
        extra = {"advisor": recommendation.as_dict()}
        justification = recommendation.justification()
        if note.strip():
            justification = f"{note.strip()} ({actor}); {justification}"
        name = recommendation.environment
        if recommendation.action == "destroy":
            return self._proposals.propose_destroy(name, actor, justification, extra=extra)
        document, pins = self._current_document(name)
        spec = dict(document.get("spec", {}))
        if recommendation.action == "ttl":
            spec["ttl"] = recommendation.proposed
        else:
            path = str(recommendation.evidence.get("field", "")).split(".")
            spec = _set(spec, path[1:], recommendation.proposed)
        resolution = self._environments.resolve_document(
            {**document, "spec": spec}, f"advisor {recommendation.key}", pins
        )
        return self._proposals.propose(
            resolution,
            actor,
            justification,
            progress or NullProgress(),
            kind="advisor",
            extra=extra,
            ttl_change=recommendation.action == "ttl",
        )

    def run(self) -> list[str]:
        """The scheduled job: every actionable recommendation becomes a proposal by the system (once)."""
        done = []
        try:
            recommendations = self.recommend()
        except FailureError as exc:
            return [f"advisors could not read metrics: {exc.message}"]
        for recommendation in recommendations:
            if not recommendation.actionable or self.open_proposal(recommendation) is not None:
                continue
            try:
                proposal = self.propose(recommendation, SYSTEM)
            except InfraplaneError as exc:
                done.append(f"{recommendation.key}: could not propose: {exc.message}")
                continue
            if proposal is not None:
                done.append(f"{recommendation.key}: proposed {proposal.id} ({recommendation.action})")
        return done


def _moment(text: str) -> datetime | None:
    try:
        return parse_time(text)
    except ValueError:
        return None


def _set(document: Mapping[str, Any], path: list[str], value: Any) -> dict[str, Any]:
    """A copy of `document` with `value` at `path` (mappings made along the way)."""
    copy = dict(document)
    if len(path) == 1:
        copy[path[0]] = value
        return copy
    copy[path[0]] = _set(dict(copy.get(path[0]) or {}), path[1:], value)
    return copy
