#!/usr/bin/env bash
# The demo: offboards five demo tenants against a local Qlik Cloud simulator, one per path the workflow can take
# (purged after its grace period; reactivated during it; its grace period extended, then purged at the new date;
# cancelled before any call; refused for a wrong hostname),
# prints progress and a table of outcomes, and leaves the Temporal dev server running for a look in the Web UI.
#
#   npm run demo                  (or: bash scripts/demo.sh) runs it; about a minute; exit 0 when every path ended as it must
#   bash scripts/demo.sh stop     stops a demo simulator and worker kept with DEMO_KEEP_RUNNING=1
#   ./temporal-dev.sh stop        stops the Temporal dev server afterwards
#
# Installs what is missing first (npm ci, the build, the pinned Temporal CLI). Environment:
#   DEMO_SIM_PORT       the simulator's port (8090; when unset and 8090 is taken, any free port)
#   DEMO_TASK_QUEUE     the demo worker's task queue (offboarding-demo), apart from the contract's default queue so
#                       that no other worker picks up the demo's workflows
#   DEMO_KEEP_RUNNING   1: leave the simulator and worker running too (the Web UI's status query needs a worker)
#   TEMPORAL_DEV_PORT, TEMPORAL_DEV_UI_PORT   as for temporal-dev.sh (7233, 8233)
set -euo pipefail

# The physical path: the worker launcher resolves symlinks, and stopping the worker matches its command line.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)"
cd "$ROOT"

STATE_DIR="$ROOT/.temporal"
SIM_JS="$ROOT/dist/src/simulator/main.js"
WORKER_JS="$ROOT/dist/src/worker.js"
DRIVER_JS="$ROOT/dist/src/demo/main.js"
SIM_PID="$STATE_DIR/demo-sim.pid"
WORKER_PID="$STATE_DIR/demo-worker.pid"
SIM_LOG="$STATE_DIR/demo-sim.log"
WORKER_LOG="$STATE_DIR/demo-worker.log"
SEED_FILE="$STATE_DIR/demo-seed.json"

DAY_MS=1000 # one simulated day per second: the 10-day grace period lasts 10 s
TASK_QUEUE="${DEMO_TASK_QUEUE:-offboarding-demo}"
TEMPORAL_PORT="${TEMPORAL_DEV_PORT:-7233}"
UI_URL="http://localhost:${TEMPORAL_DEV_UI_PORT:-8233}"
# Demo credentials, known only to the simulator.
CLIENT_ID="demo-eu-client"
CLIENT_SECRET="demo-eu-secret-not-a-real-one"

say() { printf '[demo] %s\n' "$*" >&2; }
die() {
  say "error: $*"
  exit 1
}

# Stops the process in a PID file if it is still the one the demo started (the PID may have been reused since).
stop_pidfile() {
  local file="$1" program="$2" name="$3" pid
  [ -f "$file" ] || return 0
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null && ps -o args= -p "$pid" | grep -qF -- "$program"; then
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.1
    done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null
    say "stopped the demo $name (pid $pid)"
  fi
  rm -f "$file"
}

stop_demo_processes() {
  stop_pidfile "$WORKER_PID" "$WORKER_JS" worker
  stop_pidfile "$SIM_PID" "$SIM_JS" simulator
}

if [ "${1:-}" = "stop" ]; then
  stop_demo_processes
  exit 0
elif [ -n "${1:-}" ]; then
  sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'
  [ "$1" = "--help" ] || [ "$1" = "-h" ] || exit 2
  exit 0
fi

# --- what must be installed --------------------------------------------------------------------------------------
command -v node >/dev/null || die "Node.js is not installed (package.json asks for >= 20.18.1)"
command -v npm >/dev/null || die "npm is not installed"

needs_build() {
  local out
  for out in "$SIM_JS" "$WORKER_JS" "$DRIVER_JS" "$ROOT/dist/workflow-bundle.js"; do
    [ -f "$out" ] || return 0
  done
  # The bundle is written last by the build: any source newer than it means the build is stale.
  [ -n "$(find src scripts -name '*.ts' -newer "$ROOT/dist/workflow-bundle.js" -print -quit)" ]
}

if [ ! -d node_modules ]; then
  say "installing dependencies (npm ci)"
  npm ci >&2 || die "npm ci failed (output above)"
fi
if needs_build; then
  say "building (npm run build)"
  npm run --silent build >&2 || die "the build failed (output above)"
fi

# --- the Temporal dev server: left running at the end ------------------------------------------------------------
./temporal-dev.sh start

# --- a previous demo's simulator and worker ----------------------------------------------------------------------
mkdir -p "$STATE_DIR"
stop_demo_processes

cleanup() {
  local code=$?
  if [ -n "${DRIVER_PID:-}" ] && kill -0 "$DRIVER_PID" 2>/dev/null; then
    # The driver terminates this run's open workflows before it exits (they only ever touched the simulator).
    kill "$DRIVER_PID" 2>/dev/null || true
    wait "$DRIVER_PID" 2>/dev/null || true
  fi
  if [ "${DEMO_KEEP_RUNNING:-0}" = "1" ]; then
    say "simulator (${SIM_URL:-?}) and worker left running; stop them with: bash scripts/demo.sh stop"
  else
    stop_demo_processes
  fi
  say "logs: $SIM_LOG, $WORKER_LOG"
  say "the Temporal dev server keeps running: Web UI $UI_URL — stop it with:" \
    "${TEMPORAL_DEV_PORT:+TEMPORAL_DEV_PORT=$TEMPORAL_DEV_PORT }./temporal-dev.sh stop"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- the simulator -----------------------------------------------------------------------------------------------
cat >"$SEED_FILE" <<JSON
{ "clients": [ { "region": "eu", "clientId": "$CLIENT_ID", "clientSecret": "$CLIENT_SECRET" } ] }
JSON

# Starts the simulator on port $1; prints its URL, or returns 1 when it could not start.
start_simulator() {
  local port="$1" url=""
  nohup node "$SIM_JS" --port "$port" --day-ms "$DAY_MS" --seed-file "$SEED_FILE" >"$SIM_LOG" 2>&1 </dev/null &
  echo $! >"$SIM_PID"
  for _ in $(seq 1 150); do
    url="$(sed -n 's/^Qlik Cloud simulator listening on //p' "$SIM_LOG")"
    [ -n "$url" ] && break
    kill -0 "$(cat "$SIM_PID")" 2>/dev/null || break
    sleep 0.1
  done
  if [ -z "$url" ]; then
    kill "$(cat "$SIM_PID")" 2>/dev/null || true
    rm -f "$SIM_PID"
    return 1
  fi
  echo "$url"
}

if [ -n "${DEMO_SIM_PORT:-}" ]; then
  SIM_URL="$(start_simulator "$DEMO_SIM_PORT")" ||
    die "the simulator could not start on port $DEMO_SIM_PORT: $(tail -n 3 "$SIM_LOG") — choose another DEMO_SIM_PORT"
elif ! SIM_URL="$(start_simulator 8090)"; then
  grep -q EADDRINUSE "$SIM_LOG" || die "the simulator could not start: $(tail -n 5 "$SIM_LOG")"
  say "port 8090 is taken; using a free port (set DEMO_SIM_PORT to choose one)"
  SIM_URL="$(start_simulator 0)" || die "the simulator could not start: $(tail -n 5 "$SIM_LOG")"
fi
say "Qlik Cloud simulator on $SIM_URL (1 day = $DAY_MS ms; log $SIM_LOG)"

# --- the worker: the product's own, configured like production, pointed at the simulator ------------------------
# Only the demo's settings: none of a real worker's configuration in this shell may leak in.
WORKER_ENV=(
  env -u QLIK_CLIENT_ID -u QLIK_CLIENT_SECRET -u QLIK_CLIENT_ID_FILE -u QLIK_CLIENT_SECRET_FILE
  -u QLIK_EU_CLIENT_ID_FILE -u QLIK_EU_CLIENT_SECRET_FILE -u REPORT_WEBHOOK_URL -u REPORT_WEBHOOK_SECRET
  -u OFFBOARD_METRICS_ADDRESS -u OFFBOARD_PROTECTED_TENANTS -u OFFBOARD_ALLOWED_HOSTNAME_SUFFIXES
  -u OFFBOARD_VERIFY_TIMEOUT -u QLIK_REGISTER_CALLS_PER_MINUTE -u TEMPORAL_API_KEY -u TEMPORAL_PROFILE
  -u OFFBOARD_APPROVAL -u OFFBOARD_APPROVAL_TIMEOUT -u OFFBOARD_GRACE_PROBE_INTERVAL
  TEMPORAL_ADDRESS="127.0.0.1:$TEMPORAL_PORT"
  TEMPORAL_NAMESPACE=default
  TEMPORAL_TASK_QUEUE="$TASK_QUEUE"
  TEMPORAL_UI_URL="$UI_URL"
  QLIK_REGIONS=eu
  QLIK_EU_CLIENT_ID="$CLIENT_ID"
  QLIK_EU_CLIENT_SECRET="$CLIENT_SECRET"
  QLIK_REGISTER_URL_TEMPLATE="$SIM_URL/register/{region}"
  QLIK_TENANT_URL_TEMPLATE="$SIM_URL/tenant/{hostname}"
  OFFBOARD_DAY_LENGTH="${DAY_MS}ms"
  OFFBOARD_PROBE_INITIAL_INTERVAL=500ms
  OFFBOARD_PROBE_MAX_INTERVAL=2s
  OFFBOARD_PURGE_OVERDUE_AFTER=20s
  # Grace probes every two simulated days (the default is a real day): the Web UI shows them on the sleeping runs.
  OFFBOARD_GRACE_PROBE_INTERVAL=2s
  LOG_FORMAT=text
)

nohup "${WORKER_ENV[@]}" "$ROOT/bin/qlik-offboard-worker" >"$WORKER_LOG" 2>&1 </dev/null &
echo $! >"$WORKER_PID"
for i in $(seq 1 600); do
  grep -q 'worker polling' "$WORKER_LOG" && break
  if ! kill -0 "$(cat "$WORKER_PID")" 2>/dev/null; then
    tail -n 20 "$WORKER_LOG" >&2
    rm -f "$WORKER_PID"
    die "the worker exited during start-up (log above, in $WORKER_LOG)"
  fi
  [ "$i" -lt 600 ] || die "the worker did not start polling within 60 s; see $WORKER_LOG"
  sleep 0.1
done
say "worker polling task queue $TASK_QUEUE (log $WORKER_LOG)"
echo >&2

# --- the driver: starts, steers and follows the five offboardings, then prints the table -------------------------
# In the background, so that Ctrl-C or a TERM reaches the trap at once instead of after the driver ends.
"${WORKER_ENV[@]}" DEMO_SIM_URL="$SIM_URL" DEMO_DAY_MS="$DAY_MS" node "$DRIVER_JS" &
DRIVER_PID=$!
wait "$DRIVER_PID"
