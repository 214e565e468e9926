"""The sandbox cloud for end-to-end tests, and boto3 clients pointed at it."""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from typing import Any

import boto3

from infraplane.adapters.sandbox.control import STATE_FILE, SandboxInfo

__all__ = ["aws", "free_port", "use_sandbox"]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def use_sandbox(sandbox_home: Path, home: Path) -> None:
    """Let `home` find the running sandbox (the record `infraplane sandbox start` writes)."""
    home.mkdir(parents=True, exist_ok=True)
    shutil.copy(sandbox_home / STATE_FILE, home / STATE_FILE)


def aws(sandbox: SandboxInfo, service: str) -> Any:
    return boto3.client(
        service,
        endpoint_url=sandbox.endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
