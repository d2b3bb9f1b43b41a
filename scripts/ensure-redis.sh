#!/usr/bin/env bash
# Makes sure a redis-server of the deployed major.minor (REDIS_VERSION in tools/versions.env) is on
# PATH, installing Debian's package on a fresh machine. Idempotent: a warm run only checks the
# version. The Debian service is kept from starting (the tests run their own processes on their
# own ports and directories). Prints the redis-server path on success.
set -euo pipefail

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=../tools/versions.env
source "$repo/tools/versions.env"
want="${REDIS_VERSION%.*}" # major.minor: Debian ships the 7.0 line

have_version() {
  command -v redis-server >/dev/null 2>&1 || return 1
  # "Redis server v=7.0.15 sha=..." -> 7.0
  redis-server --version | sed -n 's/.* v=\([0-9]*\.[0-9]*\)\..*/\1/p'
}

stamp_dir="${XDG_CACHE_HOME:-$HOME/.cache}/kgents"
stamp="$stamp_dir/redis-server-$want.stamp"

if [[ "$(have_version || true)" == "$want" ]]; then
  mkdir -p "$stamp_dir" && touch "$stamp"
  command -v redis-server
  exit 0
fi

if [[ "$(id -u)" != 0 ]]; then
  echo "ensure-redis: redis-server $want.x missing and not root; install Debian's redis-server" >&2
  exit 1
fi

echo "ensure-redis: installing Debian redis-server (want $want.x)" >&2
# Keep maintainer scripts from starting the packaged service (policy-rc.d exit 101 = deny),
# but never clobber a policy the machine already has.
policy=/usr/sbin/policy-rc.d
own_policy=0
if [[ ! -e "$policy" ]]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  own_policy=1
fi
cleanup() { if [[ "$own_policy" == 1 ]]; then rm -f "$policy"; fi; }
trap cleanup EXIT

export DEBIAN_FRONTEND=noninteractive
timeout 300 apt-get update -qq
timeout 600 apt-get install -y -qq --no-install-recommends redis-server >&2

got="$(have_version || true)"
if [[ "$got" != "$want" ]]; then
  echo "ensure-redis: installed redis-server is ${got:-missing}, want $want.x (tools/versions.env)" >&2
  exit 1
fi
mkdir -p "$stamp_dir" && touch "$stamp"
command -v redis-server
