"""The one settings object: environment, then `$INFRAPLANE_HOME/config.yaml`, then defaults.

Read once per process through :func:`load_settings`; nothing else in the
package looks at environment variables.
"""

from __future__ import annotations

import getpass
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from infraplane.core.yaml_text import load_yaml_text
from infraplane.errors import ConfigError, InputError, Problem

__all__ = ["HOME_DIR_NAME", "Settings", "discover_home", "load_settings"]

CONFIG_FILE_NAME = "config.yaml"


class TerraformSettings(BaseModel):
    """How IaC tools are found and configured."""

    model_config = ConfigDict(extra="forbid")

    binary: str = Field("auto", description="terraform, tofu, or auto (terraform when on PATH, else tofu)")
    provider_mirror: Path | None = Field(None, description="filesystem mirror of providers (discovered when unset)")
    plugin_cache: Path = Field(
        default_factory=lambda: Path.home() / ".cache" / "infraplane" / "terraform-plugins",
        description="plugin cache for providers installed directly (those from the mirror are linked, never cached), "
        "shared by every component and every INFRAPLANE_HOME",
    )
    go_gc_percent: int | None = Field(
        400,
        ge=50,
        le=10_000,
        description="GOGC for Terraform and its providers (Go programs): 400 lets the heap grow to five times what "
        "is live before collecting, ~20% less CPU per run for ~150 MB more memory; null keeps Go's default (100)",
    )


class PolicySettings(BaseModel):
    """Guardrails: the built-in bundle and overrides of bundle params (allowed_regions, instance_classes, ...)."""

    model_config = ConfigDict(extra="forbid")

    builtin: bool = Field(True, description="evaluate the built-in infraplane-baseline bundle")
    params: dict[str, Any] = Field(default_factory=dict, description="override bundle params")


class BudgetSettings(BaseModel):
    """Monthly budgets in USD; a plan whose estimated monthly cost exceeds one is denied or warned."""

    model_config = ConfigDict(extra="forbid")

    tiers: dict[str, float] = Field(default_factory=dict)
    teams: dict[str, float] = Field(default_factory=dict)
    mode: Literal["deny", "warn"] = "deny"


class ProposalSettings(BaseModel):
    """How proposals age, and where applied revisions are committed."""

    model_config = ConfigDict(extra="forbid")

    expire_after_hours: float = Field(72.0, gt=0, description="an undecided or unapplied proposal expires after this")
    environments_repo: Path | None = Field(
        None, description="git repository of environments (default: HOME/environments)"
    )
    environments_remote: str | None = Field(None, description="a git remote URL pushed to after every commit")
    ttl_warning_hours: float = Field(24.0, ge=0, description="warn this long before an environment's TTL ends")


class AskSettings(BaseModel):
    """`infraplane ask`: the built-in resolver, optionally helped by an LLM that can only pick catalog entries."""

    model_config = ConfigDict(extra="forbid")

    llm: Literal["none", "openai", "anthropic"] = Field("none", description="an optional LLM backend")
    llm_url: str | None = Field(None, description="chat completions (OpenAI-compatible) or messages (Anthropic) URL")
    llm_key: str | None = Field(None, description="the backend's API key", repr=False)
    llm_model: str | None = Field(None, description="the model name sent to the backend")
    llm_timeout_seconds: float = Field(30.0, gt=0)


class SchedulerSettings(BaseModel):
    """The periodic work `infraplane serve` does while nobody is typing."""

    model_config = ConfigDict(extra="forbid")

    ttl_check_seconds: float = Field(300.0, gt=0, description="how often environments' TTLs are checked")
    recovery_seconds: float = Field(60.0, gt=0, description="how often runs of dead processes are looked for")
    jitter: float = Field(0.1, ge=0, le=0.5, description="intervals move by up to this fraction either way")


class DriftScheduleSettings(BaseModel):
    """How often the server checks environments for drift, per tier (durations such as 30m, 1h, 24h)."""

    model_config = ConfigDict(extra="forbid")

    schedule: dict[str, str] = Field(
        default_factory=lambda: {"prod": "1h", "staging": "6h", "dev": "24h"},
        description="tier -> interval between drift checks of each environment of that tier",
    )
    environments: dict[str, str] = Field(
        default_factory=dict, description="environment name -> its own interval between checks (overrides its tier)"
    )
    tick_seconds: float = Field(60.0, gt=0, description="how often the scheduler looks for due drift checks")
    auto_revert: dict[str, list[Literal["high", "medium"]]] = Field(
        default_factory=dict,
        description="tier -> drift severities for which a check opens a revert proposal by itself "
        "(e.g. {prod: [high]}); people still approve it per the approval rules",
    )

    @field_validator("schedule", "environments")
    @classmethod
    def _durations(cls, schedule: dict[str, str]) -> dict[str, str]:
        from infraplane.core.environment import parse_duration

        for tier, text in schedule.items():
            try:
                parse_duration(text)
            except ValueError as exc:
                raise ValueError(f"{tier}: {exc}") from None
        return schedule


class UnmanagedSettings(BaseModel):
    """Finding resources no component's state manages (the cloud inventory)."""

    model_config = ConfigDict(extra="forbid")

    regions: list[str] = Field(
        default_factory=list, description="regions the inventory lists (empty: the default target's region)"
    )
    scan_seconds: float = Field(21600.0, gt=0, description="how often the server scans for unmanaged resources")


class AdvisorSettings(BaseModel):
    """Advisors: right-sizing and scaling from cloud metrics, TTLs for idle environments (docs/advisors.md)."""

    model_config = ConfigDict(extra="forbid")

    every_seconds: float = Field(86400.0, gt=0, description="how often the server's scheduler runs the advisors")
    propose: bool = Field(True, description="the scheduled run turns actionable recommendations into proposals")
    window_days: int = Field(14, ge=1, le=63, description="how many days of metrics a recommendation looks at")
    min_hours: int = Field(30, ge=1, description="fewer hours with data than this in the window: no recommendation")
    headroom: float = Field(0.15, ge=0, le=2, description="capacity kept above the observed peak (0.15 = 15%)")
    horizon_days: int = Field(7, ge=1, le=90, description="how far ahead the load trend is projected for scaling")
    burst_ratio: float = Field(2.0, gt=1, description="peak/median at or above this is bursty: scale out, not up")
    idle_days: int = Field(14, ge=1, le=180, description="no activity by people or agents for this long is idle")
    idle_tiers: list[str] = Field(default_factory=lambda: ["dev", "staging"], description="tiers idle checks cover")
    ttl_grace_days: int = Field(7, ge=1, le=90, description="an idle environment's suggested TTL ends this far ahead")


class TeamSettings(BaseModel):
    """Team mode: servers and workers on several machines share one PostgreSQL store (docs/team-mode.md)."""

    model_config = ConfigDict(extra="forbid")

    server_url: str | None = Field(
        None, description="the server's base URL as workers reach it (Terraform state goes through its API)"
    )
    worker_token: str | None = Field(
        None, description="a worker token's secret (`token create --role worker`)", repr=False
    )
    worker_token_file: Path | None = Field(None, description="a file holding the worker token's secret")
    queue: str = Field("infraplane", min_length=1, max_length=64, description="the task queue's name")
    heartbeat_seconds: float = Field(10.0, gt=0, description="how often a worker tells the store it is alive")
    stalled_seconds: float = Field(
        30.0, gt=0, description="a worker silent this long is taken for dead; its tasks go back to the queue"
    )
    state_lock_seconds: float = Field(
        3600.0,
        gt=0,
        description="a Terraform state lock untouched this long is abandoned (its Terraform died with its machine)",
    )
    shutdown_grace_seconds: float = Field(
        300.0, ge=0, description="on SIGTERM a worker waits this long for its runs before it interrupts them"
    )
    metrics_port: int | None = Field(None, ge=0, le=65535, description="where `infraplane worker` serves /metrics")


class LimitsSettings(BaseModel):
    """How large the documents and archives people and agents hand over may be."""

    model_config = ConfigDict(extra="forbid")

    document_bytes: int = Field(
        1024 * 1024, ge=1024, description="largest environment file or blueprint.yaml read (bytes)"
    )
    archive_bytes: int = Field(
        200 * 1024 * 1024, ge=1024, description="largest packed blueprint source `catalog publish` stores (bytes)"
    )
    plan_bytes: int = Field(
        512 * 1024 * 1024, ge=1024, description="largest plan JSON file `policy check` and `cost` read (bytes)"
    )


class Settings(BaseSettings):
    """Everything infraplane can be configured with."""

    model_config = SettingsConfigDict(env_prefix="INFRAPLANE_", env_nested_delimiter="__", extra="forbid")

    home: Path = Field(default_factory=lambda: discover_home()[0])
    database_url: str | None = None
    user: str = Field(default_factory=getpass.getuser)
    debug: bool = False
    groups: dict[str, list[str]] = Field(default_factory=dict)
    terraform: TerraformSettings = Field(default_factory=lambda: TerraformSettings())
    sandbox_port: int = Field(4566, ge=1, le=65535, description="loopback port of the sandbox cloud")
    default_target: Literal["sandbox", "aws"] = "sandbox"
    concurrency: int = Field(4, ge=1, le=64, description="components run at once")
    lock_lease_seconds: float = Field(60.0, gt=0, description="a lock not renewed for this long can be taken over")
    lock_wait_seconds: float = Field(
        120.0,
        ge=0,
        description="how long a person's or agent's run waits for a live run holding its environment "
        "(a scheduled drift check, another plan) before it refuses",
    )
    state_key_file: Path | None = Field(None, description="Fernet key for state at rest (default: HOME/keys/state.key)")
    policies: PolicySettings = Field(default_factory=lambda: PolicySettings())
    budgets: BudgetSettings = Field(default_factory=lambda: BudgetSettings())
    proposals: ProposalSettings = Field(default_factory=lambda: ProposalSettings())
    ask: AskSettings = Field(default_factory=lambda: AskSettings())
    limits: LimitsSettings = Field(default_factory=lambda: LimitsSettings())
    scheduler: SchedulerSettings = Field(default_factory=lambda: SchedulerSettings())
    drift: DriftScheduleSettings = Field(default_factory=lambda: DriftScheduleSettings())
    unmanaged: UnmanagedSettings = Field(default_factory=lambda: UnmanagedSettings())
    advisors: AdvisorSettings = Field(default_factory=lambda: AdvisorSettings())
    execution: Literal["embedded", "team"] = Field(
        "embedded",
        description="embedded: runs in the server's own threads; team: durable tasks run by `infraplane worker`s",
    )
    team: TeamSettings = Field(default_factory=lambda: TeamSettings())
    # How `home` was found (INFRAPLANE_HOME, the nearest .infraplane/, the per-user default): `infraplane info`.
    _home_source: str = PrivateAttr(default="")

    @property
    def home_source(self) -> str:
        return self._home_source

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings, env_settings)

    @property
    def config_file(self) -> Path:
        return self.home / CONFIG_FILE_NAME

    @property
    def effective_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'infraplane.db'}"

    @property
    def effective_state_key_file(self) -> Path:
        return self.state_key_file or self.home / "keys" / "state.key"

    @property
    def work_dir(self) -> Path:
        return self.home / "work"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def team_mode(self) -> bool:
        return self.execution == "team"

    def check_team_mode(self) -> None:
        """ConfigError unless team mode has what it needs: a PostgreSQL store."""
        if self.team_mode and not (self.database_url or "").startswith("postgresql"):
            reason = "execution: team needs a PostgreSQL database_url (postgresql://...)"
            raise ConfigError(reason, [Problem(str(self.config_file), "database_url", "not PostgreSQL")])

    def worker_secret(self) -> str | None:
        """The worker token's secret: `team.worker_token`, else the content of `team.worker_token_file`."""
        if self.team.worker_token:
            return self.team.worker_token
        if self.team.worker_token_file is None:
            return None
        try:
            return self.team.worker_token_file.read_text(encoding="utf-8").strip() or None
        except OSError as exc:
            raise ConfigError(
                f"team.worker_token_file: cannot read {self.team.worker_token_file} ({exc.strerror})",
                [Problem(str(self.team.worker_token_file), "team.worker_token_file", "cannot be read")],
            ) from None


HOME_DIR_NAME = ".infraplane"


def discover_home(cwd: Path | None = None, environ: Mapping[str, str] | None = None) -> tuple[Path, str]:
    """Where infraplane keeps its data, found the way git finds its repository, and how it was found.

    `INFRAPLANE_HOME`, else the nearest `.infraplane/` in this directory or a parent, else the
    per-user default `$XDG_DATA_HOME/infraplane` (`~/.local/share/infraplane`).
    """
    environ = os.environ if environ is None else environ
    if environ.get("INFRAPLANE_HOME"):
        return Path(environ["INFRAPLANE_HOME"]), "INFRAPLANE_HOME"
    here = (cwd or Path.cwd()).resolve()
    for directory in (here, *here.parents):
        if (directory / HOME_DIR_NAME).is_dir():
            return directory / HOME_DIR_NAME, f"the nearest {HOME_DIR_NAME}/ from {here}"
    data = Path(environ["XDG_DATA_HOME"]) if environ.get("XDG_DATA_HOME") else Path.home() / ".local" / "share"
    return data / "infraplane", "the per-user default: no INFRAPLANE_HOME and no .infraplane/ here or above"


def _home_from_environment(overrides: dict[str, Any]) -> tuple[Path, str]:
    if "home" in overrides:
        return Path(overrides["home"]), "given"
    return discover_home()


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = load_yaml_text(path.read_text(encoding="utf-8"), str(path))
    except UnicodeDecodeError:
        reason = "not valid YAML: not UTF-8 text"
        raise ConfigError(f"{path}: {reason}", [Problem(str(path), "", reason)]) from None
    except OSError as exc:
        reason = f"cannot be read: {exc.strerror or exc}"
        raise ConfigError(f"{path}: {reason}", [Problem(str(path), "", reason)]) from None
    except InputError as exc:
        raise ConfigError.from_problems(exc.problems) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping at the top level", [Problem(str(path), "", "expected a mapping")]
        )
    return data


def load_settings(**overrides: Any) -> Settings:
    """Build the settings: explicit overrides > environment > config.yaml > defaults."""
    found, source = _home_from_environment(overrides)
    home = found.resolve()
    from_file = _read_config_file(home / CONFIG_FILE_NAME)
    from_file.pop("home", None)
    try:
        env_values = Settings(home=home).model_dump(exclude_unset=True)
    except ValidationError as exc:
        # Only the environment was read so far: name the variable, not config.yaml.
        problems = [
            Problem("environment", f"INFRAPLANE_{str(err['loc'][0]).upper()}", err["msg"]) for err in exc.errors()
        ]
        raise ConfigError(str(problems[0]), problems) from None
    try:
        merged = {**from_file, **env_values, **overrides, "home": home}
        settings = Settings(**merged)
    except ValidationError as exc:
        problems = [
            Problem(str(home / CONFIG_FILE_NAME), ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors()
        ]
        raise ConfigError(str(problems[0]), problems) from None
    settings._home_source = source
    return settings
