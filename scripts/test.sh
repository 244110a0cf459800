#!/usr/bin/env bash
# The whole suite, as CI runs it: types, lint, build, then every test on real redis-server processes.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -p tsconfig.json --noEmit
npx tsc -p dashboard/tsconfig.json
npx eslint .
npx prettier --check . >/dev/null || { npx prettier --check . ; exit 1; }
npm run build --silent
npx vitest run "$@"
