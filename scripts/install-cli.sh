#!/usr/bin/env bash
# Installs the isolation-guard CLI with only what it needs at run time (npm install --omit=dev of
# the package: the bundle and the HCL parser, a few MB), for the pre-commit hook and the GitHub
# Action, and prints the path of its executable. Never the development tree (serverless, vitest,
# playwright: 345 MB).
#   ISOLATION_GUARD_CLI_DIR   where to install (default: .isolation-guard-cli in this repository's clone)
#   ISOLATION_GUARD_PACKAGE   what to install (default: sagemaker-isolation-guard@<this clone's version>
#                             from the npm registry; a tarball made by `npm pack` also works)
# An installed copy is reused. When the version is not on the registry (a commit between
# releases), the package is packed from this clone (building needs the development tree once, in
# a temporary folder) and installed the same way.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="${ISOLATION_GUARD_CLI_DIR:-$here/.isolation-guard-cli}"
bin="$dir/node_modules/.bin/isolation-guard"
if [ -x "$bin" ]; then echo "$bin"; exit 0; fi
mkdir -p "$dir"
[ -f "$dir/package.json" ] || echo '{ "name": "isolation-guard-cli", "private": true }' > "$dir/package.json"
install() { npm install --prefix "$dir" --omit=dev --no-audit --no-fund --loglevel=error "$1" >&2; }
version="$(node -p "require('$here/package.json').version")"
spec="${ISOLATION_GUARD_PACKAGE:-sagemaker-isolation-guard@$version}"
if ! install "$spec"; then
  [ -z "${ISOLATION_GUARD_PACKAGE:-}" ] || exit 2
  echo "isolation-guard: $spec is not on the registry; packing it from $here (once)" >&2
  build="$(mktemp -d)"
  trap 'rm -rf "$build"' EXIT
  tar -C "$here" --exclude=./node_modules --exclude=./.isolation-guard-cli --exclude=./.git -cf - . | tar -x -C "$build"
  (cd "$build" && npm ci --no-audit --no-fund --loglevel=error && npm pack --silent --pack-destination "$build") >&2
  install "$(ls "$build"/sagemaker-isolation-guard-*.tgz)"
fi
echo "$bin"
