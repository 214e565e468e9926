"""`make eval`: how well `infraplane ask` resolves plain requests against the example catalog.

Usage: python scripts/ask_eval.py REQUESTS.yaml [--all] [--catalog DIR]

REQUESTS.yaml holds `requests: [{text, expect}]`; `expect` is either `{clarify: true}` (the
resolver must ask back) or `{blueprint, tier, inputs}`, where `inputs` lists exactly the values
the words determine. The catalog is published into a throw-away INFRAPLANE_HOME with the real
services, and each request goes through the same `AskService` the CLI uses (with the LLM backend
the settings configure: none by default). Prints the misses and three accuracies:
blueprint (the right blueprint, or a question when one was expected), tier, and full
(blueprint, tier and inputs all right).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from infraplane.core.audit import Actor
from infraplane.interfaces.container import Container
from infraplane.services.ask import AskService, ClarificationNeeded
from infraplane.settings import load_settings

REPO = Path(__file__).resolve().parent.parent


def out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


@dataclass(frozen=True)
class Outcome:
    text: str
    expect: dict[str, Any]
    got: dict[str, Any]

    @property
    def blueprint_ok(self) -> bool:
        if self.expect.get("clarify"):
            return bool(self.got.get("clarify"))
        return self.got.get("blueprint") == self.expect.get("blueprint")

    @property
    def tier_ok(self) -> bool:
        if self.expect.get("clarify"):
            return bool(self.got.get("clarify"))
        return self.got.get("tier") == self.expect.get("tier", "dev")

    @property
    def full_ok(self) -> bool:
        if self.expect.get("clarify"):
            return bool(self.got.get("clarify"))
        return self.blueprint_ok and self.tier_ok and self.got.get("inputs") == (self.expect.get("inputs") or {})


def resolve_all(service: AskService, requests: list[dict[str, Any]]) -> list[Outcome]:
    outcomes = []
    for item in requests:
        try:
            resolution = service.resolve(str(item["text"]), requester="eval")
            got: dict[str, Any] = {
                "blueprint": resolution.blueprint,
                "tier": resolution.tier,
                "inputs": dict(resolution.inputs),
                "name": resolution.name,
            }
        except ClarificationNeeded as exc:
            got = {"clarify": True, "question": exc.clarification.question}
        outcomes.append(Outcome(str(item["text"]), dict(item["expect"]), got))
    return outcomes


def _short(value: dict[str, Any]) -> str:
    if value.get("clarify"):
        return "clarify" + (f" ({value['question']})" if "question" in value else "")
    inputs = ", ".join(f"{k}={v}" for k, v in (value.get("inputs") or {}).items())
    return f"{value.get('blueprint')} {value.get('tier', 'dev')} {{{inputs}}}"


def report(outcomes: list[Outcome], show_all: bool) -> None:
    total = len(outcomes)
    shown = [o for o in outcomes if show_all or not o.full_ok]
    if not shown:
        out("no misses")
    else:
        out("| ok | request | expected | got |")
        out("|---|---|---|---|")
        for o in shown:
            mark = "yes" if o.full_ok else "NO"
            out(f"| {mark} | {o.text} | {_short(o.expect)} | {_short(o.got)} |")
        out()
    for label, attribute in (("blueprint", "blueprint_ok"), ("tier", "tier_ok"), ("full", "full_ok")):
        right = sum(1 for o in outcomes if getattr(o, attribute))
        share = 100.0 * right / total if total else 0.0
        out(f"{label + ' accuracy:':<20}{share:6.1f}%  ({right}/{total})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("requests", type=Path)
    parser.add_argument("--catalog", type=Path, default=REPO / "examples" / "catalog")
    parser.add_argument("--all", action="store_true", help="show every request, not only the misses")
    args = parser.parse_args()
    requests = (yaml.safe_load(args.requests.read_text(encoding="utf-8")) or {}).get("requests") or []
    with tempfile.TemporaryDirectory(prefix="infraplane-eval-") as home:
        container = Container(load_settings(home=Path(home)))
        try:
            container.catalog.publish(args.catalog, Actor("system", "ask-eval"))
            service = AskService(container.catalog, set, container.settings.ask)
            outcomes = resolve_all(service, requests)
        finally:
            container.close()
    out(f"{args.requests}: {len(outcomes)} requests against {args.catalog}")
    report(outcomes, args.all)
    return 0


if __name__ == "__main__":
    sys.exit(main())
