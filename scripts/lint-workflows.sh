#!/usr/bin/env bash
# `npm run lint:workflows`: actionlint (built from its Go module by scripts/tools.sh) on every
# workflow in .github/workflows: syntax, expressions, job and step contexts, action inputs of the
# actions it knows, and shell quoting when shellcheck is on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/tools.sh actionlint >/dev/null 2>&1 || bash scripts/tools.sh actionlint
files=(.github/workflows/*.yml)
bin/actionlint -color=false "${files[@]}"
echo "actionlint $(bin/actionlint --version | head -n1): ${#files[@]} workflows clean (${files[*]##*/})"
