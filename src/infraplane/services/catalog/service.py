"""Catalog use cases: validate, publish, deprecate, and the read side (list, show, search, resolve)."""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Literal

from infraplane.core.archives import ArchiveTooLarge, digest_of
from infraplane.core.audit import Actor, utc_timestamp
from infraplane.core.blueprint import Blueprint
from infraplane.core.catalog import PublishedVersion
from infraplane.core.dag import topological_order
from infraplane.core.ports import DirectoryPacker, ModuleInterfaceReader, Store
from infraplane.core.search import SearchHit, SearchIndex
from infraplane.core.versions import is_valid_constraint, matches, newest_matching, parse_ref, sort_versions
from infraplane.errors import ImmutableVersionError, InputError, NotFoundError, Problem
from infraplane.services.audit import record
from infraplane.services.catalog.loading import LoadedBlueprint, find_blueprint_files, load_blueprint
from infraplane.services.documents import MAX_DOCUMENT_BYTES

__all__ = ["MAX_ARCHIVE_BYTES", "CatalogService", "PublishResult", "UsedBy"]

MAX_ARCHIVE_BYTES = 200 * 1024 * 1024


@dataclass(frozen=True)
class PublishResult:
    ref: str
    digest: str
    status: Literal["published", "already published"]


@dataclass(frozen=True)
class UsedBy:
    """A composite version with a component that may resolve to a given blueprint version."""

    composite: str
    component: str


class CatalogService:
    """The catalog over a store; every change is audited in the same transaction."""

    def __init__(
        self,
        store: Store,
        pack: DirectoryPacker,
        read_module: ModuleInterfaceReader,
        document_bytes: int = MAX_DOCUMENT_BYTES,
        archive_bytes: int = MAX_ARCHIVE_BYTES,
    ) -> None:
        self._store = store
        self._pack = pack
        self._read_module = read_module
        self._document_bytes = document_bytes
        self._archive_bytes = archive_bytes
        self._cached: _CatalogView | None = None

    # -- reading -------------------------------------------------------------------------------

    def _view(self) -> _CatalogView:
        """Every published version, decoded once per catalog generation (publish and deprecate change it).

        One cheap query per call checks the generation, so a server with several processes, or one
        sharing its store with the CLI, still sees a publish at once.
        """
        with self._store.read() as tx:
            generation = tx.catalog.generation()
            cached = self._cached
            if cached is not None and cached.generation == generation:
                return cached
            view = _CatalogView(generation, tuple(tx.catalog.all()))
        self._cached = view
        return view

    def all_versions(self) -> list[PublishedVersion]:
        return list(self._view().versions)

    def versions(self, name: str) -> list[PublishedVersion]:
        with self._store.transaction() as tx:
            found = tx.catalog.versions(name)
        if not found:
            raise self._unknown(name)
        order = sort_versions(v.version for v in found)
        return sorted(found, key=lambda v: order.index(v.version))

    def _unknown(self, name: str) -> NotFoundError:
        names = sorted({v.name for v in self.all_versions()})
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return NotFoundError(
            f"no blueprint named {name!r} in the catalog{hint}",
            [Problem("", "blueprint", f"unknown blueprint {name!r}{hint}")],
        )

    def latest(self, include_deprecated: bool = False) -> list[PublishedVersion]:
        """The newest version of each blueprint (deprecated ones hidden unless asked for)."""
        view = self._view()
        return list(view.latest_with_deprecated if include_deprecated else view.latest)

    def show(self, text: str) -> list[PublishedVersion]:
        """Every version of NAME, or those matching NAME@CONSTRAINT, oldest first."""
        try:
            ref = parse_ref(text)
        except ValueError as exc:
            raise InputError(str(exc), [Problem("", "blueprint", str(exc))]) from None
        versions = self.versions(ref.name)
        if ref.constraint:
            versions = [v for v in versions if matches(v.version, ref.constraint)]
            if not versions:
                raise NotFoundError(f"no version of {ref.name!r} matches {ref.constraint!r}")
        return versions

    def resolve(self, text: str) -> PublishedVersion:
        """The newest non-deprecated version a reference `name[@constraint]` means today."""
        try:
            ref = parse_ref(text)
        except ValueError as exc:
            raise InputError(str(exc), [Problem("", "blueprint", str(exc))]) from None
        candidates = [v for v in self.versions(ref.name) if not v.deprecated]
        newest = newest_matching([v.version for v in candidates], ref.constraint)
        if newest is None:
            available = ", ".join(v.version for v in candidates) or "none (all deprecated)"
            raise NotFoundError(f"no version of {ref.name!r} matches {ref.constraint!r} (available: {available})")
        return next(v for v in candidates if v.version == newest)

    def get(self, ref: str) -> PublishedVersion:
        """Exactly `name@version`, deprecated or not (what an existing environment runs)."""
        name, _, version = ref.partition("@")
        with self._store.transaction() as tx:
            found = tx.catalog.get(name, version)
        if found is None:
            raise NotFoundError(f"{ref} is not published")
        return found

    def used_by(self, version: PublishedVersion) -> list[UsedBy]:
        """Composite versions whose components' constraints admit this version."""
        found = []
        for composite in self.all_versions():
            for component_name, component in composite.blueprint.spec.components.items():
                ref = parse_ref(component.blueprint)
                if ref.name == version.name and (ref.constraint is None or matches(version.version, ref.constraint)):
                    found.append(UsedBy(composite.ref, component_name))
        return found

    def search(self, query: str, limit: int = 10) -> list[SearchHit]:
        return self._view().index.search(query)[:limit]

    # -- validating ----------------------------------------------------------------------------

    def _load_all(self, path: Path) -> tuple[list[LoadedBlueprint], list[Problem]]:
        loaded: list[LoadedBlueprint] = []
        problems: list[Problem] = []
        for file in find_blueprint_files(path):
            blueprint, found = load_blueprint(file, self._document_bytes)
            problems += found
            if blueprint is not None:
                loaded.append(blueprint)
        return loaded, problems

    def validate(self, path: Path) -> list[LoadedBlueprint]:
        """Validate every blueprint under `path`; raise InputError listing every problem."""
        loaded, problems = self._load_all(path)
        published = self.all_versions()
        local: dict[str, list[Blueprint]] = {}
        for item in loaded:
            local.setdefault(item.blueprint.name, []).append(item.blueprint)
        candidates: dict[str, list[Blueprint]] = {}
        for version in published:
            if not version.deprecated:
                candidates.setdefault(version.name, []).append(version.blueprint)
        for name, blueprints in local.items():
            candidates.setdefault(name, []).extend(blueprints)

        def resolve(name: str, constraint: str | None) -> Blueprint | None:
            options = candidates.get(name, [])
            if constraint is not None and not is_valid_constraint(constraint):
                return None
            newest = newest_matching([b.version for b in options], constraint)
            return next((b for b in options if b.version == newest), None)

        # Validation brings jsonschema (~0.1-0.2 s to import): publishing and validating need it, reading does not.
        from infraplane.services.catalog.validation import validate_blueprint

        known = sorted(candidates)
        for item in loaded:
            problems += validate_blueprint(item, resolve, known, self._read_module)
        if problems:
            raise InputError.from_problems(problems)
        return loaded

    # -- changing ------------------------------------------------------------------------------

    def publish(self, path: Path, actor: Actor) -> list[PublishResult]:
        """Validate, pack and register every blueprint under `path`, all or nothing."""
        loaded = self.validate(path)
        packed: list[tuple[LoadedBlueprint, bytes]] = []
        too_large: list[Problem] = []
        limit = f"the limit (limits.archive_bytes) is {self._archive_bytes:,} bytes"
        for item in _publish_order(loaded):
            try:
                archive = self._pack(item.directory, self._archive_bytes)
            except ArchiveTooLarge as large:  # told before a byte of it is read
                too_large.append(Problem(str(item.file), "spec.source", f"its files are {large.size:,} bytes; {limit}"))
                continue
            if len(archive) > self._archive_bytes:
                too_large.append(
                    Problem(str(item.file), "spec.source", f"the packed blueprint is {len(archive):,} bytes; {limit}")
                )
            packed.append((item, archive))
        if too_large:
            raise InputError.from_problems(too_large)
        results: list[PublishResult] = []
        with self._store.transaction() as tx:
            for item, archive in packed:
                blueprint = item.blueprint
                digest = digest_of(archive)
                existing = tx.catalog.get(blueprint.name, blueprint.version)
                if existing is not None:
                    if existing.digest != digest:
                        raise ImmutableVersionError(
                            f"{blueprint.ref} is immutable; publish a new version "
                            f"(published digest {existing.digest}, this content {digest})",
                            [
                                Problem(
                                    str(item.file),
                                    "metadata.version",
                                    f"{blueprint.ref} is immutable; publish a new version",
                                )
                            ],
                        )
                    results.append(PublishResult(blueprint.ref, digest, "already published"))
                    continue
                tx.catalog.put_archive(digest, archive)
                tx.catalog.add(PublishedVersion(blueprint, digest, utc_timestamp(), str(actor)))
                record(
                    tx,
                    actor,
                    "catalog.publish",
                    f"blueprint:{blueprint.ref}",
                    {"digest": digest, "runner": blueprint.spec.runner, "size": len(archive)},
                )
                results.append(PublishResult(blueprint.ref, digest, "published"))
        return results

    def deprecate(self, text: str, actor: Actor, reason: str = "") -> bool:
        """Hide name@version from new requests; returns False when it already was deprecated."""
        name, _, version = text.partition("@")
        if not version:
            raise InputError(
                f"{text!r}: give an exact version, e.g. {name}@1.0.0",
                [Problem("", "blueprint", "exact version required")],
            )
        with self._store.transaction() as tx:
            existing = tx.catalog.get(name, version)
            if existing is None:
                raise NotFoundError(f"{name}@{version} is not published")
            if existing.deprecated:
                return False
            tx.catalog.deprecate(name, version, utc_timestamp(), str(actor), reason)
            record(
                tx,
                actor,
                "catalog.deprecate",
                f"blueprint:{name}@{version}",
                {"reason": reason, "digest": existing.digest},
            )
        return True


class _CatalogView:
    """The decoded catalog at one generation, with what the read side derives from it, built lazily."""

    def __init__(self, generation: tuple[int, int], versions: tuple[PublishedVersion, ...]) -> None:
        self.generation = generation
        self.versions = versions

    @cached_property
    def latest(self) -> tuple[PublishedVersion, ...]:
        return _newest_of_each([v for v in self.versions if not v.deprecated])

    @cached_property
    def latest_with_deprecated(self) -> tuple[PublishedVersion, ...]:
        return _newest_of_each(list(self.versions))

    @cached_property
    def index(self) -> SearchIndex:
        return SearchIndex([v.blueprint for v in self.latest])


def _newest_of_each(versions: list[PublishedVersion]) -> tuple[PublishedVersion, ...]:
    by_name: dict[str, list[PublishedVersion]] = {}
    for version in versions:
        by_name.setdefault(version.name, []).append(version)
    latest = []
    for name in sorted(by_name):
        newest = newest_matching([v.version for v in by_name[name]], None)
        latest.append(next(v for v in by_name[name] if v.version == newest))
    return tuple(latest)


def _publish_order(loaded: list[LoadedBlueprint]) -> list[LoadedBlueprint]:
    """Components before the composites that use them."""
    by_name = {item.blueprint.name: item for item in loaded}
    dependencies: dict[str, set[str]] = {}
    for item in loaded:
        used = {parse_ref(c.blueprint).name for c in item.blueprint.spec.components.values()}
        dependencies[item.blueprint.ref] = {
            other.blueprint.ref for other in loaded if other.blueprint.name in used and other.blueprint.name in by_name
        }
    order = topological_order(dependencies)
    position = {ref: index for index, ref in enumerate(order)}
    return sorted(loaded, key=lambda item: position[item.blueprint.ref])
