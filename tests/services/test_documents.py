"""YAML documents are read strictly: what YAML allows but no document needs is refused, with a short reason."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from infraplane.errors import InputError
from infraplane.services.documents import MAX_DEPTH, load_yaml_text, read_yaml

BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *[f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(7)],
    ]
)


def _refusal(text: str) -> str:
    with pytest.raises(InputError) as error:
        load_yaml_text(text, "env.yaml")
    [problem] = error.value.problems
    assert problem.file == "env.yaml"
    assert len(str(problem)) < 200
    return problem.reason


def test_an_alias_bomb_is_refused_without_expanding_it() -> None:
    assert "aliases repeat content" in _refusal(BOMB)


def test_duplicate_keys_are_refused_naming_both_lines() -> None:
    reason = _refusal("metadata: {tier: dev}\nspec: {}\nmetadata: {tier: prod}\n")
    assert reason == "refused at line 3: duplicate key 'metadata' (first given at line 1)"


def test_a_nested_duplicate_key_is_refused_too() -> None:
    assert "duplicate key 'size'" in _refusal("spec:\n  inputs:\n    size: small\n    size: large\n")


def test_merge_keys_may_still_override() -> None:
    assert load_yaml_text("base: &b {x: 1}\nother:\n  <<: *b\n  x: 2\n", "f") == {"base": {"x": 1}, "other": {"x": 2}}


def test_nesting_past_the_limit_is_refused() -> None:
    deep = "a:\n" + "".join("  " * i + "- \n" for i in range(1, MAX_DEPTH + 5))
    assert "levels deep" in _refusal(deep)
    assert "levels deep" in _refusal("[" * 3000 + "]" * 3000)


def test_a_recursive_alias_is_refused() -> None:
    assert "recursive" in _refusal("a: &x\n  b: *x\n")


def test_a_long_duplicate_key_is_quoted_short() -> None:
    key = "k" * 5000
    assert len(_refusal(f"{key}: 1\n{key}: 2\n")) < 120


def test_files_over_the_size_limit_are_refused_before_reading(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_text("x: " + "a" * 2048 + "\n")
    data, [problem] = read_yaml(big, max_bytes=1024)
    assert data is None and "limit for a document is 1,024 bytes" in problem.reason


def test_special_files_and_directories_have_their_own_messages(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_yaml(tmp_path)
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(InputError, match="not a regular file"):
        read_yaml(fifo)


def test_an_ordinary_document_still_loads(tmp_path: Path) -> None:
    env = tmp_path / "env.yaml"
    env.write_text("apiVersion: infraplane.dev/v1\nkind: Environment\nmetadata: {name: a, team: t, tier: dev}\n")
    data, problems = read_yaml(env)
    assert problems == [] and data["metadata"]["tier"] == "dev"


def test_control_characters_are_a_yaml_error_not_a_traceback() -> None:
    assert _refusal("\x00\x01 garbage: [") == "not valid YAML: character #x0000 at position 0 is not allowed"


def test_a_number_past_the_digit_limit_is_refused_with_its_line() -> None:
    assert (
        _refusal("a: 1\nb: " + "9" * 5000 + "\n")
        == "refused at line 2: a number of 5,000 digits is not a value any document needs"
    )


def test_json_past_the_depth_limit_is_refused_without_recursion(tmp_path: Path) -> None:
    from infraplane.services.documents import MAX_JSON_DEPTH, json_depth_exceeds, read_json

    assert not json_depth_exceeds({"a": [[{"b": 1}]]}, 4) and json_depth_exceeds({"a": [[{"b": 1}]]}, 3)
    for depth in (MAX_JSON_DEPTH + 1, 100_000):
        deep = tmp_path / f"deep-{depth}.json"
        deep.write_text("[" * depth + "]" * depth)
        with pytest.raises(InputError, match=f"nested more than {MAX_JSON_DEPTH} levels deep"):
            read_json(deep, "plan JSON")
