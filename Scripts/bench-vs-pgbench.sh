#!/usr/bin/env bash
# pgswarm against pgbench, alternating on the same throwaway server in the same run.
#
# Usage: Scripts/bench-vs-pgbench.sh [ROUNDS] [SECONDS]        (defaults: 3 rounds of 10 s per run)
#
# Starts a PostgreSQL cluster in a temporary directory (as user postgres when run as root), initialises pgbench's
# tables at scale 10, then for each scenario runs pgbench and `pgswarm run` with the same arguments, alternately,
# ROUNDS times, under /usr/bin/time. Prints, per scenario, the medians of: tps, client CPU seconds (user+sys) per
# 1,000 transactions, peak resident memory; and the ratios pgswarm/pgbench. Writes the table and every raw run to
# Results/bench-vs-pgbench-<UTC time>/.
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
cd "$(dirname "$0")/.."
export PATH="/opt/swift/usr/bin:$PATH"

swift build -c release --product pgswarm >/dev/null
PGSWARM="$PWD/.build/release/pgswarm"
. "$(dirname "$0")/lib/throwaway-postgres.sh"
PGBENCH="$BINDIR/pgbench"
OUT="Results/bench-vs-pgbench-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
{
  echo "command: Scripts/bench-vs-pgbench.sh $ROUNDS $SECONDS_PER_RUN"
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "memory: $(free -h | awk '/Mem:/ {print $2}')"
  echo "kernel: $(uname -r)"
  echo "postgresql: $("$BINDIR/postgres" --version)"
  echo "pgbench: $("$PGBENCH" --version)"
  echo "pgswarm: $("$PGSWARM" version)"
  echo "server and clients on the same machine; server fsync=off, shared_buffers=256MB, scale 10"
} >"$OUT/machine.txt"

start_throwaway_postgres bench "max_connections = 300" "shared_buffers = 256MB"
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
"$PGBENCH" -i -q -s 10 >/dev/null 2>&1
printf 'SELECT 1;\n' >"$OUT/select1.sql"

SCENARIOS=(
  "select-only-prepared-c8|-b select-only -M prepared -c 8 -j 2"
  "tpcb-like-c8|-b tpcb-like -c 8 -j 2"
  "select1-c64|-f $OUT/select1.sql -M prepared -c 64 -j 2"
)

# One run: prints "tps cpu_seconds max_rss_kb".
measure() {
  local tool=$1 args=$2 log=$3
  if [ "$tool" = pgbench ]; then
    /usr/bin/time -f 'TIME %U %S %M' "$PGBENCH" -n -T "$SECONDS_PER_RUN" $args >"$log" 2>&1 || true
  else
    /usr/bin/time -f 'TIME %U %S %M' "$PGSWARM" run -n -T "$SECONDS_PER_RUN" --out "$OUT/runs/$(basename "$log" .log)" $args >"$log" 2>&1 || true
  fi
  local tps cpu rss
  tps=$(grep -Eo '^tps = [0-9.]+' "$log" | awk '{print $3}' | head -1)
  cpu=$(grep '^TIME' "$log" | awk '{print $2 + $3}')
  rss=$(grep '^TIME' "$log" | awk '{print $4}')
  echo "${tps:-0} ${cpu:-0} ${rss:-0}"
}

mkdir -p "$OUT/runs"
: >"$OUT/raw.txt"
for scenario in "${SCENARIOS[@]}"; do
  name=${scenario%%|*}; args=${scenario#*|}
  for round in $(seq 1 "$ROUNDS"); do
    for tool in pgbench pgswarm; do
      read -r tps cpu rss < <(measure "$tool" "$args" "$OUT/runs/$name-$tool-$round.log")
      echo "$name $tool $round $tps $cpu $rss" | tee -a "$OUT/raw.txt"
    done
  done
done

python3 - "$OUT/raw.txt" "$SECONDS_PER_RUN" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys, collections
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
seconds = float(sys.argv[2])
by = collections.defaultdict(lambda: collections.defaultdict(list))
for name, tool, rnd, tps, cpu, rss in rows:
    tps, cpu, rss = float(tps), float(cpu), float(rss)
    tx = tps * seconds
    by[name][tool].append((tps, 1000 * cpu / tx if tx else float('nan'), rss / 1024))
print(f"{'scenario':<24} {'tool':<8} {'tps':>10} {'cpu s/1k tx':>12} {'peak MiB':>9}")
for name, tools in by.items():
    med = {}
    for tool in ('pgbench', 'pgswarm'):
        vals = tools[tool]
        med[tool] = tuple(statistics.median(v[i] for v in vals) for i in range(3))
        print(f"{name:<24} {tool:<8} {med[tool][0]:>10.0f} {med[tool][1]:>12.4f} {med[tool][2]:>9.1f}")
    # Ratios pair by pair (round by round), then their median, so a drifting machine cancels out.
    pairs = list(zip(tools['pgswarm'], tools['pgbench']))
    tps_ratio = statistics.median(a[0] / b[0] for a, b in pairs if b[0])
    cpu_ratio = statistics.median(a[1] / b[1] for a, b in pairs if b[1])
    print(f"{name:<24} {'ratio':<8} {tps_ratio:>10.2f} {cpu_ratio:>12.2f}   (pgswarm/pgbench, median of rounds)")
PY
echo "results in $OUT"
