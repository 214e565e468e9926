"""How the server's logs look: JSON lines when stderr is not a terminal, readable lines on a terminal.

`configure_logging()` is called once by `infraplane serve`. A log record's `fields` extra (a
mapping) becomes keys of the JSON object, or `key=value` pairs after the message on a terminal.
What goes into `fields` is the caller's promise that it holds no secret: the request log passes
only the route template, never a path, query, header or body.
"""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import IO, Any

__all__ = ["UVICORN_LOGGING", "JsonFormatter", "TextFormatter", "configure_logging"]

# Loggers of libraries that would log what we must not, or too much: uvicorn's access log and
# httpx print raw URLs with their query strings (a token pasted into a URL would land in the log);
# alembic narrates every migration step.
_QUIET = {name: logging.WARNING for name in ("uvicorn.access", "httpx", "httpx2", "httpcore", "alembic")}
# What `serve` passes to uvicorn.run(...): no logging config of its own (it would undo ours) and no
# access log (the request log's line replaces it, without raw paths and queries).
UVICORN_LOGGING: dict[str, Any] = {"log_config": None, "access_log": False}


def _fields(record: logging.LogRecord) -> Mapping[str, Any]:
    fields = getattr(record, "fields", None)
    return fields if isinstance(fields, Mapping) else {}


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, the record's fields, the exception."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update(_fields(record))
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str, ensure_ascii=False)


class TextFormatter(logging.Formatter):
    """`HH:MM:SS LEVEL logger message key=value ...` for a person watching a terminal."""

    def format(self, record: logging.LogRecord) -> str:
        time = datetime.fromtimestamp(record.created).strftime("%H:%M:%S")
        pairs = " ".join(f"{key}={value}" for key, value in _fields(record).items())
        text = f"{time} {record.levelname:<7} {record.name} {record.getMessage()}" + (f" {pairs}" if pairs else "")
        if record.exc_info:
            text += "\n" + self.formatException(record.exc_info)
        return text


def configure_logging(level: str | int = "INFO", stream: IO[str] | None = None, json_lines: bool | None = None) -> None:
    """Send infraplane's (and the libraries') logs to `stream` (stderr): JSON lines unless it is a terminal.

    Idempotent: a second call replaces the handler the first one installed.
    """
    out = stream if stream is not None else sys.stderr
    if json_lines is None:
        json_lines = not (hasattr(out, "isatty") and out.isatty())
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter() if json_lines else TextFormatter())
    handler.set_name("infraplane")
    root = logging.getLogger()
    for old in [h for h in root.handlers if h.get_name() == "infraplane"]:
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for name, quiet in _QUIET.items():
        logging.getLogger(name).setLevel(quiet)
    # uvicorn installs its own handlers when given a log config; ours are the only ones.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logging.getLogger(name).handlers.clear()
        logging.getLogger(name).propagate = True
