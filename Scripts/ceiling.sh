#!/usr/bin/env bash
# How low can a client's CPU per transaction go here? pgbench, pgswarm and a minimal C client (Scripts/ceiling/),
# alternating on the same throwaway server, all running the simple query "SELECT 1".
#
# Usage: Scripts/ceiling.sh [ROUNDS] [SECONDS] [CLIENTS]          (defaults: 5 rounds, 10 s, 8 clients; -j 2)
#
# The C client does nothing but send the query and count ReadyForQuery messages: its CPU per transaction is what
# the kernel charges a client for the round trip (send, receive, waking the server) plus almost no user time, once
# with epoll and once with io_uring (every send and receive of a round in one system call; built when liburing-dev
# is installed). Prints, per tool, the medians of tps and client CPU µs per transaction (user+sys from
# /usr/bin/time) and the ratio to pgbench; writes them and every run to Results/ceiling-<UTC time>/.
set -euo pipefail
ROUNDS=${1:-5}
SECONDS_PER_RUN=${2:-10}
CLIENTS=${3:-8}
cd "$(dirname "$0")/.."

. "$(dirname "$0")/lib/release-pgswarm.sh"
. "$(dirname "$0")/lib/throwaway-postgres.sh"
PGBENCH="$BINDIR/pgbench"
. "$(dirname "$0")/lib/ceiling-client.sh"
TOOLS=(pgbench pgswarm "${CEILING_TOOLS[@]}")

OUT="Results/ceiling-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT/runs"
{
  echo "command: Scripts/ceiling.sh $ROUNDS $SECONDS_PER_RUN $CLIENTS"
  machine_lines
  echo "server and clients on the same machine; SELECT 1, simple query protocol, -c $CLIENTS -j 2"
} >"$OUT/machine.txt"

start_throwaway_postgres ceiling "max_connections = $((CLIENTS + 20))"
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
printf 'SELECT 1;\n' >"$OUT/select1.sql"

# One run: prints "tps cpu_microseconds_per_transaction".
measure() {
  local tool=$1 log=$2
  case $tool in
    pgbench) /usr/bin/time -f 'TIME %U %S' "$PGBENCH" -n -M simple -f "$OUT/select1.sql" -c "$CLIENTS" -j 2 \
               -T "$SECONDS_PER_RUN" >"$log" 2>&1 || true ;;
    pgswarm) /usr/bin/time -f 'TIME %U %S' "$PGSWARM" run -n -M simple -f "$OUT/select1.sql" -c "$CLIENTS" -j 2 \
               -T "$SECONDS_PER_RUN" --out "$OUT/runs/$(basename "$log" .log)" >"$log" 2>&1 || true ;;
    c-epoll) /usr/bin/time -f 'TIME %U %S' "$CEILING" "$PG_PORT" "$CLIENTS" 2 "$SECONDS_PER_RUN" epoll >"$log" 2>&1 || true ;;
    c-uring) /usr/bin/time -f 'TIME %U %S' "$CEILING" "$PG_PORT" "$CLIENTS" 2 "$SECONDS_PER_RUN" uring >"$log" 2>&1 || true ;;
  esac
  python3 - "$log" "$SECONDS_PER_RUN" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
count = re.search(r"(?:actually processed: |^transactions )(\d+)", text, re.M)
cpu = re.search(r"^TIME ([\d.]+) ([\d.]+)", text, re.M)
if not count or not cpu or int(count.group(1)) == 0:
    print("0 0")
else:
    n = int(count.group(1))
    print(f"{n / float(sys.argv[2]):.0f} {(float(cpu.group(1)) + float(cpu.group(2))) / n * 1e6:.3f}")
PY
}

: >"$OUT/raw.txt"
for round in $(seq 1 "$ROUNDS"); do
  for tool in "${TOOLS[@]}"; do
    read -r tps cpu < <(measure "$tool" "$OUT/runs/$tool-$round.log")
    echo "$tool $round $tps $cpu" | tee -a "$OUT/raw.txt"
  done
done

python3 - "$OUT/raw.txt" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
tools = list(dict.fromkeys(r[0] for r in rows))
by = {(r[0], int(r[1])): (float(r[2]), float(r[3])) for r in rows}
rounds = sorted({int(r[1]) for r in rows})
print(f"{'client':10} {'tps':>9} {'CPU us/tx':>10} {'tps ratio':>10} {'CPU ratio':>10}   (medians; ratios to pgbench, median of per-round ratios)")
for tool in tools:
    tps = statistics.median(by[(tool, r)][0] for r in rounds)
    cpu = statistics.median(by[(tool, r)][1] for r in rounds)
    tps_ratio = statistics.median(by[(tool, r)][0] / by[("pgbench", r)][0] for r in rounds if by[("pgbench", r)][0])
    cpu_ratio = statistics.median(by[(tool, r)][1] / by[("pgbench", r)][1] for r in rounds if by[("pgbench", r)][1])
    print(f"{tool:10} {tps:9.0f} {cpu:10.2f} {tps_ratio:10.2f} {cpu_ratio:10.2f}")
PY
echo "results in $OUT"
