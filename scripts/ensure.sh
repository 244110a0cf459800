#!/usr/bin/env bash
# Installs what the project needs and is missing: redis-server (Debian/Ubuntu, via apt) and the
# npm packages pinned in package-lock.json. Safe to run again; does nothing when all is present.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v redis-server >/dev/null 2>&1; then
  echo "sluice: installing redis-server (apt)…" >&2
  SUDO=""
  if [ "$(id -u)" != "0" ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq redis-server >/dev/null
  # The package starts a system service on 6379; Sluice starts its own servers, so stop it.
  ($SUDO service redis-server stop || $SUDO systemctl stop redis-server) >/dev/null 2>&1 || true
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
