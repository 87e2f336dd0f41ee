#!/usr/bin/env bash
# Installs the isolation-guard CLI with only what it needs at run time (npm install --omit=dev of
# the package: the bundle and the HCL parser, about 8 MB), for the pre-commit hook and the GitHub
# Action, and prints the path of its executable. Never the development tree (serverless, vitest,
# playwright: 345 MB) in the place the CLI runs from.
#   ISOLATION_GUARD_CLI_DIR   where to install (default: .isolation-guard-cli in this repository's clone)
#   ISOLATION_GUARD_PACKAGE   what to install: a tarball made by `npm pack`, or a registry spec you
#                             trust (your mirror's copy of a release)
# Without ISOLATION_GUARD_PACKAGE: a checkout with its bundle built (dist/) is packed as it is; else
# the package is built and packed from this clone in a temporary folder (which needs the development
# tree once, there, removed afterwards). A registry is never asked by name on its own: the name is
# not ours until a release publishes it, and a gate must not install whoever took it first.
# An installed copy is reused while its source is unchanged.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${ISOLATION_GUARD_CLI_DIR:-$here/.isolation-guard-cli}"
bin="$dir/node_modules/.bin/isolation-guard"
version="$(node -p "require('$here/package.json').version")"
if [ -n "${ISOLATION_GUARD_PACKAGE:-}" ]; then
  source="package:$ISOLATION_GUARD_PACKAGE"
elif [ -f "$here/dist/cli.mjs" ]; then
  source="checkout:$(node -p "require('fs').statSync('$here/dist/cli.mjs').mtimeMs")"
else
  source="clone:$version:$(git -C "$here" rev-parse HEAD 2>/dev/null || echo unknown)"
fi
if [ -x "$bin" ] && [ "$(cat "$dir/.source" 2>/dev/null)" = "$source" ]; then echo "$bin"; exit 0; fi
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{ "name": "isolation-guard-cli", "private": true }' > "$dir/package.json"
install() { npm install --prefix "$dir" --omit=dev --no-audit --no-fund --no-save --loglevel=error "$1" >&2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
case "$source" in
  package:*) install "$ISOLATION_GUARD_PACKAGE" ;;
  checkout:*)
    (cd "$here" && npm pack --ignore-scripts --silent --pack-destination "$work") >/dev/null
    install "$(ls "$work"/sagemaker-isolation-guard-*.tgz)" ;;
  clone:*)
    echo "isolation-guard: building the CLI from $here (once; the development tree only in a temporary folder)" >&2
    tar -C "$here" --exclude=./node_modules --exclude=./.isolation-guard-cli --exclude=./.git -cf - . | tar -x -C "$work"
    (cd "$work" && npm ci --no-audit --no-fund --loglevel=error && npm pack --silent --pack-destination "$work") >&2
    install "$(ls "$work"/sagemaker-isolation-guard-*.tgz)" ;;
esac
echo "$source" > "$dir/.source"
echo "$bin"
