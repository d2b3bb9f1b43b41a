# Source me (bash or zsh): puts the local toolchain on PATH and points Pulumi and kubectl at the
# repo-local state. Nothing here talks to the network.
#   source scripts/env.sh
if [ -n "${BASH_SOURCE:-}" ]; then _kgents_here="${BASH_SOURCE[0]}"; else _kgents_here="${(%):-%x}"; fi
KGENTS_REPO="$(cd "$(dirname "$_kgents_here")/.." && pwd)"
unset _kgents_here
export KGENTS_REPO
# A Node.js that satisfies package.json's engines goes first (installed into the tools cache when
# the machine's node is older); the language host and every test run on it.
# shellcheck source=node-env.sh
source "$KGENTS_REPO/scripts/node-env.sh"
case ":$PATH:" in
  *":$KGENTS_REPO/bin:"*) ;;
  *) export PATH="$KGENTS_REPO/bin:$PATH" ;;
esac
mkdir -p "$KGENTS_REPO/.local/pulumi-state"
export PULUMI_BACKEND_URL="file://$KGENTS_REPO/.local/pulumi-state"
export PULUMI_SKIP_UPDATE_CHECK=true
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
# A local file backend: keep the CLI's own home (plugins, credentials) inside the repo-local state
# unless the caller chose one.
export PULUMI_HOME="${PULUMI_HOME:-$KGENTS_REPO/.local/pulumi-home}"
export KUBECONFIG="$KGENTS_REPO/.local/kubeconfig"
# Dev-only passphrase for the local file-backend stacks; never used for a real environment.
if [ -z "${PULUMI_CONFIG_PASSPHRASE:-}" ] && [ -z "${PULUMI_CONFIG_PASSPHRASE_FILE:-}" ]; then
  export PULUMI_CONFIG_PASSPHRASE="kgents-local-dev-only"
fi
