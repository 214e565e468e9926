"""Running the real `infraplane` command line, in-process or as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

__all__ = ["CliResult", "run_cli"]


@dataclass
class CliResult:
    exit_code: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout)


def run_cli(home: Path, *args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> CliResult:
    """Run `python -m infraplane ARGS` with INFRAPLANE_HOME=home, as a user would."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("INFRAPLANE_")}
    environment.update({"INFRAPLANE_HOME": str(home), "COLUMNS": "200", **(env or {})})
    completed = subprocess.run(
        [sys.executable, "-m", "infraplane", *args],
        capture_output=True,
        text=True,
        env=environment,
        cwd=cwd,
        timeout=600,
        check=False,
    )
    return CliResult(completed.returncode, completed.stdout, completed.stderr)
