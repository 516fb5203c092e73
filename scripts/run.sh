#!/usr/bin/env bash
# Runs the whole system on embedded defaults: Temporal dev server (SQLite file under .data/,
# Web UI on), the worker and the API. Ctrl-C stops all of them.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
data="$root/.data"
mkdir -p "$data"

bash scripts/provision.sh
[ -d node_modules ] || bash scripts/install.sh
npm run --silent build

export TEMPORAL_ADDRESS="${TEMPORAL_ADDRESS:-127.0.0.1:7233}"
export API_TOKENS_FILE="${API_TOKENS_FILE:-$data/principals.json}"
export PORT="${PORT:-3000}"
temporal_port="${TEMPORAL_ADDRESS##*:}"
ui_port=$((temporal_port + 1000))

pids=()
stop() {
  trap - INT TERM EXIT
  echo; echo "stopping..."
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "stopped"
}
trap stop INT TERM EXIT

if [ -z "${EXTERNAL_TEMPORAL:-}" ]; then
  .tools/bin/temporal server start-dev --ip 127.0.0.1 --port "$temporal_port" --ui-port "$ui_port" \
    --db-filename "$data/temporal.db" --sqlite-pragma journal_mode=WAL --sqlite-pragma synchronous=NORMAL \
    --log-level warn > "$data/temporal.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 60); do
    .tools/bin/temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1 && break
    sleep 1
  done
fi

node dist/scripts/dev-principals.js "$API_TOKENS_FILE"
node dist/worker/main.js &
pids+=($!)
node dist/api/main.js &
pids+=($!)

for _ in $(seq 1 30); do
  curl -fsS "http://127.0.0.1:$PORT/health" >/dev/null 2>&1 && break
  sleep 1
done
cat <<MSG

  API          http://127.0.0.1:$PORT   (GET /health, POST /applications, GET /applications/:id)
  Temporal UI  http://127.0.0.1:$ui_port
  Temporal     $TEMPORAL_ADDRESS (data: $data/temporal.db)

  Ctrl-C stops everything.
MSG
wait -n "${pids[@]}"
