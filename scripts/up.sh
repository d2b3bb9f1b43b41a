#!/usr/bin/env bash
# The main job (`npm run up`), from a fresh machine: npm dependencies, the real toolchain (built
# from Go modules, cached), the embedded local cluster, then `pulumi up --stack dev` with the
# policy pack enforced, and the stack outputs.
#   STACK=prod npm run up   deploys the prod stack to the local cluster instead (its cluster
#                           target is overridden through KGENTS_KUBECONFIG, the stack file is
#                           left untouched).
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${STACK:-dev}"
start=$(date +%s)
step() { printf '\n==> %s (t+%ss)\n' "$*" "$(($(date +%s) - start))"; }

step "node (engines >= 22; the pinned LTS from the npm registry when the machine's is older)"
# shellcheck source=node-env.sh
source scripts/node-env.sh
echo "node $(node --version) ($(command -v node)), npm $(npm --version)"

step "npm dependencies"
bash scripts/ensure-deps.sh
step "toolchain (cached; first build takes tens of minutes)"
bash scripts/tools.sh
step "local cluster"
bash scripts/cluster.sh up
# shellcheck source=scripts/env.sh
source scripts/env.sh
if [ "$stack" != dev ]; then
  export KGENTS_KUBECONFIG="$KUBECONFIG" KGENTS_KUBE_CONTEXT=""
fi
pulumi version
config_file=$(bash scripts/local-stack.sh "$stack")
step "pulumi up --stack $stack (policy pack enforced)"
pulumi up --stack "$stack" --config-file "$config_file" --yes \
  --policy-pack policy-pack --policy-pack-config policy-pack/config/kgents-platform.json
step "outputs"
pulumi stack output --stack "$stack"
