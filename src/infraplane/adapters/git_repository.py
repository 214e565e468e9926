"""The git repository of environments: one YAML file per environment, one commit per applied revision.

History then reads with plain `git log`; an optional remote is pushed to after each commit.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from infraplane.errors import FailureError

__all__ = ["EnvironmentsRepository"]

_TIMEOUT = 60


class EnvironmentsRepository:
    def __init__(self, path: Path, remote: str | None = None) -> None:
        self.path = path
        self._remote = remote

    def _git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(self.path),  # never read a person's global git configuration
            "GIT_TERMINAL_PROMPT": "0",
            "GIT_CONFIG_NOSYSTEM": "1",
        }
        try:
            result = subprocess.run(
                ["git", "-c", "commit.gpgsign=false", *args],
                cwd=self.path,
                env=env,
                capture_output=True,
                text=True,
                timeout=_TIMEOUT,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise FailureError(f"environments repository {self.path}: git {args[0]} failed: {exc}") from None
        if check and result.returncode != 0:
            lines = (result.stderr or result.stdout).strip().splitlines()
            reason = lines[-1] if lines else f"exit {result.returncode}"
            raise FailureError(f"environments repository {self.path}: git {args[0]} failed: {reason}")
        return result

    def _ensure(self) -> None:
        if (self.path / ".git").is_dir():
            return
        self.path.mkdir(parents=True, exist_ok=True)
        self._git("init", "-q", "-b", "main")
        (self.path / "README.md").write_text(
            "# Environments\n\nOne file per environment: the desired state infraplane last applied.\n"
            "Each commit is one applied proposal; `git log -- NAME.yaml` is that environment's history.\n",
            encoding="utf-8",
        )
        self._git("add", "README.md")
        self._git("-c", "user.name=infraplane", "-c", "user.email=infraplane@localhost", "commit", "-q", "-m", "init")
        if self._remote:
            self._git("remote", "add", "origin", self._remote)

    def commit(self, environment: str, document: Mapping[str, Any] | None, message: str, author: str) -> str:
        """Write (or, for None, remove) the environment's file and commit it; returns the commit id."""
        self._ensure()
        file = self.path / f"{environment}.yaml"
        if document is None:
            file.unlink(missing_ok=True)
        else:
            file.write_text(yaml.safe_dump(dict(document), sort_keys=False), encoding="utf-8")
        self._git("add", "-A", "--", f"{environment}.yaml")
        identity = ["-c", f"user.name={author}", "-c", f"user.email={author}@infraplane.local"]
        self._git(*identity, "commit", "-q", "--allow-empty", "-m", message)
        commit = self._git("rev-parse", "HEAD").stdout.strip()
        if self._remote:
            self._git("push", "-q", "origin", "HEAD:main")
        return commit

    def log(self, environment: str | None = None) -> list[str]:
        """Subjects of the commits (newest first), of one environment's file when named."""
        if not (self.path / ".git").is_dir():
            return []
        args = ["log", "--format=%s"]
        if environment is not None:
            args += ["--", f"{environment}.yaml"]
        return [line for line in self._git(*args).stdout.splitlines() if line]
