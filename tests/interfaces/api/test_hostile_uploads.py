"""Hostile uploads and bodies over REST: each is a named 4xx, quickly, with nothing stored and nothing leaked.

Found by a review that drove the API: a 680-byte bundle upload holding a sparse file took 3.3 GB, a 256 KB
one stored a 268 MB bundle, a bundle or blueprint archive nesting 2,000 directories, a non-UTF-8 module, a
directory named `x.rego` or a 900-level environment were 500s, a sensitive input came back in a 422, and a
409 named the server's scratch directory.
"""

from __future__ import annotations

import io
import json
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.interfaces.api.conftest import Api, serve

BUNDLES = Path(__file__).resolve().parents[2] / "fixtures" / "bundles"
RULES = (BUNDLES / "retention-v1" / "queues.rego").read_text()
MANIFEST = (BUNDLES / "retention-v1" / "bundle.yaml").read_text().replace("version: 1.0.0", "version: 9.0.0")


@pytest.fixture
def api(published_home: Path) -> Iterator[Api]:
    (published_home / "config.yaml").write_text(yaml.safe_dump({"limits": {"archive_bytes": 256 * 1024}}))
    yield from serve(published_home)


@pytest.fixture
def roomy_api(published_home: Path) -> Iterator[Api]:
    """The default limits: a blueprint may unpack to 200 MB."""
    yield from serve(published_home)


def _tar(entries: dict[str, bytes | None]) -> bytes:
    """A .tar.gz of these files (None: a directory)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        for name, data in entries.items():
            info = tarfile.TarInfo(name)
            if data is None:
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _bundle(**extra: bytes | None) -> dict[str, bytes | None]:
    return {"bundle.yaml": MANIFEST.encode(), "queues.rego": RULES.encode(), **extra}


def _post(api: Api, path: str, data: bytes) -> Any:
    headers = {**api.headers("admin"), "Content-Type": "application/gzip"}
    return api.client.post(path, content=data, headers=headers)


def _audit(api: Api) -> Any:
    return api.client.get("/api/v1/audit?limit=500", headers=api.headers("admin")).json()


def _sparse_upload(tmp_path: Path) -> bytes:
    """GNU tar's sparse entry: 1.5 GB of file in a few hundred bytes of upload."""
    directory = tmp_path / "sparse"
    directory.mkdir()
    (directory / "bundle.yaml").write_text(MANIFEST)
    (directory / "queues.rego").write_text(RULES)
    with (directory / "blob.bin").open("wb") as blob:
        blob.truncate(1536 * 1024**2)
    archive = tmp_path / "sparse.tgz"
    subprocess.run(["tar", "--sparse", "--format=gnu", "-czf", str(archive), "-C", str(directory), "."], check=True)
    return archive.read_bytes()


CASES = {
    "a sparse file": (None, "is a sparse file"),
    "a compression bomb": (_tar(_bundle(**{"zeros.bin": bytes(1024 * 1024)})), "unpack to more than 262,144 bytes"),
    "too many entries": (_tar(_bundle(**{f"f{i}.txt": b"" for i in range(300)})), "more than 256 entries"),
    "2,000 directories deep": (_tar(_bundle(**{"d/" * 2000 + "x.rego": b"package x"})), "more than 64 directories"),
    "a module that is not UTF-8": (_tar(_bundle(**{"caf.rego": b"package caf\n# caf\xe9\n"})), "caf.rego: not UTF-8"),
    "a directory named like a module": (_tar(_bundle(**{"x.rego": None})), "x.rego: not a regular file"),
    "functions that crash the Rego engine": (  # in the server's own process this was a SIGABRT: every user's outage
        _tar(
            _bundle(
                **{
                    "a.rego": b'package hunt.a\nimport rego.v1\nf(x) := x\ndeny contains "a" if f(1) == 1\n',
                    "b.rego": b'package hunt.b\nimport rego.v1\nf(x, y) := x\ndeny contains "b" if f(1, 2) == 1\n',
                }
            )
        ),
        "the Rego engine crashed",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_a_hostile_bundle_upload_is_a_named_422_and_nothing_is_stored(api: Api, tmp_path: Path, case: str) -> None:
    made, needle = CASES[case]
    upload = made if made is not None else _sparse_upload(tmp_path)
    before = _audit(api)
    for path in ("/api/v1/policy/replay", "/api/v1/policy/bundles?yes=true"):
        response = _post(api, path, upload)
        error = response.json()["error"]
        assert response.status_code == 422, error
        assert needle in str(error), error
        assert "infraplane-upload-" not in response.text
    assert _audit(api) == before


def test_a_hostile_blueprint_upload_is_a_named_422(api: Api) -> None:
    deep = _tar({"d/" * 2000 + "blueprint.yaml": b"kind: Blueprint\n"})
    response = _post(api, "/api/v1/blueprints", deep)
    assert response.status_code == 422 and "more than 64 directories" in str(response.json()), response.text


def test_a_changed_bundle_under_a_published_version_is_a_409_naming_no_server_path(api: Api) -> None:
    assert _post(api, "/api/v1/policy/bundles?yes=true", _tar(_bundle())).status_code == 201
    changed = _tar({"bundle.yaml": MANIFEST.encode(), "queues.rego": (RULES + "\n# changed\n").encode()})
    response = _post(api, "/api/v1/policy/bundles?yes=true", changed)
    assert response.status_code == 409, response.text
    assert "infraplane-upload-" not in response.text and "/tmp" not in response.text, response.text


def _propose(api: Api, inputs: dict[str, Any] | None = None, environment: Any = None) -> Any:
    document = environment or {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": "payments-vault", "team": "payments", "tier": "dev"},
        "spec": {"blueprint": "secret-parameter", "inputs": inputs},
    }
    return api.client.post(
        "/api/v1/proposals", json={"environment": document, "justification": "t"}, headers=api.headers("requester")
    )


def test_a_sensitive_input_that_fails_its_schema_is_not_quoted_back(api: Api) -> None:
    response = _propose(api, {"secret_value": "HUNTER2"})  # minLength 8
    assert response.status_code == 422, response.text
    assert "HUNTER2" not in response.text
    assert "sensitive, not shown" in response.text and "minLength" in response.text


def test_nan_is_no_number_an_input_accepts(api: Api) -> None:
    document = {
        "apiVersion": "infraplane.dev/v1",
        "kind": "Environment",
        "metadata": {"name": "nan-env", "team": "payments", "tier": "dev"},
        "spec": {"blueprint": "queue", "inputs": {"retention_days": float("nan")}},
    }
    response = api.client.post(
        "/api/v1/proposals",
        content=json.dumps({"environment": document}),  # NaN, as Python (and the API's parser) writes it
        headers={**api.headers("requester"), "Content-Type": "application/json"},
    )
    assert response.status_code == 422 and "not a finite number" in response.text, response.text


def test_an_environment_nested_900_levels_is_a_named_422(api: Api) -> None:
    deep: Any = "x"
    for _ in range(900):
        deep = [deep]
    response = _propose(api, environment={"apiVersion": "infraplane.dev/v1", "kind": "Environment", "x": deep})
    assert response.status_code == 422 and "nested more than 64 levels deep" in response.text, response.text


VOLUME = Path(__file__).resolve().parents[2] / "fixtures" / "catalog" / "volume"


@pytest.mark.parametrize(
    ("extra", "needle"),
    [
        ({"module/zz.tf": None}, "zz.tf: cannot be read"),  # a directory named like a Terraform file
        ({"module/zz.tf": b"# " + b"x" * (1024 * 1024) + b"\n"}, "a .tf file read for the interface may have"),
    ],
    ids=["a directory", "a 1 MB file"],
)
def test_a_terraform_file_that_cannot_be_read_is_named(
    roomy_api: Api, extra: dict[str, bytes | None], needle: str
) -> None:
    files: dict[str, bytes | None] = {
        "blueprint.yaml": (VOLUME / "blueprint.yaml").read_text().replace("version: 1.0.0", "version: 9.0.0").encode(),
        "module/main.tf": (VOLUME / "module" / "main.tf").read_bytes(),
        **extra,
    }
    response = _post(roomy_api, "/api/v1/blueprints", _tar(files))
    assert response.status_code == 422 and needle in response.text, response.text


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 422),
        (b'{"environment": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", 400),
        (b'{"justification": "caf\xe9"}', 400),
    ],
    ids=["not JSON", "nested 100,000 deep", "not UTF-8"],
)
def test_a_body_that_is_not_json_names_the_body(api: Api, body: bytes, status: int) -> None:
    headers = {**api.headers("requester"), "Content-Type": "application/json"}
    response = api.client.post("/api/v1/proposals", content=body, headers=headers)
    error = response.json()["error"]
    assert (response.status_code, error["code"], error["field"]) == (status, "invalid_input", "body"), error
