from __future__ import annotations

import json

import pytest

from infraplane.core.text import inert, inert_json

HOSTILE = "ok\x1b[2J\x1b[31mAPPROVED\x1b[0m\rmal\u202eexe.txt\x9b31m\x07"


def test_control_characters_become_visible_escapes() -> None:
    assert inert(HOSTILE) == "ok\\x1b[2J\\x1b[31mAPPROVED\\x1b[0m\\x0dmal\\u202eexe.txt\\x9b31m\\x07"


@pytest.mark.parametrize("text", ["plain words", "two\nlines\tand a tab", "café, Zürich, 東京"])
def test_ordinary_text_is_unchanged(text: str) -> None:
    assert inert(text) == text


def test_json_keeps_its_value_and_loses_raw_controls() -> None:
    encoded = inert_json(json.dumps({"why": HOSTILE}, ensure_ascii=False))
    assert json.loads(encoded) == {"why": HOSTILE}
    assert not any(c in encoded for c in "\x1b\x9b\u202e\r\x07")
