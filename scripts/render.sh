#!/usr/bin/env bash
# `npm run render -- <stack> <dir>`: the project's Node, npm dependencies and the two tools render
# needs (the CLI with our language host, the upstream Kubernetes provider), then scripts/render.ts.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=node-env.sh
source scripts/node-env.sh
bash scripts/ensure-deps.sh >&2
bash scripts/tools.sh pulumi kubernetes-provider
# shellcheck source=env.sh
source scripts/env.sh
exec npx tsx scripts/render.ts "$@"
