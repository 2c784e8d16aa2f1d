#!/usr/bin/env bash
# README's second command: every test, on SQLite and PostgreSQL, including the screens in real
# headless Chromium. Installs what the browser tests need when it is missing (Debian's chromium
# and a Japanese font; the npm packages pinned in e2e/package-lock.json), then runs cargo test.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null 2>&1 || ! { command -v fc-list >/dev/null 2>&1 && fc-list :lang=ja | grep -q .; }; then
  echo "test.sh: installing chromium and fonts-ipafont-gothic (Debian) for the browser tests" >&2
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium fonts-ipafont-gothic >/dev/null
fi
if [ ! -d e2e/node_modules/playwright-core ] || [ ! -d e2e/node_modules/axe-core ]; then
  (cd e2e && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund)
fi

cargo test --workspace "$@"
