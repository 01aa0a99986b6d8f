#!/usr/bin/env bash
# The README's test command: installs what is missing, then type-checks, lints and runs the test suite against
# real servers (the Temporal dev server and time-skipping server from .temporal/, the Qlik simulator on loopback).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] || [ "${CI:-}" = "true" ]; then
  npm ci --no-audit --no-fund
fi
[ -f dist/workflow-bundle.js ] || npm run build
./temporal-dev.sh install

npm run typecheck
npm run lint
npm run format:check

results="$(mktemp)"
status=0
npx jest --json --outputFile="$results" "$@" || status=$?
node -e '
  const r = JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"));
  console.log(`jest: ${r.numPassedTests} passed, ${r.numFailedTests} failed, ${r.numPendingTests} skipped`);
' "$results" || true
rm -f "$results"
exit "$status"
