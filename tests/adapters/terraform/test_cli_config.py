"""Which CLI configuration a module is initialized with: the mirror one (no shared cache) or the cached one."""

from __future__ import annotations

from pathlib import Path

from infraplane.adapters.terraform.cli_config import config_for_module, module_provider_sources, write_cli_config

AWS_ONLY = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}
"""
AWS_AND_RANDOM = """
terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
    random = {
      source = "hashicorp/random"
    }
  }
}
"""


def mirror(root: Path) -> Path:
    platform = root / "mirror" / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0" / "linux_amd64"
    platform.mkdir(parents=True)
    return root / "mirror"


def module(root: Path, name: str, text: str, child: str | None = None) -> Path:
    path = root / name
    path.mkdir()
    (path / "main.tf").write_text(text, encoding="utf-8")
    if child is not None:
        (path / "modules" / "child").mkdir(parents=True)
        (path / "modules" / "child" / "versions.tf").write_text(child, encoding="utf-8")
    return path


def test_a_module_the_mirror_serves_gets_no_shared_cache_and_no_lock(tmp_path: Path) -> None:
    config = write_cli_config(tmp_path / "tf" / "terraformrc", tmp_path / "cache", mirror(tmp_path))
    text = config.read_text()
    assert "plugin_cache_dir" not in text
    assert "filesystem_mirror" in text and '"registry.terraform.io/hashicorp/aws"' in text
    assert config_for_module(config, module(tmp_path, "m", AWS_ONLY)) == (config, False)


def test_a_module_that_installs_a_provider_directly_uses_the_cache_under_the_lock(tmp_path: Path) -> None:
    config = write_cli_config(tmp_path / "tf" / "terraformrc", tmp_path / "cache", mirror(tmp_path))
    chosen, locked = config_for_module(config, module(tmp_path, "m", AWS_ONLY, child=AWS_AND_RANDOM))
    assert locked and chosen != config
    text = chosen.read_text()
    assert f'plugin_cache_dir = "{tmp_path / "cache"}"' in text
    # Entries already in the cache are used as they are, never re-installed under a concurrent plan.
    assert "plugin_cache_may_break_dependency_lock_file = true" in text
    assert "filesystem_mirror" in text


def test_without_a_mirror_every_module_uses_the_cache(tmp_path: Path) -> None:
    config = write_cli_config(tmp_path / "tf" / "terraformrc", tmp_path / "cache", None)
    chosen, locked = config_for_module(config, module(tmp_path, "m", AWS_ONLY))
    assert locked
    assert "plugin_cache_dir" in chosen.read_text() and "plugin_cache_dir" in config.read_text()


def test_provider_sources_are_read_from_every_required_providers_block(tmp_path: Path) -> None:
    found = module_provider_sources(module(tmp_path, "m", AWS_ONLY, child=AWS_AND_RANDOM))
    assert found == {"registry.terraform.io/hashicorp/aws", "registry.terraform.io/hashicorp/random"}
