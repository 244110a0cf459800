#!/usr/bin/env bash
# Installs what the project needs and is missing, then the npm packages pinned in
# package-lock.json. Safe to run again; does nothing when all is present.
#   ensure.sh        what `npm start` needs: redis-server
#   ensure.sh test   and what the test suite needs too: redis-sentinel (fail-over tests),
#                    chromium (browser tests), postgresql (outbox tests)
# Debian/Ubuntu, via apt (as root, or with sudo).
set -euo pipefail
cd "$(dirname "$0")/.."

# command that proves it is there → Debian package that brings it
need=("redis-server:redis-server")
if [ "${1:-}" = "test" ]; then
  need+=("redis-sentinel:redis-sentinel" "chromium:chromium" "openssl:openssl")
  # PostgreSQL's binaries live outside PATH, under /usr/lib/postgresql/<major>/bin.
  need+=("$(ls -d /usr/lib/postgresql/*/bin/initdb 2>/dev/null | head -1 || true):postgresql")
fi

missing=()
for pair in "${need[@]}"; do
  cmd="${pair%%:*}" pkg="${pair##*:}"
  if [ -z "$cmd" ] || ! command -v "$cmd" >/dev/null 2>&1; then missing+=("$pkg"); fi
done

if [ ${#missing[@]} -gt 0 ]; then
  echo "sluice: installing ${missing[*]} (apt)…" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
  # The packages start system services (Redis on 6379, Sentinel on 26379, a PostgreSQL cluster
  # on 5432); Sluice and its tests start their own servers on free ports, so stop them.
  for svc in redis-server redis-sentinel postgresql; do
    ($SUDO service "$svc" stop || $SUDO systemctl stop "$svc") >/dev/null 2>&1 || true
  done
fi

stamp=node_modules/.sluice-lock
if [ ! -f "$stamp" ] || ! cmp -s package-lock.json "$stamp"; then
  echo "sluice: installing npm packages (from package-lock.json)…" >&2
  # `npm install` with the lockfile installs exactly the pinned versions. Not `npm ci`: it refuses
  # a lockfile that lacks other platforms' optional packages (esbuild, rollup), which registry
  # mirrors serving one platform produce.
  npm install --no-audit --no-fund --loglevel=error
  cp package-lock.json "$stamp"
fi
