#!/usr/bin/env bash
# Installs what the browser suite needs: Debian's chromium and, in interop/,
# the pinned playwright-core from package.json. Idempotent. Playwright never
# downloads a browser of its own: the tests use /usr/bin/chromium.
set -euo pipefail
cd "$(dirname "$0")/.."  # interop/

# Chromium, and fonts for the page's screenshot (the emoji in the test's
# message included).
packages="chromium fonts-dejavu-core fonts-noto-color-emoji"
missing=""
for p in $packages; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ ! -x /usr/bin/chromium ] || [ -n "$missing" ]; then
  echo "browser/setup.sh: installing$missing"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update
  $SUDO apt-get install -y --no-install-recommends $packages
fi
/usr/bin/chromium --version 2>/dev/null || true

# Node packages (playwright-core): npm ci from package-lock.json, unless
# node_modules already holds what this very lock file names. The install
# scripts are not run, and PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD keeps playwright
# from ever fetching a browser of its own.
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
stamp=node_modules/.wskit-package-lock.json
if [ -f "$stamp" ] && cmp -s package-lock.json "$stamp" && [ -f node_modules/playwright-core/package.json ]; then
  echo "browser/setup.sh: node_modules is up to date"
else
  echo "browser/setup.sh: npm ci"
  npm ci --no-audit --no-fund --ignore-scripts
  cp package-lock.json "$stamp"
fi
echo "browser/setup.sh: playwright-core $(node -p 'require("./node_modules/playwright-core/package.json").version')"
