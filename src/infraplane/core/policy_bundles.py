"""A loaded policy bundle and a Rego test's result: the data the policy engine and the guardrails service share.

Pure data; reading bundles from disk and evaluating them is `adapters/policy/`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pydantic models: a process that only transforms Rego tests (vetting's child) skips them
    from infraplane.core.policy import BundleManifest, BundleRef

__all__ = ["LoadedBundle", "TestResult", "package_names"]

_PACKAGE = re.compile(r"^\s*package\s+([A-Za-z_][\w.]*)", re.MULTILINE)


def package_names(text: str) -> list[str]:
    """The packages a Rego module declares (normally one)."""
    return [m.group(1) for m in _PACKAGE.finditer(text)]


@dataclass(frozen=True)
class LoadedBundle:
    """A bundle's manifest, its Rego modules by file name, and its digest."""

    manifest: BundleManifest
    modules: dict[str, str]
    digest: str
    archive: bytes

    @property
    def ref(self) -> BundleRef:
        from infraplane.core.policy import BundleRef

        return BundleRef(self.manifest.name, self.manifest.version, self.digest)

    def policy_packages(self) -> list[str]:
        """Packages whose `deny`/`warn` sets are findings (test packages excluded)."""
        found = {
            m.group(1)
            for name, text in self.modules.items()
            if not name.endswith("_test.rego")
            for m in _PACKAGE.finditer(text)
        }
        return sorted(found)

    def entrypoints(self) -> list[tuple[str, str]]:
        """`(severity, entrypoint)` of every policy package's `deny` and `warn` (`infraplane/baseline/tags/deny`)."""
        return [(s, f"{p.replace('.', '/')}/{s}") for p in self.policy_packages() for s in ("deny", "warn")]

    def test_modules(self) -> dict[str, str]:
        return {name: text for name, text in self.modules.items() if name.endswith("_test.rego")}


@dataclass(frozen=True)
class TestResult:
    """One Rego test of a bundle: passed or not, and why not."""

    __test__ = False  # not a pytest test class

    bundle: str
    package: str
    name: str
    passed: bool
    note: str = ""
