"""The child process of `vetting`: compile a bundle and ask its rules about an empty plan, nothing else.

It imports regopy, the input conversion and the test transformation only (no pydantic, no settings), so
trying a bundle costs about the compilation. Exit 0 when everything ran, 3 on a Rego error (the engine in
the parent names it); a crash, a hang or a swelling is what the parent watches for.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from regopy import Interpreter, RegoError

from infraplane.adapters.policy.input import to_input
from infraplane.adapters.policy.rego_tests import transform_test_module


def main() -> int:
    request: dict[str, Any] = json.loads(sys.stdin.buffer.read())
    modules: dict[str, str] = request["modules"]
    entrypoints: list[str] = request["entrypoints"]
    try:
        interpreter = Interpreter()
        for name, text in modules.items():
            if not name.endswith("_test.rego"):
                interpreter.add_module(name, text)
        compiled = interpreter.build(None, entrypoints)
        interpreter.set_input(to_input({"hook": "plan", "params": request["params"], "plan": {"resource_changes": []}}))
        for entrypoint in entrypoints:
            interpreter.query_bundle_entrypoint(compiled, entrypoint)
        if any(name.endswith("_test.rego") for name in modules):
            # Test modules compiled with the policies, transformed as `policy test` does (rego-cpp aborts
            # building the baseline's tests as they are written).
            with_tests = Interpreter()
            for name, text in modules.items():
                transformed = transform_test_module(text) if name.endswith("_test.rego") else None
                if transformed is not None or not name.endswith("_test.rego"):
                    with_tests.add_module(name, transformed.text if transformed is not None else text)
            with_tests.build(None, entrypoints)
    except (RegoError, ValueError):
        return 3
    return 0


if __name__ == "__main__":
    os.dup2(os.open(os.devnull, os.O_WRONLY), 1)  # regopy prints compile errors on file descriptor 1
    sys.exit(main())
