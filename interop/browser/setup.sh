#!/usr/bin/env bash
# Installs what the browser suite needs: Debian's chromium and, in interop/,
# the pinned playwright-core from package.json. Idempotent. Playwright never
# downloads a browser of its own: the tests use /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."  # interop/

if [ ! -x /usr/bin/chromium ]; then
  echo "browser/setup.sh: installing Debian's chromium"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends chromium fonts-dejavu-core
fi
/usr/bin/chromium --version || true

export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
if [ -f node_modules/playwright-core/package.json ] &&
   [ "$(node -p 'require("./node_modules/playwright-core/package.json").version')" = \
     "$(node -p 'require("./package.json").dependencies["playwright-core"]')" ]; then
  echo "browser/setup.sh: playwright-core $(node -p 'require("./node_modules/playwright-core/package.json").version') already installed"
else
  echo "browser/setup.sh: npm ci (playwright-core)"
  npm ci --no-audit --no-fund --ignore-scripts
fi
