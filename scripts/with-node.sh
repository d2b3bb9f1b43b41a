#!/usr/bin/env bash
# Runs a command with the project's Node.js first on PATH (scripts/node-env.sh): every npm script
# goes through here, so tests, tools and the Pulumi language host never run on an end-of-life node.
set -euo pipefail
# shellcheck source=node-env.sh
source "$(dirname "${BASH_SOURCE[0]}")/node-env.sh"
exec "$@"
