"""Policy replay and publishing over REST (admin): the report, the 409 that asks for `yes`, clear 4xx on bad uploads."""

from __future__ import annotations

import io
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.interfaces.api.conftest import Api, serve
from tests.support.replay_store import seed_environments

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"


def _archive(directory: Path) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        tar.add(directory, arcname=".")
    return buffer.getvalue()


@pytest.fixture
def api(tmp_path: Path) -> Iterator[Api]:
    for served in serve(tmp_path / "home"):
        seed_environments(served.container.store)
        yield served


def _post(api: Api, path: str, data: bytes) -> Any:
    headers = {**api.headers("admin"), "Content-Type": "application/gzip"}
    return api.client.post(path, content=data, headers=headers)


def test_replay_then_publish_needs_yes_when_it_denies_running_environments(api: Api) -> None:
    bundle = _archive(BUNDLES / "retention-v1")
    replayed = _post(api, "/api/v1/policy/replay", bundle)
    assert replayed.status_code == 200
    report = replayed.json()
    assert report["denied_environments"] == ["orders-dev", "payments-staging"]
    again = api.client.get(f"/api/v1/policy/replays/{report['id']}", headers=api.headers("admin")).json()
    assert again["changes"] == report["changes"]

    refused = _post(api, "/api/v1/policy/bundles", bundle)
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "confirmation_required" and "orders-dev, payments-staging" in error["message"]
    assert error["detail"]["denied_environments"] == ["orders-dev", "payments-staging"]

    published = _post(api, "/api/v1/policy/bundles?yes=true", bundle)
    assert published.status_code == 201
    assert published.json()["ref"] == "retention@1.0.0"


def test_bad_uploads_are_named_4xx(api: Api) -> None:
    empty = _post(api, "/api/v1/policy/replay", b"")
    assert empty.status_code == 422 and empty.json()["error"]["field"] == "body"
    junk = _post(api, "/api/v1/policy/replay", b"not a tarball")
    assert junk.status_code == 422
    broken = _post(api, "/api/v1/policy/replay", _archive(BUNDLES / "broken"))
    body = broken.json()
    assert broken.status_code == 422 and "infraplane-bundle-" not in str(body), body
    missing = api.client.get("/api/v1/policy/replays/r-nothere", headers=api.headers("admin"))
    assert missing.status_code == 404


BOMB = "\n".join(
    [
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
        *[f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]" for i in range(8)],
    ]
)


@pytest.mark.parametrize(
    ("manifest", "needle"),
    [
        # Without the strict reader this took 10 GB and never ended: pydantic expanded every alias.
        ("name: retention\nversion: 9.0.0\nparams:\n  " + BOMB.replace("\n", "\n  ") + "\n", "aliases repeat content"),
        ("name: retention\nversion: 9.0.0\nversion: 9.0.1\n", "duplicate key 'version'"),
    ],
    ids=["alias bomb", "duplicate key"],
)
def test_a_hostile_bundle_manifest_is_a_named_422_and_nothing_is_published(
    api: Api, tmp_path: Path, manifest: str, needle: str
) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    (bundle / "queues.rego").write_text((BUNDLES / "retention-v1" / "queues.rego").read_text())
    (bundle / "bundle.yaml").write_text(manifest)
    events = api.client.get("/api/v1/audit", headers=api.headers("admin")).json()
    refused = _post(api, "/api/v1/policy/bundles?yes=true", _archive(bundle))
    error = refused.json()["error"]
    assert refused.status_code == 422, error
    assert needle in error["message"] and "bundle.yaml" in error["message"], error
    assert api.client.get("/api/v1/audit", headers=api.headers("admin")).json() == events
