#!/usr/bin/env bash
# `npm run pr-check`: the gate every pull request passes (.github/workflows/preview.yml runs it),
# runnable here: types, lint, workflow lint, unit + policy tests, then `pulumi preview --stack
# prod` with the policy pack enforced. On a GitHub runner the preview is pulumi/actions against the
# real prod backend and cluster; here it previews the prod stack against the embedded local
# cluster (target overridden through KGENTS_KUBECONFIG, Pulumi.prod.yaml untouched).
#
#   npm run pr-check                        # every step
#   npm run pr-check -- --skip preview      # what preview.yml's `checks` job runs
#   npm run pr-check -- --only preview      # the policy gate alone
#   npm run pr-check -- --stack dev         # preview another stack
#
# Every step runs even when an earlier one failed (a reviewer wants every finding at once); the
# summary lists each step, and for a refused preview the policies that refused it. Exit 1 when a
# step failed. Output of each step: artifacts/pr-check/<step>.txt.
set -uo pipefail
cd "$(dirname "$0")/.."

# The policy pack and its config: preview.yml passes the same two paths to pulumi/actions (a unit
# test holds them equal).
POLICY_PACK=policy-pack
POLICY_PACK_CONFIG=policy-pack/config/kgents-platform.json
STEPS=(typecheck lint workflows test preview)

stack=prod
only=()
skip=()
while [ $# -gt 0 ]; do
  case "$1" in
    --stack) stack="${2:?--stack needs a value}"; shift 2 ;;
    --only) only+=("${2:?--only needs a step}"); shift 2 ;;
    --skip) skip+=("${2:?--skip needs a step}"); shift 2 ;;
    -h | --help) sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "pr-check: unknown argument '$1' (known: --stack S, --only STEP, --skip STEP; steps: ${STEPS[*]})" >&2; exit 2 ;;
  esac
done
for s in "${only[@]}" "${skip[@]}"; do
  [[ " ${STEPS[*]} " == *" $s "* ]] || { echo "pr-check: unknown step '$s' (steps: ${STEPS[*]})" >&2; exit 2; }
done
[ -f "Pulumi.$stack.yaml" ] || { echo "pr-check: --stack $stack: no Pulumi.$stack.yaml" >&2; exit 2; }

wanted() {
  local s="$1" x
  if [ ${#only[@]} -gt 0 ]; then
    for x in "${only[@]}"; do [ "$x" = "$s" ] && return 0; done
    return 1
  fi
  for x in "${skip[@]}"; do [ "$x" = "$s" ] && return 1; done
  return 0
}

# shellcheck source=node-env.sh
source scripts/node-env.sh
OUT=artifacts/pr-check
mkdir -p "$OUT"
start=$SECONDS
results=()
failed=0

step_typecheck() { npx tsc --noEmit; }
step_lint() { npm run --silent lint; }
step_workflows() { bash scripts/lint-workflows.sh; }
step_test() { npm test --silent; }
step_preview() {
  bash scripts/tools.sh pulumi kubernetes-provider etcd kwok kubernetes >/dev/null || return 1
  bash scripts/cluster.sh up || return 1
  # shellcheck source=env.sh
  source scripts/env.sh
  local config_file
  config_file=$(bash scripts/local-stack.sh "$stack") || return 1
  local target=()
  [ "$stack" = dev ] || target=(env KGENTS_KUBECONFIG="$KUBECONFIG" KGENTS_KUBE_CONTEXT=)
  "${target[@]}" pulumi preview --stack "$stack" --config-file "$config_file" --non-interactive \
    --policy-pack "$POLICY_PACK" --policy-pack-config "$POLICY_PACK_CONFIG"
}

run_step() {
  local s="$1" t0=$SECONDS rc log="$OUT/$1.txt"
  printf '\n==> pr-check: %s\n' "$s"
  ("step_$s") 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  local took=$((SECONDS - t0)) note=""
  if [ "$rc" -ne 0 ]; then
    failed=1
    if [ "$s" = preview ]; then
      # The engine prints each violation as `[mandatory] [severity: high]  <policy>  (<resource>)`
      # (the severity only when the policy declares one), colours stripped.
      local names
      names=$(sed 's/\x1b\[[0-9;]*m//g' "$log" \
        | grep -oE '\[mandatory\]( \[severity: [a-z]+\])? +[a-z0-9-]+' \
        | awk '{print $NF}' | sort -u | paste -sd, -)
      [ -n "$names" ] && note="policy violations: ${names//,/, }"
    fi
    results+=("FAIL  $s (${took}s)${note:+  $note}")
  else
    results+=("ok    $s (${took}s)")
  fi
}

for s in "${STEPS[@]}"; do
  wanted "$s" && run_step "$s"
done

printf '\n==> pr-check summary (stack %s, %ss; logs in %s/)\n' "$stack" "$((SECONDS - start))" "$OUT"
printf '  %s\n' "${results[@]}"
exit "$failed"
