"""The home is found the way git finds its repository; configuration errors name their source."""

from __future__ import annotations

from pathlib import Path

import pytest

from infraplane.errors import ConfigError
from infraplane.settings import discover_home, load_settings


def test_infraplane_home_wins(tmp_path: Path) -> None:
    (tmp_path / ".infraplane").mkdir()
    home, source = discover_home(tmp_path, {"INFRAPLANE_HOME": "/srv/ip"})
    assert home == Path("/srv/ip") and source == "INFRAPLANE_HOME"


def test_the_nearest_home_in_a_parent_is_found(tmp_path: Path) -> None:
    (tmp_path / ".infraplane").mkdir()
    deep = tmp_path / "a" / "b"
    deep.mkdir(parents=True)
    home, source = discover_home(deep, {})
    assert home == tmp_path / ".infraplane" and "nearest" in source


def test_no_home_anywhere_means_the_per_user_default(tmp_path: Path) -> None:
    home, source = discover_home(tmp_path, {"XDG_DATA_HOME": str(tmp_path / "data")})
    assert home == tmp_path / "data" / "infraplane" and "per-user default" in source


def test_a_bad_environment_variable_is_named_as_such(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INFRAPLANE_HOME", str(tmp_path))
    monkeypatch.setenv("INFRAPLANE_CONCURRENCY", "lots")
    with pytest.raises(ConfigError) as error:
        load_settings()
    [problem] = error.value.problems
    assert (problem.file, problem.field) == ("environment", "INFRAPLANE_CONCURRENCY")


def test_a_bad_config_file_key_is_named_with_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INFRAPLANE_HOME", str(tmp_path))
    monkeypatch.delenv("INFRAPLANE_CONCURRENCY", raising=False)
    (tmp_path / "config.yaml").write_text("concurrency: 0\n")
    with pytest.raises(ConfigError) as error:
        load_settings()
    [problem] = error.value.problems
    assert problem.file.endswith("config.yaml") and problem.field == "concurrency"


def test_the_settings_say_how_the_home_was_found(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("INFRAPLANE_HOME", str(tmp_path))
    assert load_settings().home_source == "INFRAPLANE_HOME"
