#!/usr/bin/env bash
# Runs the whole system on embedded defaults: Temporal dev server (SQLite file under .data/,
# Web UI on), PostgreSQL for the read model (.data/pg), and the worker and the API under a supervisor
# that restarts either when it exits (scripts/supervise.ts).
# Ctrl-C stops all of them. DATABASE_URL / TEMPORAL_ADDRESS + EXTERNAL_TEMPORAL=1 use your own.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
data="$root/.data"
mkdir -p "$data"

bash scripts/provision.sh
[ -d node_modules ] || bash scripts/install.sh
npm run --silent build
npm run --silent build:web

export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
export API_TOKENS_FILE="${API_TOKENS_FILE:-$data/principals.json}"
export PORT="${PORT:-3000}"
# The embedded run only: the sign-in page lists the demo principals to pick from.
export DEMO_SIGN_IN="${DEMO_SIGN_IN:-1}"
# Prometheus metrics on loopback (docs/operations.md): the API's, the worker's, and the Temporal SDK's on 9466.
export METRICS_PORT="${METRICS_PORT:-9464}"
export WORKER_METRICS_PORT="${WORKER_METRICS_PORT:-9465}"
temporal_port="${TEMPORAL_ADDRESS##*:}"
ui_port=$((temporal_port + 1000))

temporal_pid=""
supervisor_pid=""
# Temporal and the supervisor run in process groups of their own (setsid), so Ctrl-C reaches
# this script only and it stops them in order: the worker drains while Temporal is still up.
stop_group() {
  local pid=$1
  [ -n "$pid" ] || return 0
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  # Whatever outlived its leader (a supervisor killed outright leaves its children behind).
  kill -TERM -- "-$pid" 2>/dev/null || true
  for _ in $(seq 1 250); do kill -0 -- "-$pid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pid" 2>/dev/null || true
}
stop() {
  # Ctrl-C reaches this script twice (the terminal, and npm forwarding it): the stop, bounded, goes on.
  trap '' INT TERM
  trap - EXIT
  echo; echo "stopping..."
  stop_group "$supervisor_pid"
  stop_group "$temporal_pid"
  if [ -n "${stop_pg:-}" ]; then bash scripts/postgres.sh stop "$data/pg" 2>/dev/null || true; fi
  echo "stopped"
}
trap stop INT TERM EXIT

if [ -z "${EXTERNAL_TEMPORAL:-}" ]; then
  setsid .tools/bin/temporal server start-dev --ip 127.0.0.1 --port "$temporal_port" --ui-port "$ui_port" \
    --db-filename "$data/temporal.db" --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=NORMAL \
    --log-level warn > "$data/temporal.log" 2>&1 &
  temporal_pid=$!
  for _ in $(seq 1 60); do
    .tools/bin/temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 && break
    sleep 1
  done
fi

if [ -z "${DATABASE_URL:-}" ]; then
  DATABASE_URL=$(bash scripts/postgres.sh "$data/pg")
  export DATABASE_URL
  stop_pg=1
fi

node dist/scripts/dev-principals.js "$API_TOKENS_FILE"
# The worker and the API are restarted whenever they exit (backoff 1 s doubling to 30 s).
setsid node dist/scripts/supervise.js "worker=node dist/worker/main.js" "api=node dist/api/main.js" &
supervisor_pid=$!

for _ in $(seq 1 60); do
  curl -fsS "http://127.0.0.1:$PORT/ready" >/dev/null 2>&1 && break
  sleep 1
done
cat <<MSG

  Web pages    http://127.0.0.1:$PORT/ui/   (sign in as a demo principal)
  API          http://127.0.0.1:$PORT   (docs: /docs, OpenAPI: /openapi.json, readiness: /ready)
  Metrics      http://127.0.0.1:$METRICS_PORT/metrics (API), :$WORKER_METRICS_PORT/metrics (worker), :$((WORKER_METRICS_PORT + 1))/metrics (Temporal SDK)
  Temporal UI  http://127.0.0.1:$ui_port
  Temporal     $TEMPORAL_ADDRESS (data: $data/temporal.db)
  PostgreSQL   $DATABASE_URL

  Ctrl-C stops everything.
MSG
# Returns when Temporal or the supervisor ends (neither should); the EXIT trap stops the rest.
wait -n $temporal_pid $supervisor_pid
