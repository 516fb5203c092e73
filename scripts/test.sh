#!/usr/bin/env bash
# The test command (README): provisions the Temporal binaries if missing, type-checks, runs
# the whole suite — unit tests, time-skipping workflow tests, replay of recorded histories,
# and HTTP end-to-end tests against the Temporal dev server.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -d node_modules ] || bash scripts/install.sh
bash scripts/provision.sh
npx tsc -p tsconfig.json --noEmit
npx vitest run "$@"
