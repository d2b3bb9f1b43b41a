#!/usr/bin/env bash
# `npm run drift -- --stack <stack>`: what .github/workflows/drift.yml runs each night, here
# against the embedded local cluster: `pulumi preview --refresh --expect-no-changes` (an object
# deleted or edited by hand since the last `pulumi up` is a change, and fails it), then the live
# connectivity report (`npm run connectivity -- <stack> --live`: what the NetworkPolicies in the
# cluster allow against the flow table). Exit 1 on any drift. Non-dev stacks are aimed at the
# local cluster through KGENTS_KUBECONFIG, as in scripts/up.sh; set KGENTS_KUBECONFIG yourself to
# aim at another cluster. Output: artifacts/drift/<stack>-{preview,connectivity}.txt.
set -uo pipefail
cd "$(dirname "$0")/.."

stack=""
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack="${2:?--stack needs a value}"; shift 2 ;;
    -h | --help) sed -n '2,9p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "drift: unknown argument '$1' (usage: npm run drift -- --stack <stack>)" >&2; exit 2 ;;
  esac
done
[ -n "$stack" ] || { echo "drift: --stack is required (usage: npm run drift -- --stack <stack>)" >&2; exit 2; }
[ -f "Pulumi.$stack.yaml" ] || { echo "drift: --stack $stack: no Pulumi.$stack.yaml" >&2; exit 2; }

# shellcheck source=env.sh
source scripts/env.sh
if [ "$stack" != dev ] && [ -z "${KGENTS_KUBECONFIG+x}" ]; then
  export KGENTS_KUBECONFIG="$KUBECONFIG" KGENTS_KUBE_CONTEXT=""
fi
OUT=artifacts/drift
mkdir -p "$OUT"
config_file=$(bash scripts/local-stack.sh "$stack") || exit 2
drift=0

printf '==> drift: pulumi preview --stack %s --refresh --expect-no-changes\n' "$stack"
pulumi preview --stack "$stack" --config-file "$config_file" --refresh --expect-no-changes \
  --non-interactive --diff 2>&1 | tee "$OUT/$stack-preview.txt"
preview_rc=${PIPESTATUS[0]}
[ "$preview_rc" -eq 0 ] || drift=1

printf '\n==> drift: npm run connectivity -- %s --live\n' "$stack"
if node -e 'process.exit(require("./package.json").scripts?.connectivity ? 0 : 1)'; then
  npm run --silent connectivity -- "$stack" --live 2>&1 | tee "$OUT/$stack-connectivity.txt"
  conn_rc=${PIPESTATUS[0]}
  [ "$conn_rc" -eq 0 ] || drift=1
  conn="exit $conn_rc"
else
  conn="not run: this checkout has no \`npm run connectivity\`"
  echo "$conn" | tee "$OUT/$stack-connectivity.txt"
fi

printf '\n==> drift summary (stack %s)\n' "$stack"
if [ "$preview_rc" -eq 0 ]; then echo "  ok    preview --refresh: no changes"; else echo "  DRIFT preview --refresh: changes found (exit $preview_rc; $OUT/$stack-preview.txt)"; fi
echo "  $( [ "${conn_rc:-0}" -eq 0 ] && echo 'ok   ' || echo 'DRIFT') live connectivity: $conn"
exit "$drift"
