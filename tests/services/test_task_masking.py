"""What a proposing task that ended without its proposal records: its reason, with no input value in it."""

from __future__ import annotations

from infraplane.core.text import string_leaves
from infraplane.services.tasks import _input_values, _masked


def test_every_input_value_in_the_reason_is_masked_longest_first() -> None:
    values = list(string_leaves([{"password": "hunter22", "nested": ["hunter2266", {"x": 7}]}, None, {"short": "abc"}]))
    assert values == ["hunter22", "hunter2266", "abc"]
    message = "inputs.password: 'hunter2266' is too long; 'hunter22' too; abc stays"
    assert _masked(message, values) == "inputs.password: '(masked)' is too long; '(masked)' too; abc stays"


def test_the_values_are_the_documents_inputs_not_its_names_or_blueprints() -> None:
    document = {
        "metadata": {"name": "orders-dev"},
        "spec": {
            "inputs": {"service": "orders"},
            "components": {"vault": {"blueprint": "secret-parameter@1.0.0", "inputs": {"secret_value": "s3cret!"}}},
        },
    }
    assert _input_values(document) == ["orders", "s3cret!"]
    assert _input_values(None) == [] and _input_values({"spec": "nonsense"}) == []
