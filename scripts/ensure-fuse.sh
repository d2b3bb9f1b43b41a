#!/usr/bin/env bash
# Makes sure FUSE mounts work for the fault-injection suite (tests/faults): /dev/fuse present,
# running as root (faultfs mounts with mount(2) itself), and Debian's fuse3 installed
# (fusermount3, used to unmount). Idempotent; a warm run only checks.
set -euo pipefail

if [[ "$(id -u)" != 0 ]]; then
  echo "ensure-fuse: the fault-injection suite needs root (FUSE mounts, network namespaces)" >&2
  exit 1
fi
if [[ ! -c /dev/fuse ]]; then
  echo "ensure-fuse: /dev/fuse is missing: this machine cannot run FUSE filesystems" >&2
  exit 1
fi
if ! command -v fusermount3 >/dev/null 2>&1; then
  echo "ensure-fuse: installing Debian fuse3" >&2
  export DEBIAN_FRONTEND=noninteractive
  timeout 300 apt-get update -qq
  timeout 600 apt-get install -y -qq --no-install-recommends fuse3 >&2
fi
command -v ip >/dev/null 2>&1 || { echo "ensure-fuse: iproute2 (ip) is missing" >&2; exit 1; }
command -v fusermount3
