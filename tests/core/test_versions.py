from __future__ import annotations

import pytest

from infraplane.core.versions import is_valid_constraint, is_valid_version, newest_matching, parse_ref, sort_versions

VERSIONS = ["1.0.0", "1.4.0", "1.4.3", "1.5.2", "2.0.0", "2.1.0-rc.1"]


@pytest.mark.parametrize(
    ("constraint", "expected"),
    [
        ("^1.4", "1.5.2"),
        ("~1.4.2", "1.4.3"),
        (">=1,<2", "1.5.2"),
        (">=1 <2", "1.5.2"),
        ("1.4.0", "1.4.0"),
        ("^2.0", "2.0.0"),
        ("^3", None),
        (None, "2.0.0"),
    ],
)
def test_constraints_pick_the_newest_match(constraint: str | None, expected: str | None) -> None:
    assert newest_matching(VERSIONS, constraint) == expected


@pytest.mark.parametrize("version", ["1.4.0", "0.0.1", "10.20.30", "1.0.0-rc.1"])
def test_valid_versions(version: str) -> None:
    assert is_valid_version(version)


@pytest.mark.parametrize("version", ["1.4", "v1.4.0", "01.2.3", "latest", "", " 1.0.0"])
def test_invalid_versions(version: str) -> None:
    assert not is_valid_version(version)


def test_invalid_constraint_is_rejected_with_a_hint() -> None:
    assert not is_valid_constraint("newest please")
    with pytest.raises(ValueError, match="not a valid version constraint"):
        parse_ref("postgres@newest please")


def test_ref_without_version_means_any() -> None:
    ref = parse_ref("service-stack")
    assert (ref.name, ref.constraint) == ("service-stack", None)


def test_sorting_is_semantic() -> None:
    assert sort_versions(["1.10.0", "1.2.0", "1.2.0-rc.1"]) == ["1.2.0-rc.1", "1.2.0", "1.10.0"]
