#!/usr/bin/env bash
# Installs the non-Go peers of the interop matrix (peers_test.go):
#   - Node's ws package, pinned in node/package.json and node/package-lock.json,
#     into node/node_modules (npm ci);
#   - Python's websockets from Debian (python3-websockets) for /usr/bin/python3.
# The Go peers are modules of interop/go.mod and need nothing here.
# Called by interop/run.sh; safe to run again.
set -euo pipefail
cd "$(dirname "$0")"

if command -v npm >/dev/null 2>&1; then
  echo "peers: npm ci in peers/node"
  (cd node && npm ci --no-audit --no-fund --loglevel=error)
else
  echo "peers: npm not found: the Node peer cannot be installed" >&2
fi

if ! /usr/bin/python3 -c 'import websockets' >/dev/null 2>&1; then
  echo "peers: installing python3-websockets"
  SUDO=""
  if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1; then SUDO="sudo -n"; fi
  $SUDO apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-websockets
fi
/usr/bin/python3 -c 'import websockets; print("peers: python websockets", websockets.__version__)'
