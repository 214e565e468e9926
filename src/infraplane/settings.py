"""The one settings object: environment, then `$INFRAPLANE_HOME/config.yaml`, then defaults.

Read once per process through :func:`load_settings`; nothing else in the
package looks at environment variables.
"""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from infraplane.errors import ConfigError, Problem

__all__ = ["Settings", "load_settings"]

CONFIG_FILE_NAME = "config.yaml"


class TerraformSettings(BaseModel):
    """How IaC tools are found and configured."""

    model_config = ConfigDict(extra="forbid")

    binary: str = Field("terraform", description="terraform or tofu (must be on PATH)")
    provider_mirror: Path | None = Field(None, description="filesystem mirror of providers")


class Settings(BaseSettings):
    """Everything infraplane can be configured with."""

    model_config = SettingsConfigDict(env_prefix="INFRAPLANE_", extra="forbid")

    home: Path = Field(default_factory=lambda: Path.cwd() / ".infraplane")
    database_url: str | None = None
    user: str = Field(default_factory=getpass.getuser)
    debug: bool = False
    groups: dict[str, list[str]] = Field(default_factory=dict)
    terraform: TerraformSettings = Field(default_factory=lambda: TerraformSettings())

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
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")


def _home_from_environment(overrides: dict[str, Any]) -> Path:
    if "home" in overrides:
        return Path(overrides["home"])
    return Path(os.environ.get("INFRAPLANE_HOME") or Path.cwd() / ".infraplane")


def _read_config_file(path: Path) -> dict[str, Any]:
    if not path.is_file():
        return {}
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid YAML: {exc}", [Problem(str(path), "", "not valid YAML")]) from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(
            f"{path}: expected a mapping at the top level", [Problem(str(path), "", "expected a mapping")]
        )
    return data


def load_settings(**overrides: Any) -> Settings:
    """Build the settings: explicit overrides > environment > config.yaml > defaults."""
    home = _home_from_environment(overrides).resolve()
    from_file = _read_config_file(home / CONFIG_FILE_NAME)
    from_file.pop("home", None)
    try:
        env_values = Settings(home=home).model_dump(exclude_unset=True)
        merged = {**from_file, **env_values, **overrides, "home": home}
        return Settings(**merged)
    except ValidationError as exc:
        problems = [
            Problem(str(home / CONFIG_FILE_NAME), ".".join(str(p) for p in err["loc"]), err["msg"])
            for err in exc.errors()
        ]
        raise ConfigError(str(problems[0]), problems) from None
