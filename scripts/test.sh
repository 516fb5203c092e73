#!/usr/bin/env bash
# The test command (README): provisions the Temporal binaries if missing, type-checks, runs
# the whole suite — unit tests, time-skipping workflow tests, replay of recorded histories,
# HTTP end-to-end tests against the Temporal dev server, and the web pages in chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/install.sh
bash scripts/provision.sh
npx tsc -p tsconfig.json --noEmit
npx vue-tsc --noEmit -p web/tsconfig.json
npx vitest run "$@"
