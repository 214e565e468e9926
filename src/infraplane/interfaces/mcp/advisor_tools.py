"""The advisors' tools: read what the advisors recommend (read-only), and propose one (people approve).

A mixin of `AgentTools` (tools.py), which gives it who the call acts for and the helpers below.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from pydantic import Field

from infraplane.core.audit import Actor
from infraplane.core.identity import Action
from infraplane.core.proposals import Proposal
from infraplane.core.records import ComponentRecord, EnvironmentRecord, RevisionRecord
from infraplane.errors import InfraplaneError, NotFoundError
from infraplane.interfaces.container import Container
from infraplane.interfaces.mcp.calls import Result, tool

__all__ = ["AdvisorTools"]


class AdvisorTools:
    _container: Container

    # -- given by AgentTools ---------------------------------------------------------------------

    @property
    def agent(self) -> Actor:
        raise NotImplementedError

    def _sees(self, team: str) -> bool:
        raise NotImplementedError

    def _environment(self, name: str) -> tuple[EnvironmentRecord, list[ComponentRecord], list[RevisionRecord]]:
        raise NotImplementedError

    def _may(self, action: Action, team: str, unknown: NotFoundError) -> None:
        raise NotImplementedError

    def _no_environment(self, name: str) -> NotFoundError:
        raise NotImplementedError

    def _proposed(self, proposal: Proposal | None, environment: str) -> Result:
        raise NotImplementedError

    def explain_error(self, exc: InfraplaneError, arguments: Mapping[str, Any]) -> Result:
        raise NotImplementedError

    # -- the tools -------------------------------------------------------------------------------

    @tool
    def get_recommendations(
        self,
        environment: Annotated[
            str | None, Field(description="One environment's name; omit it for every environment you may read.")
        ] = None,
    ) -> Result:
        """What the advisors recommend, from cloud metrics (CloudWatch) and the environments' records:
        right-sizing (the smallest allowed size covering the observed peak plus headroom, never below it,
        with the monthly saving or cost and a confidence saying how much data backs it), scaling out from
        the load trend within the blueprint's limits, and a TTL or destroy for idle environments. Each has
        a `key`, an `action` (resize, scale-out, ttl, destroy; keep and decline only inform), the
        reasoning and the evidence. Pass a key to propose_recommendation to propose it. Read-only."""
        if environment is not None:
            self._environment(environment)  # another team's is "not found", as an unknown one
        found = self._container.advisors.recommend(environment, self._sees)
        return {"recommendations": [r.as_dict() for r in found]}

    @tool
    def propose_recommendation(
        self,
        key: Annotated[
            str, Field(description="A recommendation's key from get_recommendations, e.g. orders/postgres/right-size.")
        ],
        note: Annotated[
            str, Field(description="Optional: why you propose it now, in a sentence (added to the justification).")
        ] = "",
    ) -> Result:
        """PROPOSE what an advisor recommends (a new size, count or TTL: kind `advisor`; an idle
        environment's destroy: kind `destroy`), with the advisor's reasoning, evidence and cost in the
        justification.

        This only proposes: it is planned and checked and goes through the approval rules like any
        change; nothing changes until a human approves and applies it. Proposing the same recommendation
        again returns the proposal already open for it."""
        name = key.partition("/")[0]
        env, _, _ = self._environment(name)
        self._may(Action.PROPOSE, env.team, self._no_environment(name))
        advisors = self._container.advisors
        return self._proposed(advisors.propose(advisors.find(key), self.agent, note=note), name)
