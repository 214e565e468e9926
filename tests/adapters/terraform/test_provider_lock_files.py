"""The lock file's bookkeeping on its own: seal, check, unseal, and the lock file a saved plan was made with.

(test_provider_lock.py shows the same with real Terraform; here a package is a directory of small files.)
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

from infraplane.adapters.terraform.provider_lock import (
    KEPT_LOCK,
    LOCK_FILE,
    check,
    lock_for_plan,
    predates_endpoint_url,
    seal,
)

LOCK = """# This file is maintained automatically by "terraform init".

provider "registry.terraform.io/hashicorp/aws" {
  version     = "5.100.0"
  constraints = "~> 5.0"
  hashes = [
    "h1:edXOJWE4ORX8Fm+dpVpICzMZJat4AX0VRCAy/xkcOc0=",
    "zh:0123",
  ]
}

provider "registry.terraform.io/hashicorp/random" {
  version = "3.6.0"
  hashes = ["h1:abc="]
}
"""


def _initialized(tmp_path: Path) -> tuple[Path, Path]:
    """A work directory as init leaves it: a lock file and a package linked from a mirror."""
    mirror = tmp_path / "mirror" / "linux_amd64"
    mirror.mkdir(parents=True)
    (mirror / "terraform-provider-aws").write_bytes(b"provider")
    # Installed long ago: a rewrite now changes its modification time, however soon after sealing it comes.
    os.utime(mirror / "terraform-provider-aws", ns=(10**9, 10**9))
    root = tmp_path / "root"
    package = root / ".terraform" / "providers" / "registry.terraform.io" / "hashicorp" / "aws" / "5.100.0"
    package.mkdir(parents=True)
    (package / "linux_amd64").symlink_to(mirror)
    (root / LOCK_FILE).write_text(LOCK, encoding="utf-8")
    return root, mirror


def test_sealed_the_lock_file_loses_only_its_hashes_until_a_package_changes(tmp_path: Path) -> None:
    root, mirror = _initialized(tmp_path)
    seal(root)
    sealed = (root / LOCK_FILE).read_text(encoding="utf-8")
    assert "hashes" not in sealed and "h1:" not in sealed
    assert 'constraints = "~> 5.0"' in sealed and 'version = "3.6.0"' in sealed
    assert (root / KEPT_LOCK).read_text(encoding="utf-8") == LOCK
    assert (root / KEPT_LOCK).stat().st_mode & 0o777 == 0o600
    assert check(root) and (root / LOCK_FILE).read_text(encoding="utf-8") == sealed

    # A file added to the package: the lock file with its hashes is back, and stays until init seals it again.
    (mirror / "extra").write_bytes(b"x")
    assert not check(root)
    assert (root / LOCK_FILE).read_text(encoding="utf-8") == LOCK
    assert not check(root) and (root / LOCK_FILE).read_text(encoding="utf-8") == LOCK
    seal(root)
    assert check(root) and "hashes" not in (root / LOCK_FILE).read_text(encoding="utf-8")


def test_a_package_rewritten_in_place_or_relinked_is_noticed(tmp_path: Path) -> None:
    root, mirror = _initialized(tmp_path)
    seal(root)
    (mirror / "terraform-provider-aws").write_bytes(b"provider")  # the same bytes, written again
    assert not check(root)

    seal(root)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "terraform-provider-aws").write_bytes(b"provider")
    link = next((root / ".terraform" / "providers").glob("*/*/*/*/*"))
    link.unlink()
    link.symlink_to(elsewhere)
    assert not check(root)


def test_a_plan_made_before_the_directory_was_sealed_is_applied_with_its_own_lock_file(tmp_path: Path) -> None:
    root, _ = _initialized(tmp_path)
    before = tmp_path / "before.tfplan"
    with zipfile.ZipFile(before, "w") as plan:  # a saved plan is a zip holding the lock file it was made with
        plan.writestr("tfplan", b"")
        plan.writestr(LOCK_FILE, LOCK)
    seal(root)
    sealed = (root / LOCK_FILE).read_text(encoding="utf-8")
    after = tmp_path / "after.tfplan"
    with zipfile.ZipFile(after, "w") as plan:
        plan.writestr(LOCK_FILE, sealed)

    lock_for_plan(root, after)
    assert (root / LOCK_FILE).read_text(encoding="utf-8") == sealed
    lock_for_plan(root, tmp_path / "not-a-plan")  # unreadable: Terraform says what is wrong with it
    assert (root / LOCK_FILE).read_text(encoding="utf-8") == sealed
    lock_for_plan(root, before)
    assert (root / LOCK_FILE).read_text(encoding="utf-8") == LOCK


def test_a_package_that_cannot_be_read_whole_is_left_to_terraform(tmp_path: Path) -> None:
    root, mirror = _initialized(tmp_path)
    (mirror / "gone").symlink_to(tmp_path / "nowhere")
    seal(root)
    assert (root / LOCK_FILE).read_text(encoding="utf-8") == LOCK and check(root)


def test_which_aws_provider_versions_predate_reading_aws_endpoint_url(tmp_path: Path) -> None:
    assert not predates_endpoint_url(tmp_path)  # no lock file yet: decided after init
    for version, older in (("4.67.0", True), ("5.99.1", True), ("5.100.0", False), ("6.2.0", False)):
        (tmp_path / LOCK_FILE).write_text(LOCK.replace('"5.100.0"', f'"{version}"'), encoding="utf-8")
        assert predates_endpoint_url(tmp_path) is older, version
    opentofu = LOCK.replace("registry.terraform.io", "registry.opentofu.org").replace('"5.100.0"', '"5.1.0"')
    (tmp_path / LOCK_FILE).write_text(opentofu, encoding="utf-8")
    assert predates_endpoint_url(tmp_path)


def test_a_sealed_directory_without_its_record_gets_the_hashes_back(tmp_path: Path) -> None:
    root, _ = _initialized(tmp_path)
    seal(root)
    (root / ".infraplane-packages.json").write_text("{not json", encoding="utf-8")
    assert not check(root) and (root / LOCK_FILE).read_text(encoding="utf-8") == LOCK
    assert not check(root) and (root / LOCK_FILE).read_text(encoding="utf-8") == LOCK  # until init seals it again
