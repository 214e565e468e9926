"""The runner retries a plan the cloud API refused with 503 once, reports the retry, and never retries an apply.

Real terraform and the AWS provider; the EC2 API is a small loopback server that answers
its first `failures` calls with `503 Unavailable`, then DescribeVpcs with an empty VPC list.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from infraplane.core.runs import RunEvent
from infraplane.errors import FailureError
from tests.support.terraform_runs import (
    REQUIRES_AWS,
    TERRAFORM,
    memory_state_server,
    module_blueprint,
    needs_terraform,
    runner_for,
    terraform_blueprint,
)

pytestmark = [
    pytest.mark.slow,
    needs_terraform,
]

MODULE = (
    REQUIRES_AWS
    + """
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
)
BLUEPRINT = terraform_blueprint("vpc-reader", {"endpoint": {"type": "string"}})
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
    module = module_blueprint(tmp_path / "source", MODULE, BLUEPRINT)
    home = tmp_path / "home"
    slept: list[float] = []  # the backoff between attempts, taken on this list instead of the clock
    runner = runner_for(home, tmp_path / "cache", sleep=slept.append)
    events: list[RunEvent] = []
    with memory_state_server() as server:
        request = module.request(server, home, "dev", "reader", {"endpoint": ec2.endpoint})
        plan = runner.plan(request, events.append)
        assert len(slept) == 1 and slept[0] > 0
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
