"""Chat-model backends over HTTP for `ask`: OpenAI-compatible chat completions and Anthropic messages.

Both implement `infraplane.core.ask.suggestion.ChatBackend`. A failed call (network,
status, unexpected body) raises `LlmError`; the caller falls back to the built-in resolver.
"""

from __future__ import annotations

from typing import Any

import httpx

from infraplane.core.ports import ChatBackendError

__all__ = ["AnthropicMessages", "LlmError", "OpenAIChat"]

ANTHROPIC_VERSION = "2023-06-01"
_MAX_TOKENS = 1024


class LlmError(ChatBackendError):
    """The backend could not be reached or answered with something that is not a chat reply."""


class _ChatApi:
    """What both APIs share: where, which key and model, how long to wait; one JSON POST."""

    def __init__(self, url: str, key: str | None, model: str | None, timeout: float) -> None:
        self._url = url
        self._key = key
        self._model = model
        self._timeout = timeout

    def _post(self, body: dict[str, Any], headers: dict[str, str]) -> Any:
        if self._model:
            body = {"model": self._model, **body}
        try:
            response = httpx.post(self._url, json=body, headers=headers, timeout=self._timeout)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            # The message names the URL and the status, never the key.
            raise LlmError(f"{self._url}: {exc.__class__.__name__}: {exc}") from None


class OpenAIChat(_ChatApi):
    """`POST {url}` with `{model, messages}` (OpenAI and compatible servers); reads `choices[0].message.content`."""

    def complete(self, system: str, prompt: str) -> str:
        headers = {"Authorization": f"Bearer {self._key}"} if self._key else {}
        messages = [{"role": "system", "content": system}, {"role": "user", "content": prompt}]
        data = self._post({"temperature": 0, "messages": messages}, headers)
        try:
            return str(data["choices"][0]["message"]["content"])
        except (KeyError, IndexError, TypeError):
            raise LlmError(f"{self._url}: the answer has no choices[0].message.content") from None


class AnthropicMessages(_ChatApi):
    """`POST {url}` with `{model, system, messages}` (Anthropic's messages API); joins the text blocks."""

    def complete(self, system: str, prompt: str) -> str:
        headers = {"anthropic-version": ANTHROPIC_VERSION, **({"x-api-key": self._key} if self._key else {})}
        body = {
            "max_tokens": _MAX_TOKENS,
            "temperature": 0,
            "system": system,
            "messages": [{"role": "user", "content": prompt}],
        }
        data = self._post(body, headers)
        try:
            return "".join(block["text"] for block in data["content"] if block.get("type") == "text")
        except (KeyError, TypeError, AttributeError):
            raise LlmError(f"{self._url}: the answer has no text content blocks") from None
