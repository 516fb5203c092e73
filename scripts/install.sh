#!/usr/bin/env bash
# Installs npm packages at the versions in package-lock.json. `npm ci` refuses the lock here:
# the registry this machine reaches has no builds of @swc/core for other platforms (404), so
# npm leaves those optional entries out of the lock and `npm ci` calls it out of sync.
# `npm install` then installs the same locked versions.
set -euo pipefail
cd "$(dirname "$0")/.."
npm ci --no-audit --no-fund 2>/dev/null || npm install --no-audit --no-fund
