"""Driving infraplane's Terraform runner directly: a module made into a published-like archive, a runner with
infraplane's CLI configuration, and a state backend that keeps state in memory."""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from infraplane.adapters.archive import digest_of, pack_directory
from infraplane.adapters.terraform.cli_config import discover_mirror, write_cli_config
from infraplane.adapters.terraform.runner import TerraformRunner
from infraplane.adapters.terraform.state_server import StateCallbacks, StateServer
from infraplane.core.blueprint import Blueprint, parse_blueprint
from infraplane.core.runs import RunRequest, Target

__all__ = [
    "MIRROR",
    "REQUIRES_AWS",
    "TERRAFORM",
    "ModuleBlueprint",
    "memory_state_server",
    "module_blueprint",
    "needs_terraform",
    "runner_for",
    "terraform_blueprint",
]

MIRROR = discover_mirror()
# The opening of a test module that uses the AWS provider (from the machine's mirror).
REQUIRES_AWS = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}
"""
TERRAFORM = shutil.which("terraform")
# Tests of the real runner: terraform on PATH and the AWS provider in a mirror.
needs_terraform = pytest.mark.skipif(
    TERRAFORM is None or MIRROR is None, reason="needs terraform and the AWS provider mirror"
)


@dataclass(frozen=True)
class ModuleBlueprint:
    """A Terraform module packed as `catalog publish` packs it, with its parsed blueprint."""

    blueprint: Blueprint
    archive: bytes

    @property
    def digest(self) -> str:
        return digest_of(self.archive)

    def request(
        self,
        server: StateServer,
        home: Path,
        environment: str,
        component: str,
        inputs: Mapping[str, Any],
        digest: str = "",
    ) -> RunRequest:
        """A run of this module as component `component` of `environment`, its state kept by `server`."""
        return RunRequest(
            environment=environment,
            component=component,
            blueprint=self.blueprint,
            archive=self.archive,
            digest=digest or self.digest,
            workdir=home / "work" / environment / component,
            inputs=dict(inputs),
            context={},
            target=Target("aws"),
            backend=server.backend_environment(environment, component),
        )


def terraform_blueprint(
    name: str, inputs: Mapping[str, Mapping[str, Any]], outputs: Sequence[str] = ()
) -> dict[str, Any]:
    """The manifest of a Terraform blueprint whose module sits at its archive's root; every input required."""
    spec: dict[str, Any] = {"runner": "terraform", "source": ".", "inputs": dict(inputs), "required": list(inputs)}
    if outputs:
        spec["outputs"] = {output: {} for output in outputs}
    return {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Blueprint",
        "metadata": {"name": name, "version": "1.0.0", "description": "d", "owner": "platform-team"},
        "spec": spec,
    }


def module_blueprint(directory: Path, module: str, blueprint: Mapping[str, Any]) -> ModuleBlueprint:
    directory.mkdir(parents=True)
    (directory / "main.tf").write_text(module, encoding="utf-8")
    parsed, problems = parse_blueprint(dict(blueprint), "blueprint.yaml")
    assert parsed is not None, problems
    return ModuleBlueprint(parsed, pack_directory(directory))


def runner_for(home: Path, plugin_cache: Path, sleep: Callable[[float], None] = time.sleep) -> TerraformRunner:
    """The runner `infraplane` builds, with its own CLI configuration under `home` (`sleep`: between retries)."""
    assert TERRAFORM is not None
    config = write_cli_config(home / "terraform" / "terraformrc", plugin_cache, MIRROR)
    return TerraformRunner(TERRAFORM, config, plugin_cache, sleep=sleep)


@contextmanager
def memory_state_server() -> Iterator[StateServer]:
    """infraplane's http state backend, keeping every component's state in a dict."""
    states: dict[tuple[str, str], bytes] = {}
    callbacks = StateCallbacks(
        read=lambda e, c: states.get((e, c)),
        write=lambda e, c, body, *_parsed: states.__setitem__((e, c), body),
        holds_lease=lambda _e, _c: True,
    )
    with StateServer(callbacks) as server:
        yield server
