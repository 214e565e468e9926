"""Every malformed JSON-RPC line gets the specification's error reply; valid lines pass to the SDK."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from infraplane.interfaces.mcp.jsonrpc_gate import judge_line

INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 7,
    "method": "initialize",
    "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}},
}


@pytest.mark.parametrize(
    ("line", "code", "request_id"),
    [
        ("not json", -32700, None),
        ('{"jsonrpc": "2.0", "id": 1, "method": "ping"', -32700, None),
        ('[{"jsonrpc":"2.0","id":1,"method":"ping"}]', -32600, None),
        ("[]", -32600, None),
        ('"ping"', -32600, None),
        ('{"jsonrpc":"1.0","id":2,"method":"ping"}', -32600, 2),
        ('{"id":3,"method":"ping"}', -32600, 3),
        ('{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}', -32600, None),
        ('{"jsonrpc":"2.0","id":true,"method":"ping"}', -32600, None),
        ('{"jsonrpc":"2.0","id":"x","method":5}', -32600, "x"),
    ],
)
def test_malformed_lines_are_answered(line: str, code: int, request_id: object) -> None:
    verdict = judge_line(line)
    assert verdict is not None and verdict.error is not None
    assert verdict.error.error.code == code
    assert verdict.error.id == request_id


def test_valid_messages_pass_and_blank_lines_are_ignored() -> None:
    assert judge_line(json.dumps(INITIALIZE)).passes  # type: ignore[union-attr]
    assert judge_line('{"jsonrpc":"2.0","method":"notifications/initialized"}').passes  # type: ignore[union-attr]
    assert judge_line("   \n") is None


def test_an_oversized_message_is_refused_with_its_id() -> None:
    big = json.dumps({"jsonrpc": "2.0", "id": 9, "method": "tools/call", "params": {"x": "a" * 2000}})
    verdict = judge_line(big, max_bytes=1000)
    assert verdict is not None and verdict.error is not None
    assert verdict.error.id == 9 and "limit is 1,000" in str(verdict.error.error.data)


def test_the_server_replies_to_each_malformed_line_then_serves(tmp_path: Path) -> None:
    lines = [
        "not json",
        '[{"jsonrpc":"2.0","id":1,"method":"ping"}]',
        '{"jsonrpc":"1.0","id":2,"method":"ping"}',
        '{"jsonrpc":"2.0","id":{"a":1},"method":"ping"}',
        json.dumps(INITIALIZE),
    ]
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment["INFRAPLANE_HOME"] = str(tmp_path / ".infraplane")
    process = subprocess.Popen(
        [sys.executable, "-m", "infraplane", "mcp", "--agent", "probe"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environment,
        text=True,
    )
    assert process.stdin is not None and process.stdout is not None
    process.stdin.write("\n".join(lines) + "\n")
    process.stdin.flush()
    replies = [json.loads(process.stdout.readline()) for _ in lines]
    process.stdin.close()
    process.wait(timeout=60)
    codes = [reply.get("error", {}).get("code") for reply in replies]
    assert codes == [-32700, -32600, -32600, -32600, None]
    assert [reply["id"] for reply in replies] == [None, None, 2, None, 7]
    assert replies[-1]["result"]["serverInfo"]["name"] == "infraplane"
