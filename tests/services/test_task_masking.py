"""What a proposing task that ended without its proposal records: its reason, with no input value in it."""

from __future__ import annotations

from infraplane.core.text import string_leaves
from infraplane.services.tasks import _masked


def test_every_input_value_in_the_reason_is_masked_longest_first() -> None:
    values = list(string_leaves([{"password": "hunter22", "nested": ["hunter2266", {"x": 7}]}, None, {"short": "abc"}]))
    assert values == ["hunter22", "hunter2266", "abc"]
    message = "inputs.password: 'hunter2266' is too long; 'hunter22' too; abc stays"
    assert _masked(message, values) == "inputs.password: '(masked)' is too long; '(masked)' too; abc stays"
