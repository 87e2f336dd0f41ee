#!/usr/bin/env bash
# The pre-commit hook's entry (.pre-commit-hooks.yaml, language: script): runs from pre-commit's
# clone of this repository, with the user's repository as the working directory. Builds the CLI
# once (needs Node 20+ and npm), then scans; the exit code is the scan's.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ ! -f "$here/dist/cli.mjs" ]; then
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error && npm run build --silent) >&2
fi
exec node "$here/bin/isolation-guard.mjs" scan "$@"
