"""From an environment file to exact blueprint versions and a validated component graph."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from infraplane.core.audit import canonical_json
from infraplane.core.blueprint import Blueprint, ComponentSpec
from infraplane.core.catalog import PublishedVersion
from infraplane.core.environment import EnvironmentFile, parse_environment
from infraplane.core.graph import ComponentGraph, GraphError, expand, exposed_outputs, inline_outputs
from infraplane.core.upstream import UpstreamAccess, UpstreamLookup, UpstreamRead, read_references
from infraplane.core.versions import parse_ref
from infraplane.core.wiring import OutputRef
from infraplane.errors import InputError, NotFoundError, Problem
from infraplane.services.catalog import CatalogService
from infraplane.services.documents import MAX_DOCUMENT_BYTES, read_yaml

__all__ = ["Resolution", "load_environment_file", "read_upstream", "resolve"]


@dataclass(frozen=True)
class Resolution:
    """An environment file resolved to exact versions: what a revision records."""

    environment: EnvironmentFile
    top: PublishedVersion
    graph: ComponentGraph
    source: str
    # Other environments' outputs the file reads, as they were when it was resolved (core/upstream.py).
    upstream: tuple[UpstreamRead, ...] = ()
    # What this environment exposes to others: output name -> the component output it is.
    outputs: Mapping[str, OutputRef] = field(default_factory=dict)

    def revision_document(self) -> dict[str, Any]:
        """Exact digests and inputs; enough to reproduce this desired state later."""
        reads = {"upstream": [r.as_dict() for r in self.upstream]} if self.upstream else {}
        return {
            **reads,
            "environment": self.environment.model_dump(mode="json", by_alias=True, exclude_none=True),
            "blueprint": self.top.ref,
            "digest": self.top.digest,
            "pins": self.pins(),
            "components": [
                {
                    "name": c.name,
                    "blueprint": c.ref,
                    "digest": c.digest,
                    "depends_on": sorted(c.depends_on),
                    "inputs": {k: (str(v) if isinstance(v, OutputRef) else v) for k, v in c.inputs.items()},
                }
                for c in self.graph.components
            ],
        }

    def pins(self) -> dict[str, str]:
        """Exact versions of every blueprint this resolution chose, to resolve the same again (rollback)."""
        found = {c.blueprint.name: c.blueprint.version for c in self.graph.components}
        if self.environment.spec.blueprint is not None:
            found[self.top.blueprint.name] = self.top.blueprint.version
        return found


def load_environment_file(file: Path, max_bytes: int = MAX_DOCUMENT_BYTES) -> EnvironmentFile:
    """Read and parse an environment file of at most `max_bytes`; InputError naming file and field otherwise."""
    data, problems = read_yaml(file, max_bytes)
    if not problems:
        environment, problems = parse_environment(data, str(file))
        if environment is not None:
            return environment
    raise InputError.from_problems(problems)


def _inline_composite(environment: EnvironmentFile) -> PublishedVersion:
    """An environment that lists components inline is deployed as an unpublished composite of them."""
    spec = environment.spec
    blueprint = Blueprint.model_validate(
        {
            "apiVersion": environment.api_version,
            "kind": "Blueprint",
            "metadata": {
                "name": environment.name,
                "version": "0.0.0",
                "description": f"inline components of environment {environment.name}",
                "owner": environment.metadata.team,
            },
            "spec": {
                "runner": "composite",
                "inputs": {name: {} for name in spec.inputs},
                "components": {n: c.model_dump() for n, c in (spec.components or {}).items()},
            },
        }
    )
    digest = "sha256:" + hashlib.sha256(canonical_json(blueprint.model_dump(mode="json")).encode()).hexdigest()
    return PublishedVersion(blueprint, digest, published_at="", published_by="")


def read_upstream(
    environment: EnvironmentFile, source: str, lookup: UpstreamLookup | None, access: UpstreamAccess | None
) -> tuple[EnvironmentFile, tuple[UpstreamRead, ...]]:
    """The environment with every `${environments.<name>.outputs.<output>}` replaced by the value it reads.

    `access` is whose teams the reading is checked for; None when it was checked when the document was
    first proposed (a stored revision resolved again). Every problem is an InputError naming the field.
    """
    meta, spec = environment.metadata, environment.spec
    reads: list[UpstreamRead] = []
    problems: list[Problem] = []

    def read(value: Any, field: str) -> Any:
        if lookup is None:
            return value
        found, more, wrong = read_references(value, field, meta.name, meta.team, lookup, access)
        reads.extend(more)
        problems.extend(Problem(source, where, reason) for where, reason in wrong)
        return found

    inputs = read(dict(spec.inputs), "spec.inputs")
    components = None
    if spec.components is not None:
        components = {
            name: ComponentSpec(
                blueprint=c.blueprint,
                inputs=read(dict(c.inputs), f"spec.components.{name}.inputs"),
                depends_on=c.depends_on,
            )
            for name, c in spec.components.items()
        }
    if problems:
        raise InputError.from_problems(problems)
    if not reads:
        return environment, ()
    read_spec = spec.model_copy(update={"inputs": inputs, "components": components})
    return environment.model_copy(update={"spec": read_spec}), tuple(reads)


def resolve(
    environment: EnvironmentFile,
    catalog: CatalogService,
    source: str,
    pins: Mapping[str, str] | None = None,
    upstream: UpstreamLookup | None = None,
    access: UpstreamAccess | None = None,
) -> Resolution:
    """Pick exact versions (newest non-deprecated matching each constraint, or the pinned ones) and build the graph.

    Other environments' outputs the file reads are read through `upstream` (checked for `access`).
    """
    pinned = dict(pins or {})
    asked = environment
    environment, reads = read_upstream(environment, source, upstream, access)
    if environment.spec.blueprint is None:
        top = _inline_composite(environment)
    else:
        try:
            name = parse_ref(environment.spec.blueprint).name
            if name in pinned:
                top = catalog.get(f"{name}@{pinned[name]}")
            else:
                top = catalog.resolve(environment.spec.blueprint)
        except (NotFoundError, ValueError) as exc:
            reason = exc.message if isinstance(exc, NotFoundError) else str(exc)
            raise InputError.from_problems([Problem(source, "spec.blueprint", reason)]) from None

    def lookup(name: str, constraint: str | None) -> tuple[Blueprint, str]:
        try:
            if name in pinned:
                found = catalog.get(f"{name}@{pinned[name]}")
            else:
                found = catalog.resolve(f"{name}@{constraint}" if constraint else name)
        except NotFoundError as exc:
            raise LookupError(exc.message) from None
        return found.blueprint, found.digest

    try:
        graph = expand(
            top.blueprint, top.digest, environment.spec.inputs, lookup, inline=environment.spec.blueprint is None
        )
    except GraphError as exc:
        raise InputError.from_problems([Problem(source, exc.field, exc.reason)]) from None
    if environment.spec.blueprint is None:
        outputs = inline_outputs({c.name: c.blueprint for c in graph.components})
    else:
        outputs = exposed_outputs(top.blueprint, lookup)
    # The revision keeps the file as written (the references), and what they read.
    return Resolution(asked, top, graph, source, reads, outputs)
