#!/usr/bin/env bash
# `npm run readiness -- --stack <stack> [--local] [--out FILE] [--no-drain] [--drain-timeout S]`:
# runs scripts/readiness.ts (the production checklist, docs/production-checklist.md) on the
# project's Node.
#   --local   audit the stack as deployed on the embedded local cluster: the repo's toolchain and
#             file backend (scripts/env.sh), and for stacks other than dev the cluster target
#             overridden to .local/kubeconfig, as `STACK=<stack> npm run up` deployed it.
# Without --local it uses the `pulumi` and backend you are logged in to and the stack's own
# kubeconfig/context (KGENTS_KUBECONFIG / KGENTS_KUBE_CONTEXT override them).
set -euo pipefail
cd "$(dirname "$0")/.."
args=()
local_run=0
for a in "$@"; do
  if [ "$a" = --local ]; then local_run=1; else args+=("$a"); fi
done
# shellcheck source=node-env.sh
source scripts/node-env.sh
if [ "$local_run" = 1 ]; then
  bash scripts/tools.sh pulumi kubernetes >/dev/null
  # shellcheck source=env.sh
  source scripts/env.sh
  export KGENTS_READINESS_LOCAL=1
  stack=""
  for ((i = 0; i < ${#args[@]}; i++)); do
    [ "${args[i]}" = --stack ] && stack="${args[i + 1]:-}"
    case "${args[i]}" in --stack=*) stack="${args[i]#--stack=}" ;; esac
  done
  if [ -n "$stack" ] && [ "$stack" != dev ]; then
    export KGENTS_KUBECONFIG="$KUBECONFIG" KGENTS_KUBE_CONTEXT=""
  fi
fi
exec npx tsx scripts/readiness.ts "${args[@]}"
