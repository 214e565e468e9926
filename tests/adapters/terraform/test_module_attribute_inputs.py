"""Which resource attributes a module sets to exactly one variable: what `drift accept` may map to an input."""

from __future__ import annotations

import json
from pathlib import Path

from infraplane.adapters.terraform_module import ModuleInterfaceCache, read_module_interface

REPO = Path(__file__).resolve().parents[3]


def test_only_a_direct_variable_reference_maps_an_attribute() -> None:
    queue, problems = read_module_interface(REPO / "examples" / "catalog" / "queue" / "module")
    assert problems == []
    assert queue.attribute_inputs == {
        "aws_sqs_queue.dlq.fifo_queue": "fifo",
        "aws_sqs_queue.this.fifo_queue": "fifo",
        "aws_sqs_queue.this.visibility_timeout_seconds": "visibility_timeout_seconds",
    }  # `message_retention_seconds = var.retention_days * 86400` is an expression: the module's own choice
    postgres, _ = read_module_interface(REPO / "examples" / "catalog" / "postgres" / "module")
    assert postgres.attribute_inputs["aws_db_instance.this.multi_az"] == "high_availability"
    ssh, _ = read_module_interface(REPO / "tests" / "fixtures" / "catalog" / "open-ssh" / "module")
    assert ssh.attribute_inputs == {"aws_vpc_security_group_ingress_rule.ssh.cidr_ipv4": "cidr"}


def test_the_mapping_survives_the_interface_cache(tmp_path: Path) -> None:
    module = REPO / "examples" / "catalog" / "queue" / "module"
    ModuleInterfaceCache(tmp_path).read("sha256:q", ".", module)
    cached = ModuleInterfaceCache(tmp_path).cached("sha256:q", ".")  # a new process: read from disk
    assert cached is not None
    assert cached.attribute_inputs["aws_sqs_queue.this.visibility_timeout_seconds"] == "visibility_timeout_seconds"


def test_a_provider_block_naming_its_own_endpoints_is_known_and_cached(tmp_path: Path) -> None:
    module = tmp_path / "module"
    module.mkdir()
    (module / "main.tf").write_text(
        'provider "aws" {\n  region = "us-east-1"\n  endpoints {\n    s3 = "http://10.0.0.1"\n  }\n}\n'
        'provider "random" {}\n',
        encoding="utf-8",
    )
    own, problems = read_module_interface(module)
    assert problems == [] and own.providers == {"aws", "random"} and own.names_endpoints
    queue, _ = read_module_interface(REPO / "examples" / "catalog" / "queue" / "module")
    assert not queue.names_endpoints
    cache = tmp_path / "cache"
    ModuleInterfaceCache(cache).read("sha256:e", ".", module)
    [entry] = cache.glob("*.json")
    assert ModuleInterfaceCache(cache).cached("sha256:e", ".").names_endpoints  # type: ignore[union-attr]
    # An entry written before the field existed is not trusted to say "none": it is parsed again.
    old = json.loads(entry.read_text(encoding="utf-8"))
    del old["names_endpoints"]
    entry.write_text(json.dumps(old), encoding="utf-8")
    assert ModuleInterfaceCache(cache).cached("sha256:e", ".") is None
    assert ModuleInterfaceCache(cache).read("sha256:e", ".", module)[0].names_endpoints


def test_endpoints_named_in_json_or_a_dynamic_block_count_too(tmp_path: Path) -> None:
    dynamic = tmp_path / "dynamic"
    dynamic.mkdir()
    (dynamic / "main.tf").write_text(
        'provider "aws" {\n  dynamic "endpoints" {\n    for_each = [1]\n'
        '    content {\n      s3 = "http://x"\n    }\n  }\n}\n',
        encoding="utf-8",
    )
    assert read_module_interface(dynamic)[0].names_endpoints
    as_json = tmp_path / "json"
    as_json.mkdir()
    (as_json / "main.tf").write_text('variable "name" {}\n', encoding="utf-8")
    (as_json / "z_override.tf.json").write_text('{"provider": {"aws": {"endpoints": {"s3": "http://x"}}}}')
    assert read_module_interface(as_json)[0].names_endpoints


def test_modules_read_side_by_side_read_whole() -> None:
    # python-hcl2 is not thread-safe: without the lock about 1 read in 30 came back with no resources and no
    # error, and was cached (components are planned side by side, each reading its module's interface).
    import threading

    modules = [REPO / "examples" / "catalog" / name / "module" for name in ("queue", "network", "postgres")]
    expected = {str(m): read_module_interface(m)[0].attribute_inputs for m in modules}
    assert all(expected.values())
    wrong: list[str] = []

    def read(module: Path) -> None:
        for _ in range(15):
            interface, problems = read_module_interface(module)
            if problems or interface.attribute_inputs != expected[str(module)]:
                wrong.append(module.parent.name)

    threads = [threading.Thread(target=read, args=(m,)) for m in modules for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert wrong == []
