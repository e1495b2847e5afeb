#!/usr/bin/env bash
# Where the kernel wakes the server's backends: on the client's own CPU, or on the other one.
#
# Usage: Scripts/wakeup-locality.sh [ROUNDS] [TRANSACTIONS_PER_CLIENT]     (defaults: 3 rounds, 5000)
#
# With server and client on the same machine, each request's send(2) wakes the backend that will answer it. Woken on
# the sender's CPU, the backend simply runs next; woken on another CPU that is busy, it costs an interprocessor
# interrupt to preempt whatever runs there, and the client's CPU time per transaction grows by about a fifth
# (docs/performance.md). This script runs pgbench and `pgswarm run` alternately (select-only, -M prepared -c 8 -j 2) under
# `perf record -a -e sched:sched_wakeup` and prints, per run: tps, client CPU per transaction, the backend wakeups
# made by the client on its own CPU and on the other, and the interprocessor interrupts per transaction (all CPUs,
# /proc/interrupts RES + CAL). Needs perf (linux-perf) and root or perf_event_paranoid <= 1.
set -euo pipefail
ROUNDS=${1:-3}
TRANSACTIONS=${2:-5000}
cd "$(dirname "$0")/.."
command -v perf >/dev/null || { echo "wakeup-locality.sh: needs perf (apt-get install -y linux-perf)" >&2; exit 1; }

. "$(dirname "$0")/lib/release-pgswarm.sh"
. "$(dirname "$0")/lib/throwaway-postgres.sh"
OUT="Results/wakeup-locality-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
CLEANUP_PATHS+=("$OUT/perf.data")
start_throwaway_postgres locality "max_connections = 300" "shared_buffers = 256MB"
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
"$BINDIR/pgbench" -i -q -s 10 >/dev/null 2>&1
ARGS="-b select-only -M prepared -c 8 -j 2 -t $TRANSACTIONS"
TOTAL=$((TRANSACTIONS * 8))

. "$(dirname "$0")/lib/interrupts.sh"

printf '%-8s %5s %8s %12s %12s %13s %7s\n' tool round tps "cpu us/tx" "local wakes" "remote wakes" "IPI/tx" | tee "$OUT/summary.txt"
for round in $(seq 1 "$ROUNDS"); do
  for tool in pgbench pgswarm; do
    if [ "$tool" = pgbench ]; then command=("$BINDIR/pgbench" -n); client=pgbench
    else command=("$PGSWARM" run -n --out "$OUT/runs/$round"); client=pgswarm-loop; fi
    rm -f "$OUT/perf.data"
    before=$(ipis)
    perf record -q -a -e sched:sched_wakeup -o "$OUT/perf.data" \
      /usr/bin/time -f 'TIME %U %S' "${command[@]}" $ARGS >"$OUT/$tool-$round.log" 2>&1
    after=$(ipis)
    tps=$(grep -Eo '^tps = [0-9.]+' "$OUT/$tool-$round.log" | awk '{print $3}')
    cpu=$(awk -v n="$TOTAL" '/^TIME/ {printf "%.2f", ($2 + $3) * 1e6 / n}' "$OUT/$tool-$round.log")
    # A wakeup event runs on the waker's CPU; target_cpu is where the wakee will run.
    read -r local remote < <(perf script -i "$OUT/perf.data" -F comm,cpu,trace 2>/dev/null | awk -v client="$client" '
      { waker = $1; cpu = $2; gsub(/[\[\]]/, "", cpu) }
      waker == client && /comm=postgres / {
        for (i = 3; i <= NF; i++) if ($i ~ /^target_cpu=/) { split($i, t, "="); if (t[2] + 0 == cpu + 0) l++; else r++ }
      }
      END { print l + 0, r + 0 }')
    printf '%-8s %5s %8.0f %12s %12s %13s %7.3f\n' "$tool" "$round" "${tps:-0}" "$cpu" "$local" "$remote" \
      "$(python3 -c "print(($after - $before) / $TOTAL)")" | tee -a "$OUT/summary.txt"
  done
done
echo "results in $OUT"
