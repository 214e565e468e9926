"""`infraplane catalog ...`: validate, publish, deprecate, list, show, search."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from infraplane.core.catalog import PublishedVersion
from infraplane.interfaces.cli.output import console, print_json
from infraplane.interfaces.cli.state import cli_state

__all__ = ["app"]

app = typer.Typer(help="The blueprint catalog: versioned, immutable, searchable.", no_args_is_help=True)

JsonFlag = Annotated[bool, typer.Option("--json", help="Print JSON for machines.")]


def _inputs(version: PublishedVersion) -> list[dict[str, Any]]:
    spec = version.blueprint.spec
    return [
        {
            "name": name,
            "type": schema.get("type"),
            "enum": schema.get("enum"),
            "default": schema.get("default"),
            "description": schema.get("description", ""),
            "required": name in spec.required,
            "sensitive": bool(schema.get("sensitive", False)),
        }
        for name, schema in spec.inputs.items()
    ]


def _summary(version: PublishedVersion) -> dict[str, Any]:
    meta = version.blueprint.metadata
    return {
        "name": meta.name,
        "version": meta.version,
        "digest": version.digest,
        "runner": version.blueprint.spec.runner,
        "description": meta.description,
        "owner": meta.owner,
        "labels": list(meta.labels),
        "deprecated": version.deprecated,
    }


def _detail(version: PublishedVersion) -> dict[str, Any]:
    spec = version.blueprint.spec
    used_by = cli_state.container.catalog.used_by(version)
    return {
        **_summary(version),
        "published_at": version.published_at,
        "published_by": version.published_by,
        "deprecated_at": version.deprecated_at,
        "inputs": _inputs(version),
        "outputs": [
            {"name": n, "description": o.description, "sensitive": o.sensitive} for n, o in spec.outputs.items()
        ],
        "compliance": dict(spec.compliance),
        # Which input the advisors size or scale, and the metric behind it (None when not declared).
        "sizing": spec.sizing.model_dump(mode="json") if spec.sizing else None,
        "scaling": spec.scaling.model_dump(mode="json") if spec.scaling else None,
        "components": {n: c.blueprint for n, c in spec.components.items()},
        "used_by": [{"composite": u.composite, "component": u.component} for u in used_by],
    }


@app.command("validate")
def validate(
    path: Annotated[Path, typer.Argument(help="A blueprint.yaml, its directory, or a catalog directory.")],
) -> None:
    """Check blueprints without publishing: schema, defaults, module interface, composite wiring."""
    loaded = cli_state.container.catalog.validate(path)
    for item in loaded:
        console.print(f"[green]ok[/] {item.blueprint.ref}  [dim]{item.file}[/]", highlight=False)


@app.command("publish")
def publish(
    path: Annotated[Path, typer.Argument(help="A blueprint directory or a catalog directory.")],
    json_out: JsonFlag = False,
) -> None:
    """Pack, digest and register blueprints; a published name@version never changes."""
    container = cli_state.container
    results = container.catalog.publish(path, container.human)
    new = {r.ref.split("@")[0] for r in results if r.status == "published"}
    upgradable = container.proposals.upgradable(new) if new else []
    if json_out:
        print_json(
            [
                {
                    "ref": r.ref,
                    "digest": r.digest,
                    "status": r.status,
                    # Environments that could move to this version (`env upgrade NAME` proposes it).
                    "upgradable": [{"environment": e, "from": a} for e, a, b in upgradable if b == r.ref],
                }
                for r in results
            ]
        )
        return
    for result in results:
        colour = "green" if result.status == "published" else "yellow"
        console.print(f"[{colour}]{result.status}[/] {result.ref}  [dim]{result.digest}[/]", highlight=False)
    for environment, current, newest in upgradable:
        console.print(
            f"{environment} can upgrade {current} -> {newest}: `infraplane env upgrade {environment}`", highlight=False
        )


@app.command("deprecate")
def deprecate(
    ref: Annotated[str, typer.Argument(help="name@version")],
    reason: Annotated[str, typer.Option("--reason", help="Why it should no longer be chosen.")] = "",
) -> None:
    """Hide a version from new requests; nothing is mutated or deleted."""
    container = cli_state.container
    if container.catalog.deprecate(ref, container.human, reason):
        console.print(f"[yellow]deprecated[/] {ref}", highlight=False)
    else:
        console.print(f"{ref} was already deprecated", highlight=False)


@app.command("list")
def list_blueprints(
    json_out: JsonFlag = False,
    include_deprecated: Annotated[bool, typer.Option("--all", help="Include deprecated versions.")] = False,
) -> None:
    """The newest version of every blueprint."""
    latest = cli_state.container.catalog.latest(include_deprecated)
    if json_out:
        print_json([_summary(v) for v in latest])
        return
    table = Table("name", "version", "runner", "description", box=None, header_style="bold")
    for version in latest:
        suffix = " (deprecated)" if version.deprecated else ""
        meta = version.blueprint.metadata
        table.add_row(meta.name, meta.version + suffix, version.blueprint.spec.runner, meta.description)
    console.print(table)


@app.command("show")
def show(
    ref: Annotated[str, typer.Argument(help="NAME or NAME@CONSTRAINT, e.g. postgres@^1.4")], json_out: JsonFlag = False
) -> None:
    """Every version of a blueprint with digest, inputs, outputs, labels and the composites that use it."""
    versions = cli_state.container.catalog.show(ref)
    details = [_detail(v) for v in versions]
    if json_out:
        print_json({"name": versions[0].name, "versions": details})
        return
    for detail in details:
        state = " [yellow](deprecated)[/]" if detail["deprecated"] else ""
        console.print(
            f"[bold]{detail['name']}@{detail['version']}[/]{state}  [dim]{detail['digest']}[/]", highlight=False
        )
        console.print(f"  {detail['description']}", highlight=False)
        console.print(
            f"  runner {detail['runner']}; labels {', '.join(detail['labels'])}; "
            f"published {detail['published_at']} by {detail['published_by']}",
            highlight=False,
        )
        table = Table(
            "input", "type", "default", "allowed", "description", box=None, header_style="bold", padding=(0, 2)
        )
        for item in detail["inputs"]:
            default = "(required)" if item["required"] else repr(item["default"]) if item["default"] is not None else ""
            allowed = ", ".join(str(v) for v in item["enum"]) if item["enum"] else ""
            table.add_row(item["name"], str(item["type"]), default, allowed, item["description"])
        console.print(table)
        outputs = ", ".join(o["name"] + (" (sensitive)" if o["sensitive"] else "") for o in detail["outputs"])
        console.print(f"  outputs: {outputs or '-'}", highlight=False)
        if detail["components"]:
            console.print(
                "  components: " + ", ".join(f"{n} = {b}" for n, b in detail["components"].items()), highlight=False
            )
        if detail["used_by"]:
            console.print(
                "  used by: " + ", ".join(f"{u['composite']} ({u['component']})" for u in detail["used_by"]),
                highlight=False,
            )
        console.print()


@app.command("search")
def search(
    words: Annotated[str, typer.Argument(help='What you need, e.g. "queue for background jobs".')],
    json_out: JsonFlag = False,
    limit: Annotated[int, typer.Option(help="At most this many results.")] = 10,
) -> None:
    """Rank blueprints by relevance to your words (name, description, labels, inputs)."""
    hits = cli_state.container.catalog.search(words, limit)
    if json_out:
        print_json(
            [
                {
                    "name": h.blueprint.name,
                    "version": h.blueprint.version,
                    "score": round(h.score, 4),
                    "description": h.blueprint.metadata.description,
                }
                for h in hits
            ]
        )
        return
    if not hits:
        console.print("no blueprint matches those words; try `infraplane catalog list`")
        return
    table = Table("score", "name", "version", "description", box=None, header_style="bold")
    for hit in hits:
        table.add_row(f"{hit.score:.2f}", hit.blueprint.name, hit.blueprint.version, hit.blueprint.metadata.description)
    console.print(table)
