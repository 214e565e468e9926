"""A chat API (OpenAI- or Anthropic-shaped) on 127.0.0.1 for tests of the optional LLM backends."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, HTTPServer
from typing import Any

__all__ = ["ChatApi", "openai_reply"]


class ChatApi:
    """A chat API on 127.0.0.1 that answers every request with one canned reply and remembers what it got."""

    def __init__(self, reply: Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]) -> None:
        self.requests: list[tuple[dict[str, str], dict[str, Any]]] = []
        backend = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                backend.requests.append((dict(self.headers), body))
                status, answer = reply(body)
                payload = json.dumps(answer).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/v1/chat"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def openai_reply(content: str) -> Callable[[dict[str, Any]], tuple[int, dict[str, Any]]]:
    """Every request answered with `content` as an OpenAI chat completion."""
    return lambda _: (200, {"choices": [{"message": {"role": "assistant", "content": content}}]})
