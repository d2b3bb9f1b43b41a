#!/usr/bin/env bash
# Prepares a stack for a local run and prints the config file to pass with --config-file.
#   dev:    selected/created as is; its file (with the dev passphrase salt) is committed.
#   other:  (e.g. prod, proven on the local cluster) runs from a git-ignored copy of
#           Pulumi.<stack>.yaml under .local/stacks/, so the local passphrase salt and the CLI's
#           rewrite of the file never touch the committed stack file. The copy is refreshed
#           from the committed file on every call; only its salt is kept.
# Needs scripts/env.sh sourced (pulumi on PATH, local backend).
set -euo pipefail
cd "$(dirname "$0")/.."
stack="${1:?usage: scripts/local-stack.sh STACK}"
if [ "$stack" = dev ]; then
  pulumi stack select dev >/dev/null 2>&1 || pulumi stack init dev >/dev/null
  echo "Pulumi.dev.yaml"
  exit 0
fi
committed="Pulumi.$stack.yaml"
[ -f "$committed" ] || { echo "no $committed" >&2; exit 1; }
copy=".local/stacks/Pulumi.$stack.yaml"
mkdir -p .local/stacks
salt=""
[ -f "$copy" ] && salt=$(grep '^encryptionsalt:' "$copy" || true)
if ! pulumi stack select "$stack" >/dev/null 2>&1; then
  backup=$(mktemp)
  cp "$committed" "$backup"
  pulumi stack init "$stack" >/dev/null
  salt=$(grep '^encryptionsalt:' "$committed" || true)
  cp "$backup" "$committed"
  rm -f "$backup"
fi
{
  grep -v '^encryptionsalt:' "$committed"
  if [ -n "$salt" ]; then echo "$salt"; fi
} >"$copy"
echo "$copy"
