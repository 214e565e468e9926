#!/usr/bin/env bash
# `make run`: the most useful end-to-end thing infraplane does today (the server comes in a later issue).
# It starts the sandbox cloud, publishes the example catalog, and brings up the example environment
# (network, PostgreSQL, Redis, queue, bucket and SSM settings) with real Terraform and Ansible.
set -euo pipefail
cd "$(dirname "$0")/.."
infraplane=".venv/bin/infraplane"
# The example runs in this checkout's own home unless you name another.
export INFRAPLANE_HOME="${INFRAPLANE_HOME:-$PWD/.infraplane}"
step() { printf '\n\033[1m$ infraplane %s\033[0m\n' "$*"; "$infraplane" "$@"; }

echo "== infraplane: no server yet; this runs the whole loop on the sandbox cloud instead."
echo "== data lives in $INFRAPLANE_HOME"
step sandbox start
step catalog publish examples/catalog
step catalog list
# Every change is a proposal: staging needs one approval from someone other than the proposer.
step --as alice env up examples/environments/payments-staging.yaml --yes -m "payments needs a staging environment"
pending=$("$infraplane" proposal list --environment payments-staging --status pending --json |
  .venv/bin/python -c 'import json, sys; print(" ".join(p["id"] for p in json.load(sys.stdin)))')
for id in $pending; do
  step --as bob proposal approve "$id" -m "looks right"
  step --as alice proposal apply "$id"
done
step env show payments-staging
step env graph payments-staging
step env history payments-staging
step audit verify
cat <<'NEXT'

Next:
  .venv/bin/infraplane env plan examples/environments/payments-staging.yaml   # change an input first
  .venv/bin/infraplane proposal list
  .venv/bin/infraplane --as alice env destroy payments-staging     # a proposal; approve it --as bob, then apply
  git -C .infraplane/environments log                                # the environments repository
  .venv/bin/infraplane sandbox stop
NEXT
