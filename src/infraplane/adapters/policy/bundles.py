"""Reading policy bundles from disk: `bundle.yaml` plus `.rego` files, packed and digested like blueprints."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from infraplane.adapters.archive import digest_of, pack_directory, unpack_archive
from infraplane.core.archives import ArchiveTooLarge
from infraplane.core.excerpt import field_path, pydantic_reason
from infraplane.core.policy import BundleManifest
from infraplane.core.policy_bundles import LoadedBundle, package_names
from infraplane.core.yaml_text import load_yaml_text
from infraplane.errors import InputError, Problem

__all__ = ["MAX_FILE_BYTES", "MAX_MODULES", "LoadedBundle", "load_bundle", "load_bundle_archive", "package_names"]

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


# A bundle's files are hand-written text: a module over a megabyte is not one anybody wrote.
MAX_FILE_BYTES = 1024 * 1024
# rego-cpp's compilation grows faster than the number of modules (2,500 took 9 s, 5,000 over a minute).
MAX_MODULES = 256


def _read(path: Path, max_bytes: int) -> str:
    """One file of the bundle as text; InputError naming it when it is not a readable UTF-8 file."""
    name = str(path)
    try:
        name.encode("utf-8")
        if path.is_symlink():  # the archive (and so the digest decisions name) leaves links out
            raise InputError.from_problems([Problem(name, "", "a symbolic link: copy the file into the bundle")])
        if not path.is_file():
            raise InputError.from_problems([Problem(name, "", "not a regular file (a directory?)")])
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError.from_problems([Problem(name, "", f"{size:,} bytes; a bundle file may have {max_bytes:,}")])
        return path.read_text(encoding="utf-8")
    except UnicodeError:
        raise InputError.from_problems([Problem(name.encode("utf-8", "replace").decode(), "", "not UTF-8")]) from None
    except OSError as exc:
        reason = f"cannot be read: {getattr(exc, 'strerror', None) or exc}"
        raise InputError.from_problems([Problem(name, "", reason)]) from None


def load_bundle(
    directory: Path, max_file_bytes: int = MAX_FILE_BYTES, max_archive_bytes: int | None = None
) -> LoadedBundle:
    """Read a bundle directory; InputError names the file and field of any problem."""
    if not directory.is_dir():
        raise InputError.from_problems(
            [Problem(str(directory), "", "not a bundle directory (expected bundle.yaml and .rego files)")]
        )
    manifest_file = directory / MANIFEST
    if not manifest_file.exists() and not manifest_file.is_symlink():
        raise InputError.from_problems(
            [Problem(str(manifest_file), "", "missing: a bundle needs bundle.yaml (name, version)")]
        )
    manifest = _manifest(_read(manifest_file, max_file_bytes), str(manifest_file))
    paths = sorted(directory.rglob("*.rego"))
    if len(paths) > MAX_MODULES:
        reason = f"{len(paths):,} .rego files; a bundle may have {MAX_MODULES}"
        raise InputError.from_problems([Problem(str(directory), "", reason)])
    modules = {p.relative_to(directory).as_posix(): _read(p, max_file_bytes) for p in paths}
    if not any(not n.endswith("_test.rego") for n in modules):
        raise InputError.from_problems([Problem(str(directory), "", "the bundle has no .rego policy files")])
    try:
        archive = pack_directory(directory, max_archive_bytes)
    except ArchiveTooLarge as exc:
        raise InputError.from_problems([Problem(str(directory), "", f"too large: {exc}")]) from None
    return LoadedBundle(manifest, modules, digest_of(archive), archive)


def load_bundle_archive(archive: bytes, target: Path) -> LoadedBundle:
    """A published bundle, unpacked from the store."""
    unpack_archive(archive, target)
    return load_bundle(target)
