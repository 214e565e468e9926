#!/usr/bin/env bash
# `make run`: the control plane server in the foreground, on embedded defaults: the SQLite store and
# in-process workers in this checkout's .infraplane/, the sandbox cloud, the example catalog published.
# Ctrl-C stops the server and everything it started; the next `make run` keeps the data.
set -euo pipefail
cd "$(dirname "$0")/.."
infraplane=".venv/bin/infraplane"
# The server runs on this checkout's own home unless you name another.
export INFRAPLANE_HOME="${INFRAPLANE_HOME:-$PWD/.infraplane}"
host="${SERVE_HOST:-127.0.0.1}"
port="${SERVE_PORT:-8080}"

echo "== infraplane: data lives in $INFRAPLANE_HOME (kept between runs)"
# Publishing is idempotent: a version already in the catalog is left as it is.
"$infraplane" catalog publish examples/catalog --json | .venv/bin/python -c '
import json, sys
results = json.load(sys.stdin)
new = [r["ref"] for r in results if r["status"] == "published"]
shown = ", ".join(new) if new else "none"
print(f"== catalog: {len(results)} example blueprints; newly published: {shown}")
'
exec "$infraplane" serve --host "$host" --port "$port"
