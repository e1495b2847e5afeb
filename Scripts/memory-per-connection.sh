#!/usr/bin/env bash
# Resident memory per connection, pgswarm against pgbench: peak RSS (/usr/bin/time) of a select-only run with
# 1 client and with N clients (default 2000) on the same throwaway server; (RSS(N) - RSS(1)) / (N - 1) per tool.
#
# Usage: Scripts/memory-per-connection.sh [CLIENTS] [SECONDS]      (defaults: 2000 clients, 5 s)
set -euo pipefail
CLIENTS=${1:-2000}
SECONDS_PER_RUN=${2:-5}
cd "$(dirname "$0")/.."
. "$(dirname "$0")/lib/release-pgswarm.sh"
. "$(dirname "$0")/lib/throwaway-postgres.sh"
OUT=$(mktemp -d /tmp/pgswarm-mem-out-XXXXXX)
CLEANUP_PATHS+=("$OUT")
ulimit -n 20000 2>/dev/null || true
start_throwaway_postgres mem "max_connections = $((CLIENTS + 50))" "shared_buffers = 256MB"
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
"$BINDIR/pgbench" -i -q -s 1 >/dev/null 2>&1

peak_kb() {  # tool clients -> peak RSS in KB
  local log="$OUT/$1-$2.log"
  if [ "$1" = pgbench ]; then
    /usr/bin/time -f 'PEAK %M' "$BINDIR/pgbench" -n -S -c "$2" -j 2 -T "$SECONDS_PER_RUN" >"$log" 2>&1 || true
  else
    /usr/bin/time -f 'PEAK %M' "$PGSWARM" run -n -S -c "$2" -j 2 -T "$SECONDS_PER_RUN" --out "$OUT/r" >"$log" 2>&1 || true
  fi
  grep '^PEAK' "$log" | awk '{print $2}'
}

printf '%-8s %12s %12s %14s\n' tool "KB @1" "KB @$CLIENTS" 'KB/connection'
for tool in pgbench pgswarm; do
  one=$(peak_kb "$tool" 1)
  many=$(peak_kb "$tool" "$CLIENTS")
  per=$(python3 -c "print(f'{($many - $one) / ($CLIENTS - 1):.1f}')")
  printf '%-8s %12s %12s %14s\n' "$tool" "$one" "$many" "$per"
done
