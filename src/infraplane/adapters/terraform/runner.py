"""The terraform (or tofu) runner: materialize, init, plan -out + show -json, apply that plan, outputs, destroy.

Each component gets its own work directory under `$INFRAPLANE_HOME/work/`:
the published archive is unpacked there, inputs and context go in a JSON
tfvars file (never HCL built from strings), and a generated override file
points the state at infraplane's http backend and the AWS provider at the
run target's endpoints (the sandbox's, given as data). The blueprint's own
files are never edited, but for the provider lock file's hashes, kept aside
once init has verified the packages (see provider_lock.py). The plan JSON is
parsed once, here, into the :class:`~infraplane.core.plan.NormalizedPlan` the
summary carries.

Files that hold input values in clear live only while a run needs them: the tfvars file
for the duration of a plan, a saved plan from `plan -out` until the proposal has read it
(it keeps the plan encrypted in the store) and, put back, until its apply ends. The plan
JSON kept for people and `policy check --plan` has its sensitive values scrubbed.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from filelock import FileLock

from infraplane.adapters.process import ToolResult, run_tool
from infraplane.adapters.terraform import provider_lock
from infraplane.adapters.terraform.cli_config import config_for_module
from infraplane.adapters.terraform.plan_summary import normalized_plan, plan_document, plan_summary
from infraplane.adapters.terraform.preview import WRAPPER_FILE, unwrapped, wrapper_config
from infraplane.adapters.terraform.progress import ProgressParser, diagnostics_summary, output_values
from infraplane.adapters.terraform.provider import OVERRIDE_FILE, PROVIDER_FILE, write_override
from infraplane.adapters.terraform.retries import (
    Transient,
    TransientToolError,
    classify_failure,
    retrying,
    tool_running_in,
)
from infraplane.adapters.terraform.scrub import scrubbed_plan
from infraplane.adapters.terraform_module import ModuleInterfaceCache
from infraplane.adapters.workdir import materialize, private_directory, write_private_bytes, write_private_json
from infraplane.core.blueprint import CONTEXT_VARIABLE
from infraplane.core.module_interface import ModuleInterface
from infraplane.core.plan import NormalizedPlan
from infraplane.core.runs import EventSink, OutputValues, PlanSummary, RunEvent, RunRequest
from infraplane.errors import FailureError

__all__ = ["TerraformRunner"]

TFVARS_FILE = "infraplane.tfvars.json"
# Where a component's preview (planned before its inputs are known) is made, beside its real work directory.
PREVIEW_DIR = "preview"
# Read-only steps whose standard output holds values in clear: `show -json` a plan, `output -json`.
_PRINTS_VALUES = frozenset({"show", "output"})
# In `.terraform/`: a digest of everything `init` depends on, written after an init that succeeded.
PREPARED_MARKER = "infraplane-prepared"


class TerraformRunner:
    """Runs Terraform configurations with `binary` (terraform or tofu) and infraplane's CLI config."""

    def __init__(
        self,
        binary: str,
        cli_config: Path,
        plugin_cache: Path,
        interfaces: ModuleInterfaceCache | None = None,
        go_gc_percent: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._binary = binary
        self._sleep = sleep  # between attempts of a step the cloud refused for a while
        self._cli_config = cli_config
        self._plugin_cache_lock = str(plugin_cache.parent / f".{plugin_cache.name}.lock")
        self._interfaces = interfaces or ModuleInterfaceCache()
        # Terraform and every provider it starts are Go programs; most of a run's CPU is the AWS provider's
        # schema being built and decoded, work that allocates freely: a higher GOGC collects less often.
        self._go = {"GOGC": str(go_gc_percent)} if go_gc_percent is not None else {}

    # -- preparation ---------------------------------------------------------------------------

    def module_dir(self, request: RunRequest) -> Path:
        return request.workdir / "blueprint" / (request.blueprint.spec.source or ".")

    def _materialize(self, request: RunRequest, backend: bool = True) -> Path:
        module = materialize(request)
        interface, _ = self._interfaces.read(request.digest, request.blueprint.spec.source or ".", module)
        older = provider_lock.predates_endpoint_url(module)  # a lock file the blueprint ships, if any
        write_override(module, request.target, interface, backend, provider_predates_endpoint_url=older)
        write_private_json(module / TFVARS_FILE, self._values(request, interface))
        return module

    def _endpoints_back(self, request: RunRequest, module: Path, initialized: Path, backend: bool = True) -> bool:
        """After an init that installed an AWS provider too old for `AWS_ENDPOINT_URL`: the endpoints block is back."""
        if not provider_lock.predates_endpoint_url(initialized):
            return False
        interface, _ = self._interfaces.read(request.digest, request.blueprint.spec.source or ".", module)
        write_override(module, request.target, interface, backend, provider_predates_endpoint_url=True)
        return True

    def _values(self, request: RunRequest, interface: ModuleInterface) -> dict[str, Any]:
        values = {k: v for k, v in request.inputs.items() if k in interface.variables}
        if CONTEXT_VARIABLE in interface.variables:
            values[CONTEXT_VARIABLE] = dict(request.context)
        return values

    def _environment(self, request: RunRequest) -> dict[str, str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/local/bin:/usr/bin:/bin"),
            "HOME": os.environ.get("HOME", "/tmp"),  # noqa: S108 - only a fallback for HOME
            "TF_CLI_CONFIG_FILE": str(self._cli_config),
            "TF_IN_AUTOMATION": "1",
            "TF_INPUT": "0",
            "CHECKPOINT_DISABLE": "1",
            **self._go,
            **request.target.environment,
            **request.backend,
        }
        return env

    def _run(
        self,
        request: RunRequest,
        module: Path,
        step: str,
        args: list[str],
        on_event: EventSink,
        parser: ProgressParser | None = None,
        cli_config: Path | None = None,
    ) -> ToolResult:
        """Run one step; a reading step that failed for a transient reason runs again (see retries.py)."""

        def on_start(pid: int) -> None:
            on_event(RunEvent(request.component, "tool-started", step, pid=pid))

        def on_retry(attempt: int, transient: Transient) -> None:
            message = f"{step} attempt {attempt} failed ({transient.kind}): {transient.reason}; retrying"
            on_event(RunEvent(request.component, "message", message, action="retry"))

        on_line: Callable[[str], None] | None = parser.feed if parser is not None else None
        environment = self._environment(request)
        if cli_config is not None:
            environment["TF_CLI_CONFIG_FILE"] = str(cli_config)

        def attempt() -> ToolResult:
            if step != "init":
                provider_lock.check(module)  # the packages init verified, or Terraform's own check is back
            result = run_tool([self._binary, *args], module, environment, step, on_line, on_start)
            if step in _PRINTS_VALUES:
                # These steps only read, and print values in clear (sensitive ones too): their log is not kept.
                (module / f"{step}.out").unlink(missing_ok=True)
            if result.returncode == 0:
                return result
            reason = diagnostics_summary(result.stdout, result.stderr)
            failure = FailureError(f"{request.component}: {self._binary} {step} failed: {reason}")
            transient = classify_failure(step, f"{result.stdout}\n{result.stderr}", lambda: tool_running_in(module))
            if transient is not None:
                raise TransientToolError(transient, failure)
            raise failure

        try:
            return retrying(on_retry, sleep=self._sleep)(attempt)
        except TransientToolError as exhausted:
            raise exhausted.failure from None

    def _init(self, request: RunRequest, on_event: EventSink) -> Path:
        module = self._materialize(request)
        cli_config, shared_cache = config_for_module(self._cli_config, request.workdir / "blueprint")
        generated = (module / OVERRIDE_FILE, module / PROVIDER_FILE)
        self._init_once(request, module, generated, cli_config, shared_cache, on_event)
        if self._endpoints_back(request, module, module):  # a changed override: init again
            self._init_once(request, module, generated, cli_config, shared_cache, on_event)
        return module

    def _init_once(
        self,
        request: RunRequest,
        root: Path,
        generated: Sequence[Path],
        cli_config: Path,
        shared_cache: bool,
        on_event: EventSink,
    ) -> None:
        """`init` in `root`, unless it was already initialized for exactly this configuration.

        What init depends on: the tool, its CLI configuration, the archive (by digest) and the files
        infraplane generates beside it (backend block, provider endpoints, a preview's wrapper). The
        state server's address and credentials are not among them: the http backend reads them from
        the environment of every command, so a directory initialized by an earlier command (or process)
        serves the next one as it is, and each plan or apply saves an init (~1 CPU-s).
        """
        marker = root / ".terraform" / PREPARED_MARKER
        prepared = self._preparation(request, generated, cli_config)
        prepared_before = marker.is_file() and marker.read_text(encoding="utf-8") == _with_lock_file(prepared, root)
        if prepared_before and provider_lock.check(root):
            return
        marker.unlink(missing_ok=True)
        provider_lock.unseal(root)  # init verifies the packages against the hashes it recorded, if any
        args = ["init", "-input=false", "-no-color", "-reconfigure"]
        # From the unpacked mirror, init links the work dir to the mirror: nothing shared is written, no lock.
        # Direct installs share the plugin cache, which is not safe for concurrent installs: queue them.
        if shared_cache:
            with FileLock(self._plugin_cache_lock):
                self._run(request, root, "init", args, on_event, cli_config=cli_config)
        else:
            self._run(request, root, "init", args, on_event, cli_config=cli_config)
        lock_file = root / provider_lock.LOCK_FILE
        if lock_file.is_file():
            # Terraform writes its lock file 0644 whatever the umask; it holds no secret, but the home is private.
            lock_file.chmod(0o600)
        provider_lock.seal(root)  # later commands skip hashing the packages again (see provider_lock.py)
        marker.write_text(_with_lock_file(prepared, root), encoding="utf-8")

    def _preparation(self, request: RunRequest, generated: Sequence[Path], cli_config: Path) -> str:
        tool = Path(self._binary).stat()
        parts = [self._binary, str(tool.st_size), str(tool.st_mtime_ns), request.digest, cli_config.read_text()]
        for path in generated:
            parts.append(f"{path}:{path.read_text(encoding='utf-8') if path.is_file() else ''}")
        return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()

    # -- reading -------------------------------------------------------------------------------

    def plan(
        self, request: RunRequest, on_event: EventSink, destroy: bool = False, replace: Sequence[str] = ()
    ) -> PlanSummary:
        """`plan -out` then `show -json`; the saved plan is what apply will run. `replace`: `-replace=ADDRESS` each."""
        module = self._init(request, on_event)
        plan_file = module / ("destroy.tfplan" if destroy else "infraplane.tfplan")
        args = ["plan", "-input=false", "-no-color", "-json", f"-var-file={TFVARS_FILE}", f"-out={plan_file.name}"]
        if destroy:
            args.append("-destroy")
        args += [f"-replace={address}" for address in replace]
        parser = ProgressParser(request.component, on_event)
        try:
            self._run(request, module, "plan", args, on_event, parser)
            shown = self._run(request, module, "show", ["show", "-json", "-no-color", plan_file.name], on_event)
        finally:
            (module / TFVARS_FILE).unlink(missing_ok=True)
        document = plan_document(request, shown.stdout)
        plan_json = write_private_bytes(
            plan_file.with_suffix(".json"), json.dumps(scrubbed_plan(document)).encode("utf-8")
        )
        return plan_summary(request, document, plan_file, plan_json, destroying=destroy)

    def preview(self, request: RunRequest, unknown: Sequence[str], on_event: EventSink) -> PlanSummary | None:
        """A plan made before the inputs `unknown` are known, which Terraform holds as "known after apply".

        Made in a wrapper root module of its own (see preview.py), without state or backend: it reads
        and writes nothing of the component's. Its plan file is gone once read, for it is never applied.
        """
        preview_request = replace(request, workdir=request.workdir / PREVIEW_DIR, backend={})
        module = self._materialize(preview_request, backend=False)
        (module / TFVARS_FILE).unlink()  # the wrapper's variables file holds the known inputs instead
        interface, _ = self._interfaces.read(request.digest, request.blueprint.spec.source or ".", module)
        root = private_directory(preview_request.workdir / "root")
        values = self._values(request, interface)
        known = sorted(k for k in values if k not in unknown)
        wanted = [k for k in unknown if k in interface.variables]
        config = wrapper_config(module, root, interface, known, wanted)
        (root / WRAPPER_FILE).write_text(json.dumps(config, indent=2, sort_keys=True), encoding="utf-8")
        write_private_json(root / TFVARS_FILE, {k: values[k] for k in known})
        cli_config, shared_cache = config_for_module(self._cli_config, preview_request.workdir)
        plan_file = root / "preview.tfplan"
        args = ["plan", "-input=false", "-no-color", "-json", f"-var-file={TFVARS_FILE}", f"-out={plan_file.name}"]
        try:
            generated = (root / WRAPPER_FILE, module / OVERRIDE_FILE, module / PROVIDER_FILE)
            self._init_once(preview_request, root, generated, cli_config, shared_cache, on_event)
            if self._endpoints_back(preview_request, module, root, backend=False):
                self._init_once(preview_request, root, generated, cli_config, shared_cache, on_event)
            parser = ProgressParser(request.component, on_event)
            self._run(preview_request, root, "plan", args, on_event, parser)
            shown = self._run(preview_request, root, "show", ["show", "-json", "-no-color", plan_file.name], on_event)
        finally:
            (root / TFVARS_FILE).unlink(missing_ok=True)
            plan_file.unlink(missing_ok=True)
        document = unwrapped(plan_document(request, shown.stdout))
        plan_json = write_private_bytes(root / "preview.json", json.dumps(scrubbed_plan(document)).encode("utf-8"))
        return plan_summary(
            request, document, None, plan_json, note="preview: " + ", ".join(sorted(unknown)) + " known after apply"
        )

    def saved_plan(self, plan: PlanSummary) -> bytes | None:
        """The saved plan's bytes; the file goes, since it holds input values in clear (restore_plan puts it back)."""
        if plan.plan_file is None or not plan.plan_file.is_file():
            return None
        content = plan.plan_file.read_bytes()
        plan.plan_file.unlink()
        return content

    def restore_plan(
        self, request: RunRequest, plan: PlanSummary, content: bytes | None, on_event: EventSink
    ) -> PlanSummary:
        """Materialize and init the module, then write the approved plan file back where apply reads it."""
        name = "destroy.tfplan" if plan.destroying else "infraplane.tfplan"
        module = self._init(request, on_event)  # no init when the directory is prepared for this configuration
        if content is None:
            return replace(plan, plan_file=None)
        return replace(plan, plan_file=write_private_bytes(module / name, content))

    def refresh(self, request: RunRequest, on_event: EventSink) -> PlanSummary:
        """A refresh-only plan: what changed in the cloud behind Terraform's back.

        Terraform's own `-json` stream names every drifted resource (`resource_drift` messages, the same
        resources as the plan's `resource_drift`): when it names none, the plan is not shown (`show -json`
        starts the provider again, ~2 CPU-s), and the component has no drift. Otherwise `show -json` gives
        the values, read into the normalized plan as for any plan.
        """
        module = self._init(request, on_event)
        plan_file = module / "refresh.tfplan"
        plan_json = plan_file.with_suffix(".json")
        args = [
            "plan",
            "-refresh-only",
            "-input=false",
            "-no-color",
            "-json",
            f"-var-file={TFVARS_FILE}",
            f"-out={plan_file.name}",
        ]
        parser = ProgressParser(request.component, on_event)
        try:
            self._run(request, module, "refresh", args, on_event, parser)
            if parser.drifted == 0:
                plan_json.unlink(missing_ok=True)  # what an earlier check saw is not what this one saw
                clean = NormalizedPlan(parser.terraform_version, (), {}, {})
                return PlanSummary(request.component, 0, 0, 0, plan_file, None, note="0 drifted", plan=clean)
            shown = self._run(request, module, "show", ["show", "-json", "-no-color", plan_file.name], on_event)
        finally:
            (module / TFVARS_FILE).unlink(missing_ok=True)
        document = plan_document(request, shown.stdout)
        normalized = normalized_plan(request, document)
        # Kept, sensitive values scrubbed, like a plan's JSON: for people reading what a drift check saw.
        write_private_bytes(plan_json, json.dumps(scrubbed_plan(document)).encode("utf-8"))
        drifted = len(normalized.resource_drift)
        # The refresh-only plan stays (owner-only) for a proposal accepting the drift; saved_plan takes it from here.
        return PlanSummary(
            request.component, 0, drifted, 0, plan_file, plan_json, note=f"{drifted} drifted", plan=normalized
        )

    def outputs(self, request: RunRequest) -> OutputValues:
        module = self.module_dir(request)
        result = self._run(request, module, "output", ["output", "-json", "-no-color"], lambda _e: None)
        return output_values(request, json.loads(result.stdout or "{}"))

    # -- changing ------------------------------------------------------------------------------

    def apply(self, request: RunRequest, plan: PlanSummary, on_event: EventSink) -> OutputValues:
        """Apply exactly the saved plan; Terraform refuses it if the state moved since it was made.

        The outputs come from the apply's own stream; `output -json` (another Terraform process) only when
        one of them is sensitive, for the stream leaves those values out.
        """
        if plan.plan_file is None or not plan.plan_file.is_file():
            raise FailureError(f"{request.component}: no saved plan to apply")
        module = plan.plan_file.parent
        provider_lock.lock_for_plan(module, plan.plan_file)
        parser = ProgressParser(request.component, on_event)
        try:
            self._run(
                request,
                module,
                "apply",
                ["apply", "-input=false", "-no-color", "-json", plan.plan_file.name],
                on_event,
                parser,
            )
        finally:
            # Applied or refused, a saved plan is never applied twice; the store keeps its encrypted copy.
            plan.plan_file.unlink(missing_ok=True)
        if plan.destroying:
            return OutputValues({})
        streamed = parser.outputs
        if streamed is None or any(isinstance(o, dict) and o.get("sensitive") for o in streamed.values()):
            return self.outputs(request)
        return output_values(request, streamed)

    def destroy(self, request: RunRequest, on_event: EventSink) -> None:
        plan = self.plan(request, on_event, destroy=True)
        if plan.has_changes:
            self.apply(request, plan, on_event)


def _with_lock_file(prepared: str, root: Path) -> str:
    """The preparation digest with the provider lock file init wrote: a lock file changed or gone means init again."""
    lock_file = root / provider_lock.LOCK_FILE
    lock = hashlib.sha256(lock_file.read_bytes()).hexdigest() if lock_file.is_file() else "no lock file"
    return f"{prepared} {lock}"
