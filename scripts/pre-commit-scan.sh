#!/usr/bin/env bash
# The pre-commit hook's entry (.pre-commit-hooks.yaml, language: script): runs from pre-commit's
# clone of this repository, with the user's repository as the working directory. Installs the CLI
# once with only its run-time dependencies (scripts/install-cli.sh; Node 20+ and npm needed), then
# scans; the exit code is the scan's.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
guard="$("$here/scripts/install-cli.sh")"
exec "$guard" scan "$@"
