#!/usr/bin/env bash
# Builds the pinned local toolchain from Go modules (see tools/versions.env and docs/toolchain.md)
# into a per-user cache keyed by the pinned versions and the build recipe, and links the binaries
# into the repo's git-ignored bin/ folder. A warm run only hashes a few files and relinks.
#
#   scripts/tools.sh                      # every family
#   scripts/tools.sh nats vegeta          # only these families
#   scripts/tools.sh --force pulumi       # rebuild even if the cache is warm
#   scripts/tools.sh --list               # families, cache state and binaries
#
# Families: nats vegeta pulumi kubernetes-provider etcd kwok kubernetes faultfs cyclonus kubeconform kube-score
#           actionlint
# Cache: ${KGENTS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kgents-tools}/<family>-<version>-<key>/
#
# Layout: tools/<family>/ holds a pin-only wrapper module (go.mod + go.sum: the upstream module at
# the pinned version); tools/src/<name>/ holds Go code we wrote, each with its own go.mod. A
# family's recipe runs in its home folder (tools/<family>, else tools/src/<family>); every folder
# it reads (family_dirs) is part of its cache key.
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$REPO/tools"
BIN="$REPO/bin"
CACHE_ROOT="${KGENTS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kgents-tools}"
# shellcheck source=../tools/versions.env
source "$TOOLS/versions.env"

ALL_FAMILIES=(nats vegeta pulumi kubernetes-provider etcd kwok kubernetes faultfs cyclonus kubeconform kube-score actionlint)

log() { printf '[tools] %s\n' "$*" >&2; }
die() { printf '[tools] ERROR: %s\n' "$*" >&2; exit 1; }

command -v go >/dev/null 2>&1 || die "go is not on PATH (Go 1.26 is needed to build the toolchain)"

# Environment of every build: static binaries, this machine's Go (never a downloaded toolchain),
# go.sum as committed.
export CGO_ENABLED=0 GOTOOLCHAIN=local GOFLAGS="-mod=readonly -trimpath"

gobuild() { go build -p 2 "$@"; }

# --- recipes: one function per family, run inside tools/<family>, writing into $OUT ----------------
# A recipe's text is part of its cache key: editing it rebuilds that family.

build_nats() {
  gobuild -ldflags "-s -w" -o "$OUT/nats-server" github.com/nats-io/nats-server/v2
}

build_vegeta() {
  gobuild -ldflags "-s -w -X main.Version=$VEGETA_VERSION" -o "$OUT/vegeta" github.com/tsenart/vegeta/v12
}

build_pulumi() {
  local ld="-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$PULUMI_VERSION"
  gobuild -tags osusergo,grpcnotrace -ldflags "$ld" -o "$OUT/" github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
  # Our language host (upstream's module is refused) and the dynamic-provider shim. The CLI looks
  # for its bundled plugins next to its own binary.
  (cd "$TOOLS/src/pulumi-language-nodejs" && gobuild -tags osusergo,grpcnotrace -ldflags "$ld" -o "$OUT/" .)
  install -m 0755 "$TOOLS/src/shims/pulumi-resource-pulumi-nodejs" "$OUT/"
}

build_kubernetes-provider() {
  # The module zip lacks the two files main.go embeds: build main.go in a scratch copy of this
  # wrapper module, next to the files upstream's own generate.go derives from schema.json (version
  # set) and terraform-mapping.json — the same step as upstream's `go generate`.
  local mod src version="${PULUMI_KUBERNETES_VERSION#v}" scratch
  mod="$(go mod download -json github.com/pulumi/pulumi-kubernetes/provider/v4 | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p')"
  src="$mod/cmd/pulumi-resource-kubernetes"
  scratch="$(mktemp -d)"
  trap 'rm -rf "$scratch"' RETURN
  cp go.mod go.sum "$src/main.go" "$src/schema.json" "$src/terraform-mapping.json" "$scratch/"
  cp "$src/generate.go" "$scratch/generate.go.txt"
  chmod u+w "$scratch"/*
  (cd "$scratch" && mv generate.go.txt generate.go && VERSION="$version" go run generate.go && rm generate.go)
  (cd "$scratch" && gobuild -ldflags "-s -w -X github.com/pulumi/pulumi-kubernetes/provider/v4/pkg/version.Version=$version" \
    -o "$OUT/pulumi-resource-kubernetes" .)
}

build_actionlint() {
  # actionlint's version string is set by its release build; stamp the pinned one.
  gobuild -ldflags "-s -w -X github.com/rhysd/actionlint.version=$ACTIONLINT_VERSION" -o "$OUT/actionlint" \
    github.com/rhysd/actionlint/cmd/actionlint
}

build_etcd() {
  gobuild -ldflags "-s -w" -o "$OUT/etcd" go.etcd.io/etcd/server/v3
}

build_kwok() {
  # kwok's consts carry versions without the leading v
  local ld="-s -w -X sigs.k8s.io/kwok/pkg/consts.Version=${KWOK_VERSION#v}"
  ld+=" -X sigs.k8s.io/kwok/pkg/consts.KubeVersion=${KUBERNETES_VERSION#v}"
  gobuild -ldflags "$ld" -o "$OUT/" sigs.k8s.io/kwok/cmd/kwok sigs.k8s.io/kwok/cmd/kwokctl
}

build_kubernetes() {
  local minor="${KUBERNETES_VERSION#v1.}"; minor="${minor%%.*}"
  local ld="-s -w" p
  for p in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ld+=" -X $p.gitVersion=$KUBERNETES_VERSION -X $p.gitMajor=1 -X $p.gitMinor=$minor"
    ld+=" -X $p.gitTreeState=clean -X $p.buildDate=1970-01-01T00:00:00Z"
  done
  gobuild -ldflags "$ld" -o "$OUT/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kube-scheduler \
    k8s.io/kubernetes/cmd/kubectl
}

# faultfs: our fault-injecting FUSE filesystem (tools/src/faultfs), for the durability tests.
build_faultfs() {
  gobuild -ldflags "-s -w" -o "$OUT/faultfs" .
}

build_cyclonus() {
  # our driver (tools/src/cyclonus) around Cyclonus' policy matcher: the connectivity report's
  # second opinion
  gobuild -ldflags "-s -w" -o "$OUT/cyclonus-check" kgents.local/tools/src/cyclonus
}

build_kubeconform() {
  gobuild -ldflags "-s -w -X main.version=$KUBECONFORM_VERSION" -o "$OUT/kubeconform" \
    github.com/yannh/kubeconform/cmd/kubeconform
}

build_kube-score() {
  gobuild -ldflags "-s -w -X main.version=${KUBE_SCORE_VERSION#v}" -o "$OUT/kube-score" \
    github.com/zegl/kube-score/cmd/kube-score
}

# Pinned module@version each family's go.mod must require (keeps go.mod and versions.env in step).
pins() {
  case "$1" in
    nats) echo "github.com/nats-io/nats-server/v2 $NATS_SERVER_VERSION" ;;
    vegeta) echo "github.com/tsenart/vegeta/v12 $VEGETA_VERSION" ;;
    pulumi) echo "github.com/pulumi/pulumi/pkg/v3 $PULUMI_VERSION"
            echo "github.com/pulumi/pulumi/sdk/v3 $PULUMI_VERSION" ;;
    kubernetes-provider) echo "github.com/pulumi/pulumi-kubernetes/provider/v4 $PULUMI_KUBERNETES_PROVIDER_MODULE_VERSION"
                         echo "github.com/pulumi/pulumi-kubernetes/sdk/v4 $PULUMI_KUBERNETES_VERSION" ;;
    etcd) echo "go.etcd.io/etcd/server/v3 $ETCD_VERSION" ;;
    actionlint) echo "github.com/rhysd/actionlint $ACTIONLINT_VERSION" ;;
    kwok) echo "sigs.k8s.io/kwok $KWOK_VERSION" ;;
    kubernetes) echo "k8s.io/kubernetes $KUBERNETES_VERSION"
                echo "k8s.io/apiserver => k8s.io/apiserver $KUBERNETES_STAGING_VERSION" ;;
    faultfs) echo "github.com/hanwen/go-fuse/v2 $GO_FUSE_VERSION" ;;
    cyclonus) echo "github.com/mattfenwick/cyclonus $CYCLONUS_VERSION" ;;
    kubeconform) echo "github.com/yannh/kubeconform $KUBECONFORM_VERSION" ;;
    kube-score) echo "github.com/zegl/kube-score $KUBE_SCORE_VERSION" ;;
  esac
}

# Version shown in the cache folder name (the key decides; this is for people).
label() {
  case "$1" in
    nats) echo "$NATS_SERVER_VERSION" ;; vegeta) echo "$VEGETA_VERSION" ;;
    pulumi) echo "$PULUMI_VERSION" ;; kubernetes-provider) echo "$PULUMI_KUBERNETES_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;; kwok) echo "$KWOK_VERSION" ;; kubernetes) echo "$KUBERNETES_VERSION" ;;
    faultfs) echo "$GO_FUSE_VERSION" ;; actionlint) echo "$ACTIONLINT_VERSION" ;;
    cyclonus) echo "$CYCLONUS_VERSION" ;; kubeconform) echo "$KUBECONFORM_VERSION" ;;
    kube-score) echo "$KUBE_SCORE_VERSION" ;;
  esac
}


# Where a family's recipe runs: its pin-only wrapper, else our own module under tools/src.
family_home() {
  if [[ -d "$TOOLS/$1" ]]; then echo "$TOOLS/$1"; else echo "$TOOLS/src/$1"; fi
}

# Every folder a family's build reads (its cache key covers all their files).
family_dirs() {
  family_home "$1"
  case "$1" in
    pulumi) echo "$TOOLS/src/pulumi-language-nodejs"; echo "$TOOLS/src/shims" ;;
  esac
}

GO_VERSION_STRING=""
cache_key() {
  local fam="$1" d
  [[ -n "$GO_VERSION_STRING" ]] || GO_VERSION_STRING="$(go env GOVERSION GOOS GOARCH | tr '\n' ' ')"
  {
    echo "family $fam"
    echo "go $GO_VERSION_STRING"
    declare -f "build_$fam"
    pins "$fam"
    # every file the build reads (go.mod, go.sum, our own sources; not tests), stable order
    while IFS= read -r d; do
      (cd "$d" && find . -type f ! -name '*~' ! -name '*_test.go' -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
    done < <(family_dirs "$fam")
  } | sha256sum | cut -c1-16
}

check_pins() {
  local fam="$1" line home
  home="$(family_home "$fam")"
  while IFS= read -r line; do
    [[ -z "$line" ]] && continue
    grep -qF "$line" "$home/go.mod" \
      || die "${home#"$REPO"/}/go.mod does not pin '$line' (tools/versions.env): update the wrapper module"
  done < <(pins "$fam")
}

BUILT=""
link_family() {
  local fam="$1" dir="$2" f
  mkdir -p "$BIN"
  BUILT=""
  for f in "$dir"/bin/*; do
    ln -sfn "$f" "$BIN/${f##*/}"
    BUILT+="${f##*/} "
  done
}

ensure_family() {
  local fam="$1" force="$2"
  [[ " ${ALL_FAMILIES[*]} " == *" $fam "* ]] || die "unknown family '$fam' (known: ${ALL_FAMILIES[*]})"
  check_pins "$fam"
  local key dir
  key="$(cache_key "$fam")"
  dir="$CACHE_ROOT/$fam-$(label "$fam")-$key"
  if [[ "$force" == 0 && -f "$dir/stamp" ]]; then
    link_family "$fam" "$dir"
    log "$fam $(label "$fam"): cached ($BUILT)"
    return
  fi
  mkdir -p "$CACHE_ROOT"
  # One builder per family at a time (parallel test suites may ask for the same family).
  exec {lockfd}>"$CACHE_ROOT/.$fam.lock"
  flock "$lockfd"
  if [[ "$force" == 0 && -f "$dir/stamp" ]]; then
    exec {lockfd}>&-
    link_family "$fam" "$dir"
    log "$fam $(label "$fam"): cached (built by a concurrent run)"
    return
  fi
  local tmp="$dir.tmp.$$" logf="$CACHE_ROOT/$fam-$(label "$fam")-$key.log"
  rm -rf "$tmp"; mkdir -p "$tmp/bin"
  log "$fam $(label "$fam"): building (cold builds take minutes; log: $logf)"
  local start=$SECONDS
  if ! (cd "$(family_home "$fam")" && OUT="$tmp/bin" "build_$fam") >"$logf" 2>&1; then
    tail -n 30 "$logf" >&2
    rm -rf "$tmp"
    exec {lockfd}>&-
    die "$fam: build failed (full log: $logf)"
  fi
  local took=$((SECONDS - start))
  {
    echo "family=$fam"
    echo "label=$(label "$fam")"
    echo "key=$key"
    echo "go=$GO_VERSION_STRING"
    echo "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    echo "build_seconds=$took"
    pins "$fam" | sed 's/^/pin=/'
  } >"$tmp/stamp"
  rm -rf "$dir"
  mv "$tmp" "$dir"
  exec {lockfd}>&-
  # Older builds of this family are superseded; keep the cache small. (The version label starts
  # with "v": "kubernetes-v*" must not match "kubernetes-provider-v*".)
  local old
  for old in "$CACHE_ROOT/$fam"-v[0-9]*; do
    [[ "$old" == "$dir" || "$old" == "$logf" || "$old" == *.tmp.* ]] && continue
    rm -rf "$old"
  done
  link_family "$fam" "$dir"
  log "$fam $(label "$fam"): built in ${took}s ($BUILT)"
}

list_families() {
  local fam key dir
  for fam in "${ALL_FAMILIES[@]}"; do
    key="$(cache_key "$fam")"
    dir="$CACHE_ROOT/$fam-$(label "$fam")-$key"
    if [[ -f "$dir/stamp" ]]; then
      printf '%-20s %-10s warm  %s (built in %ss)\n' "$fam" "$(label "$fam")" "$dir" \
        "$(sed -n 's/^build_seconds=//p' "$dir/stamp")"
    else
      printf '%-20s %-10s cold  %s\n' "$fam" "$(label "$fam")" "$dir"
    fi
  done
}

main() {
  local force=0 fams=() a
  for a in "$@"; do
    case "$a" in
      --force) force=1 ;;
      --list) list_families; return ;;
      -h|--help) sed -n '2,13p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; return ;;
      all) fams+=("${ALL_FAMILIES[@]}") ;;
      *) fams+=("$a") ;;
    esac
  done
  [[ ${#fams[@]} -gt 0 ]] || fams=("${ALL_FAMILIES[@]}")
  local start=$SECONDS fam
  for fam in "${fams[@]}"; do
    ensure_family "$fam" "$force"
  done
  log "done in $((SECONDS - start))s; binaries in bin/ (source scripts/env.sh to put them on PATH)"
}

main "$@"
