#!/usr/bin/env bash
# Installs the npm dependencies when package-lock.json changed since the last install (stamp),
# so warm runs skip `npm ci`. Install scripts stay off: the provider plugin comes from tools/.
set -euo pipefail
cd "$(dirname "$0")/.."
stamp=node_modules/.kgents-lock-stamp
want=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
  exit 0
fi
echo "==> npm ci (package-lock.json changed or first run)"
npm ci --ignore-scripts --no-audit --no-fund
echo "$want" >"$stamp"
