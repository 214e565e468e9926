"""Every deliberate error has its own stable code, an exit code and an HTTP status, and errors.py documents it.

The error classes are found in the source (every `class X(<an error class>)` under src/infraplane), not listed
here, so a new error class is checked the day it is written.
"""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

import infraplane.errors as errors_module
from infraplane.errors import InfraplaneError

SOURCE = Path(errors_module.__file__).resolve().parent


def _declared_error_classes() -> dict[str, str]:
    """{class name: module} of every class under src/infraplane deriving from InfraplaneError, by reading the code."""
    classes: dict[str, tuple[str, list[str]]] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        module = ".".join(("infraplane", *path.relative_to(SOURCE).with_suffix("").parts)).removesuffix(".__init__")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef):
                bases = [
                    b.id if isinstance(b, ast.Name) else b.attr
                    for b in node.bases
                    if isinstance(b, ast.Name | ast.Attribute)
                ]
                classes[f"{module}.{node.name}"] = (module, bases)
    found = {"InfraplaneError": "infraplane.errors"}
    grown = True
    while grown:
        grown = False
        for qualified, (module, bases) in classes.items():
            name = qualified.rsplit(".", 1)[1]
            if name not in found and any(base in found for base in bases):
                found[name] = module
                grown = True
    return found


DECLARED = _declared_error_classes()


def _subclasses(cls: type[InfraplaneError]) -> Iterator[type[InfraplaneError]]:
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def _all_error_classes() -> list[type[InfraplaneError]]:
    for module in sorted(set(DECLARED.values())):
        importlib.import_module(module)
    return [InfraplaneError, *(c for c in _subclasses(InfraplaneError) if c.__module__.startswith("infraplane."))]


ERRORS = _all_error_classes()


def test_the_source_scan_and_the_class_tree_agree() -> None:
    assert {c.__name__ for c in ERRORS} == set(DECLARED)
    # The hierarchy of errors.py itself, at least, is found.
    assert {"InputError", "NotFoundError", "RefusedError", "FailureError", "ConfigError"} <= set(DECLARED)


@pytest.mark.parametrize("error", ERRORS, ids=lambda c: c.__name__)
def test_every_error_has_its_own_code_exit_code_and_http_status(error: type[InfraplaneError]) -> None:
    assert "code" in vars(error), f"{error.__name__} inherits its code; give it its own"
    assert re.fullmatch(r"[a-z][a-z_]*[a-z]", error.code), error.code
    if error is not InfraplaneError:
        assert error.code != InfraplaneError.code
    assert isinstance(error.exit_code, int) and error.exit_code >= 1
    assert isinstance(error.http_status, int) and 400 <= error.http_status <= 599


def test_codes_are_unique() -> None:
    codes = [c.code for c in ERRORS]
    assert sorted(c for c in codes if codes.count(c) > 1) == []


@pytest.mark.parametrize("error", [c for c in ERRORS if c.__module__ == "infraplane.errors"], ids=lambda c: c.__name__)
def test_errors_py_exports_and_documents_its_classes(error: type[InfraplaneError]) -> None:
    assert error.__name__ in errors_module.__all__
    doc = errors_module.__doc__ or ""
    assert re.search(rf"\b{error.__name__}\s+code \"{error.code}\"", doc), f"the hierarchy in errors.py omits {error}"


def test_an_error_reports_its_code_and_problems() -> None:
    problem = errors_module.Problem("env.yaml", "spec.inputs.size", "must be one of small, medium, large")
    body = errors_module.InputError.from_problems([problem]).as_dict()
    assert body == {
        "error": "invalid_input",
        "message": "env.yaml: spec.inputs.size: must be one of small, medium, large",
        "problems": [problem.as_dict()],
    }
