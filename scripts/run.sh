#!/usr/bin/env bash
# `make run`: the most useful end-to-end thing infraplane does today.
# Until the server exists, that is: validate and publish the example catalog into
# $INFRAPLANE_HOME (default .infraplane/), show it, search it, and verify the audit chain.
set -euo pipefail
cd "$(dirname "$0")/.."
infraplane=".venv/bin/infraplane"

echo "== infraplane: the server is not built yet; this publishes the example catalog and shows it"
echo "== data lives in ${INFRAPLANE_HOME:-.infraplane/}"
echo
echo "\$ infraplane catalog validate examples/catalog"
$infraplane catalog validate examples/catalog
echo
echo "\$ infraplane catalog publish examples/catalog"
$infraplane catalog publish examples/catalog
echo
echo "\$ infraplane catalog list"
$infraplane catalog list
echo
echo "\$ infraplane catalog search \"postgres database\""
$infraplane catalog search "postgres database"
echo
echo "\$ infraplane audit verify"
$infraplane audit verify
echo
echo "Next: infraplane catalog show service-stack | infraplane audit log | infraplane --help"
