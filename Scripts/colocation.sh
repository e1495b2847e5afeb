#!/usr/bin/env bash
# What pgswarm and pgbench do when each client thread shares a CPU with the server backends it talks to.
#
# Usage: Scripts/colocation.sh [ROUNDS] [SECONDS] [LOAD]        (defaults: 3 rounds of 6 s, select-only)
#
# A load of 8 clients on 2 threads, run as two processes of 4 clients and 1 thread each, so that each thread's
# connections are known from outside: once left to the scheduler, once with each process and its 4 backends pinned
# to a CPU of their own (taskset, 0.7 s after the start; backends found by client port in pg_stat_activity).
# Alternates the tools, prints per run the tps of both processes together and their client CPU per transaction.
# LOAD: select-only (-b select-only -M prepared; pgbench and pgswarm) or select1 (SELECT 1 in the simple query
# protocol; pgbench, pgswarm and the minimal C clients of Scripts/ceiling/, which do nothing but send and receive:
# what co-located clients cost at the least). The pinned runs show what steering connections to the CPU of their
# backend gives (docs/performance.md). Linux only (taskset, ss); both CPUs 0 and 1 needed.
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-6}
LOAD=${3:-select-only}
cd "$(dirname "$0")/.."

. "$(dirname "$0")/lib/release-pgswarm.sh"
. "$(dirname "$0")/lib/throwaway-postgres.sh"
OUT="Results/colocation-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
start_throwaway_postgres colocation "max_connections = 300" "shared_buffers = 256MB"
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
"$BINDIR/pgbench" -i -q -s 10 >/dev/null 2>&1
case $LOAD in
  select-only)
    ARGS="-b select-only -M prepared -c 4 -j 1 -T $SECONDS_PER_RUN"
    TOOLS=(pgbench pgswarm) ;;
  select1)
    printf 'SELECT 1;\n' >"$OUT/select1.sql"
    ARGS="-f $OUT/select1.sql -M simple -c 4 -j 1 -T $SECONDS_PER_RUN"
    . "$(dirname "$0")/lib/ceiling-client.sh"
    TOOLS=(pgbench pgswarm "${CEILING_TOOLS[@]}") ;;
  *) echo "colocation: LOAD is select-only or select1, not $LOAD" >&2; exit 2 ;;
esac

# Pins process $1 (all its threads) and the backends of its TCP connections to CPU $2.
pin_with_backends() {
  local pid=$1 cpu=$2 task port backend
  for task in /proc/"$pid"/task/*; do taskset -p -c "$cpu" "${task##*/}" >/dev/null; done
  for port in $(ss -tnp | grep "pid=$pid," | awk '{print $4}' | sed 's/.*://'); do
    backend=$("$BINDIR/psql" -Atc "SELECT pid FROM pg_stat_activity WHERE client_port = $port")
    if [ -n "$backend" ]; then taskset -p -c "$cpu" "$backend" >/dev/null; fi
  done
}

# One run of two processes: prints "tps cpu_us_per_tx".
run_pair() {
  local tool=$1 pinned=$2 tag=$3 half first second
  for half in a b; do
    if [ "$tool" = pgbench ]; then
      /usr/bin/time -f 'TIME %U %S' -o "$OUT/$tag-$half.time" "$BINDIR/pgbench" -n $ARGS >"$OUT/$tag-$half.log" 2>&1 &
    elif [ "$tool" = c-epoll ] || [ "$tool" = c-uring ]; then
      /usr/bin/time -f 'TIME %U %S' -o "$OUT/$tag-$half.time" "$CEILING" "$PGPORT" 4 1 "$SECONDS_PER_RUN" \
        "${tool#c-}" >"$OUT/$tag-$half.log" 2>&1 &
    else
      /usr/bin/time -f 'TIME %U %S' -o "$OUT/$tag-$half.time" "$PGSWARM" run -n --out "$OUT/runs/$tag-$half" $ARGS \
        >"$OUT/$tag-$half.log" 2>&1 &
    fi
    if [ "$half" = a ]; then first=$!; else second=$!; fi
  done
  if [ "$pinned" = 1 ]; then
    sleep 0.7
    pin_with_backends "$(pgrep -P "$first" | head -1)" 0
    pin_with_backends "$(pgrep -P "$second" | head -1)" 1
  fi
  wait "$first" "$second"
  # The C client prints "transactions N": the same figure as pgbench's tps line.
  sed -i -E "s/^transactions ([0-9]+)$/tps = \1 \/ $SECONDS_PER_RUN/" "$OUT/$tag-a.log" "$OUT/$tag-b.log"
  local tps cpu
  tps=$(cat "$OUT/$tag-a.log" "$OUT/$tag-b.log" | grep -E '^tps = [0-9.]+' \
    | awk '{s += ($4 == "/" ? $3 / $5 : $3)} END {print s + 0}')
  cpu=$(cat "$OUT/$tag-a.time" "$OUT/$tag-b.time" | awk '/^TIME/ {s += $2 + $3} END {print s + 0}')
  python3 -c "t = $tps; print(f'{t:.0f}', f'{$cpu * 1e6 / (t * $SECONDS_PER_RUN):.2f}' if t else 'nan')"
}

printf '%-8s %6s %5s %8s %10s\n' tool pinned round tps "cpu us/tx" | tee "$OUT/summary.txt"
for round in $(seq 1 "$ROUNDS"); do
  for pinned in 0 1; do
    for tool in "${TOOLS[@]}"; do
      read -r tps cpu < <(run_pair "$tool" "$pinned" "$tool-$pinned-$round")
      printf '%-8s %6s %5s %8s %10s\n' "$tool" "$pinned" "$round" "$tps" "$cpu" | tee -a "$OUT/summary.txt"
    done
  done
done
echo "results in $OUT"
