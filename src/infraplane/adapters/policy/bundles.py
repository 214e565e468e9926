"""Reading policy bundles from disk: `bundle.yaml` plus `.rego` files, packed and digested like blueprints."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from infraplane.adapters.archive import digest_of, pack_directory, unpack_archive
from infraplane.core.excerpt import field_path, pydantic_reason
from infraplane.core.policy import BundleManifest
from infraplane.core.policy_bundles import LoadedBundle, package_names
from infraplane.core.yaml_text import load_yaml_text
from infraplane.errors import InputError, Problem

__all__ = ["LoadedBundle", "load_bundle", "load_bundle_archive", "package_names"]

MANIFEST = "bundle.yaml"


def _manifest(text: str, file: str) -> BundleManifest:
    data = load_yaml_text(text, file)  # strictly: a bundle may be uploaded by anyone holding an admin token
    if not isinstance(data, dict):
        raise InputError.from_problems([Problem(file, "", "expected a mapping with name and version")])
    try:
        return BundleManifest.model_validate(data)
    except ValidationError as exc:
        raise InputError.from_problems(
            [Problem(file, field_path(e["loc"]), pydantic_reason(e)) for e in exc.errors()]
        ) from None


def load_bundle(directory: Path) -> LoadedBundle:
    """Read a bundle directory; InputError names the file and field of any problem."""
    if not directory.is_dir():
        raise InputError.from_problems(
            [Problem(str(directory), "", "not a bundle directory (expected bundle.yaml and .rego files)")]
        )
    manifest_file = directory / MANIFEST
    if not manifest_file.is_file():
        raise InputError.from_problems(
            [Problem(str(manifest_file), "", "missing: a bundle needs bundle.yaml (name, version)")]
        )
    manifest = _manifest(manifest_file.read_text(encoding="utf-8"), str(manifest_file))
    modules = {
        p.relative_to(directory).as_posix(): p.read_text(encoding="utf-8") for p in sorted(directory.rglob("*.rego"))
    }
    if not any(not n.endswith("_test.rego") for n in modules):
        raise InputError.from_problems([Problem(str(directory), "", "the bundle has no .rego policy files")])
    archive = pack_directory(directory)
    return LoadedBundle(manifest, modules, digest_of(archive), archive)


def load_bundle_archive(archive: bytes, target: Path) -> LoadedBundle:
    """A published bundle, unpacked from the store."""
    unpack_archive(archive, target)
    return load_bundle(target)
