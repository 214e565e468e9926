"""The runner retries a plan the cloud API refused with 503 once, reports the retry, and never retries an apply.

Real terraform and the AWS provider; the EC2 API is a small loopback server that answers
its first `failures` calls with `503 Unavailable`, then DescribeVpcs with an empty VPC list.
"""

from __future__ import annotations

import shutil
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from infraplane.adapters.archive import digest_of, pack_directory
from infraplane.adapters.terraform.cli_config import discover_mirror, write_cli_config
from infraplane.adapters.terraform.runner import TerraformRunner
from infraplane.adapters.terraform.state_server import StateCallbacks, StateServer
from infraplane.core.blueprint import parse_blueprint
from infraplane.core.runs import RunEvent, RunRequest, Target
from infraplane.errors import FailureError

MIRROR = discover_mirror()
TERRAFORM = shutil.which("terraform")

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(TERRAFORM is None or MIRROR is None, reason="needs terraform and the AWS provider mirror"),
]

MODULE = """
terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

variable "endpoint" {
  type = string
}

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  max_retries                 = 1
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ec2 = var.endpoint
  }
}

data "aws_vpcs" "all" {}

resource "aws_vpc" "created" {
  cidr_block = "10.0.0.0/16"
}

output "vpcs" {
  value = length(data.aws_vpcs.all.ids)
}
"""
BLUEPRINT = {
    "apiVersion": "infraplane.dev/v1",
    "kind": "Blueprint",
    "metadata": {"name": "vpc-reader", "version": "1.0.0", "description": "d", "owner": "platform-team"},
    "spec": {
        "runner": "terraform",
        "source": ".",
        "inputs": {"endpoint": {"type": "string"}},
        "required": ["endpoint"],
    },
}
EMPTY_VPCS = (
    b'<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">'
    b"<requestId>r1</requestId><vpcSet/></DescribeVpcsResponse>"
)
UNAVAILABLE = (
    b'<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>Unavailable</Code>'
    b"<Message>The service is unavailable. Please try again shortly.</Message></Error></Errors>"
    b"<RequestID>r1</RequestID></Response>"
)


class Ec2:
    """Counts EC2 calls; the first `failures` of them get a 503."""

    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls = 0
        ec2 = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                ec2.calls += 1
                status, body = (503, UNAVAILABLE) if ec2.calls <= ec2.failures else (200, EMPTY_VPCS)
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.endpoint = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def ec2() -> Iterator[Ec2]:
    server = Ec2(failures=1)
    yield server
    server.server.shutdown()
    server.server.server_close()


def test_a_plan_the_api_refused_once_is_retried_and_reported(tmp_path: Path, ec2: Ec2) -> None:
    assert TERRAFORM is not None
    source = tmp_path / "source"
    source.mkdir()
    (source / "main.tf").write_text(MODULE, encoding="utf-8")
    archive = pack_directory(source)
    blueprint, problems = parse_blueprint(BLUEPRINT, "blueprint.yaml")
    assert blueprint is not None, problems
    home = tmp_path / "home"
    runner = TerraformRunner(
        TERRAFORM, write_cli_config(home / "terraform" / "terraformrc", tmp_path / "cache", MIRROR), tmp_path / "cache"
    )
    states: dict[tuple[str, str], bytes] = {}
    callbacks = StateCallbacks(
        read=lambda e, c: states.get((e, c)),
        write=lambda e, c, body: states.__setitem__((e, c), body),
        holds_lease=lambda _e, _c: True,
    )
    events: list[RunEvent] = []
    with StateServer(callbacks) as server:
        request = RunRequest(
            environment="dev",
            component="reader",
            blueprint=blueprint,
            archive=archive,
            digest=digest_of(archive),
            workdir=home / "work" / "dev" / "reader",
            inputs={"endpoint": ec2.endpoint},
            context={},
            target=Target("aws"),
            backend=server.backend_environment("dev", "reader"),
        )
        plan = runner.plan(request, events.append)
        retries = [e for e in events if e.action == "retry"]
        assert [e.message.split(" (")[0] for e in retries] == ["plan attempt 1 failed"]
        assert "cloud-busy" in retries[0].message and "StatusCode: 503" in retries[0].message
        assert ec2.calls == 2
        assert plan.output_changes == 1

        # An apply that fails is reported at once, even for a transient reason: its outcome is not known.
        assert (plan.add, plan.change, plan.destroy) == (1, 0, 0)
        ec2.failures, ec2.calls = 100, 0
        events.clear()
        with pytest.raises(FailureError, match="apply failed"):
            runner.apply(request, plan, events.append)
        assert not [e for e in events if e.action == "retry"]
        assert ec2.calls == 1  # CreateVpc, once
