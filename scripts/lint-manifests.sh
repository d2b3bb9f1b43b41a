#!/usr/bin/env bash
# `npm run lint:manifests`: renders every stack (no cluster) and checks the manifests with two
# established tools:
#   - kubeconform v0.8.0, strict (unknown fields are errors), against JSON schemas generated here,
#     offline, from api/openapi-spec/swagger.json of the pinned k8s.io/kubernetes module
#     (scripts/lint-manifests/k8s-json-schema.ts): the API the local cluster runs.
#   - kube-score v1.20.0, every check except the ignored ones below (each with its reason).
# Exit non-zero on any finding. Rendered manifests and schemas stay in a temp folder.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=node-env.sh
source scripts/node-env.sh
# shellcheck source=../tools/versions.env
source tools/versions.env
bash scripts/ensure-deps.sh >&2
bash scripts/tools.sh kubeconform kube-score

STACKS=(dev prod)
# kube-score checks we do not apply, and why:
IGNORED=(
  # Pods run under restricted Pod Security (non-root, read-only root FS, drop ALL, seccomp
  # RuntimeDefault) as the upstream images' own users (NATS 1000, Redis 999); this check wants
  # UID/GID >= 10000 to stay clear of host users, which restricted PSS plus no host namespaces
  # already gives, and changing the UID would break the images' file ownership.
  container-security-context-user-group-id
  # Images are pinned by version tag in one place (lib/versions.ts): the version tested locally is
  # the version deployed. `imagePullPolicy: Always` would make every restart depend on the registry.
  container-image-pull-policy
  # NATS and Redis write to their PVCs and the root filesystem is read-only: no ephemeral storage
  # worth a request and a limit.
  container-ephemeral-storage-request-and-limit
  # NATS and the gateway spread across nodes with topologySpreadConstraints (hard in prod), which
  # replaces the host podAntiAffinity these checks look for.
  statefulset-has-host-podantiaffinity
  deployment-has-host-podantiaffinity
  # The observability namespace carries default-deny and per-flow policies before any workload of
  # its own exists (the program deploys no scrapers yet), so those policies select no pod today;
  # `npm run connectivity` models those workloads and proves them.
  networkpolicy-targets-pod
)

work="$(mktemp -d "${TMPDIR:-/tmp}/kgents-lint-manifests-XXXXXX")"
trap 'rm -rf "$work"' EXIT

kdir="$(GOFLAGS=-mod=mod GOTOOLCHAIN=local go mod download -json "k8s.io/kubernetes@$KUBERNETES_VERSION" \
  | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
swagger="$kdir/api/openapi-spec/swagger.json"
[[ -f "$swagger" ]] || { echo "lint:manifests: $swagger not found (k8s.io/kubernetes@$KUBERNETES_VERSION)" >&2; exit 2; }

for s in "${STACKS[@]}"; do
  npm run --silent render -- "$s" "$work/$s" >&2
done
npx tsx scripts/lint-manifests/k8s-json-schema.ts "$swagger" "$work/schemas" "$KUBERNETES_VERSION" \
  "${STACKS[@]/#/$work/}"

source scripts/env.sh
status=0
for s in "${STACKS[@]}"; do
  echo "==> kubeconform $KUBECONFORM_VERSION -strict ($s, Kubernetes $KUBERNETES_VERSION schemas)"
  kubeconform -strict -summary -kubernetes-version "${KUBERNETES_VERSION#v}" \
    -schema-location "$work/schemas/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json" \
    "$work/$s" || status=1
  echo # kubeconform's summary has no trailing newline
  echo "==> kube-score $KUBE_SCORE_VERSION ($s; ignored: ${IGNORED[*]})"
  mapfile -t files < <(find "$work/$s" -name '*.yaml' | LC_ALL=C sort)
  args=()
  for t in "${IGNORED[@]}"; do args+=(--ignore-test "$t"); done
  kube-score score --output-format ci --exit-one-on-warning "${args[@]}" "${files[@]}" \
    | grep -v '^\[OK\]' || true
  kube-score score --exit-one-on-warning "${args[@]}" "${files[@]}" >/dev/null || status=1
done
exit "$status"
