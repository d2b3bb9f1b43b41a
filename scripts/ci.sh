#!/usr/bin/env bash
# The README's test command (`npm run ci`), also what .ci/run runs on a clean clone: installs
# what is missing, then lint, types, unit + policy tests, real-server tests, the fault-injection
# suite (root: FUSE, network namespaces) and the e2e suite on the embedded local cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
start=$(date +%s)
# In CI, leave no cluster processes behind (a developer keeps theirs for the next run).
if [ "${CI:-}" = true ]; then
  trap 'bash scripts/cluster.sh down >/dev/null 2>&1 || true' EXIT
fi
step() { printf '\n==> %s (t+%ss)\n' "$*" "$(($(date +%s) - start))"; }

step "node (engines >= 22; the pinned LTS from the npm registry when the machine's is older)"
# shellcheck source=node-env.sh
source scripts/node-env.sh
echo "node $(node --version) ($(command -v node)), npm $(npm --version)"

step "dependencies"
bash scripts/ensure-deps.sh
step "typecheck"
npx tsc --noEmit
npx tsc -p load/k6/tsconfig.json
step "lint"
npm run --silent lint
step "workflow lint (actionlint on .github/workflows)"
npm run --silent lint:workflows
step "unit + policy tests"
npm test
step "connectivity: our core vs Cyclonus, mutations, 28 public cases"
npm run --silent test:connectivity
step "connectivity proof of dev and prod (rendered objects)"
npm run --silent connectivity -- dev --out artifacts/connectivity >/dev/null
npm run --silent connectivity -- prod --out artifacts/connectivity >/dev/null
step "manifests: kubeconform (strict) + kube-score"
npm run --silent lint:manifests
step "real-server tests (nats-server, redis-server)"
npm run --silent test:servers
step "fault injection (power loss on faultfs, partitions in network namespaces)"
npm run --silent test:faults
step "gateway on real servers (nats-server, redis-server, vegeta)"
npm run --silent test:gateway
step "e2e on the local cluster"
npm run --silent test:e2e
step "done"
