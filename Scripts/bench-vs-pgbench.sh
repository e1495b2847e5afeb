#!/usr/bin/env bash
# pgswarm against pgbench, alternating on the same throwaway server in the same run.
#
# Usage: Scripts/bench-vs-pgbench.sh [ROUNDS] [SECONDS]        (defaults: 3 rounds of 10 s per run)
#
# Starts a PostgreSQL cluster in a temporary directory (as user postgres when run as root), initialises pgbench's
# tables at scale 10, then for each scenario runs pgbench and `pgswarm run` with the same arguments, alternately,
# ROUNDS times, under /usr/bin/time. Prints, per scenario, the medians of: tps, client CPU seconds (user+sys, and
# each) per 1,000 transactions, peak resident memory, interprocessor interrupts per transaction; the ratios
# pgswarm/pgbench; and the system-time part of pgbench's CPU. Writes the table and every raw run to
# Results/bench-vs-pgbench-<UTC time>/.
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
cd "$(dirname "$0")/.."

. "$(dirname "$0")/lib/release-pgswarm.sh"
. "$(dirname "$0")/lib/throwaway-postgres.sh"
PGBENCH="$BINDIR/pgbench"
OUT="Results/bench-vs-pgbench-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT"
{
  echo "command: Scripts/bench-vs-pgbench.sh $ROUNDS $SECONDS_PER_RUN"
  machine_lines
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

. "$(dirname "$0")/lib/interrupts.sh"

# One run: prints "tps user_seconds sys_seconds max_rss_kb ipis".
measure() {
  local tool=$1 args=$2 log=$3 before after
  before=$(ipis)
  if [ "$tool" = pgbench ]; then
    /usr/bin/time -f 'TIME %U %S %M' "$PGBENCH" -n -T "$SECONDS_PER_RUN" $args >"$log" 2>&1 || true
  else
    /usr/bin/time -f 'TIME %U %S %M' "$PGSWARM" run -n -T "$SECONDS_PER_RUN" --out "$OUT/runs/$(basename "$log" .log)" $args >"$log" 2>&1 || true
  fi
  after=$(ipis)
  local tps user sys rss
  tps=$(grep -Eo '^tps = [0-9.]+' "$log" | awk '{print $3}' | head -1)
  user=$(grep '^TIME' "$log" | awk '{print $2}')
  sys=$(grep '^TIME' "$log" | awk '{print $3}')
  rss=$(grep '^TIME' "$log" | awk '{print $4}')
  echo "${tps:-0} ${user:-0} ${sys:-0} ${rss:-0} $((after - before))"
}

mkdir -p "$OUT/runs"
: >"$OUT/raw.txt"
for scenario in "${SCENARIOS[@]}"; do
  name=${scenario%%|*}; args=${scenario#*|}
  for round in $(seq 1 "$ROUNDS"); do
    for tool in pgbench pgswarm; do
      read -r tps user sys rss ipi < <(measure "$tool" "$args" "$OUT/runs/$name-$tool-$round.log")
      echo "$name $tool $round $tps $user $sys $rss $ipi" | tee -a "$OUT/raw.txt"
    done
  done
done

python3 - "$OUT/raw.txt" "$SECONDS_PER_RUN" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys, collections
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
seconds = float(sys.argv[2])
by = collections.defaultdict(lambda: collections.defaultdict(list))
for name, tool, rnd, tps, user, system, rss, ipi in rows:
    tps, user, system, rss, ipi = float(tps), float(user), float(system), float(rss), float(ipi)
    tx = tps * seconds
    if not tx:
        continue
    by[name][tool].append((tps, 1000 * (user + system) / tx, 1000 * user / tx, 1000 * system / tx, rss / 1024, ipi / tx))
print(f"{'scenario':<24} {'tool':<8} {'tps':>10} {'cpu s/1k tx':>12} {'user':>8} {'sys':>8} {'peak MiB':>9} {'IPI/tx':>7}")
for name, tools in by.items():
    for tool in ('pgbench', 'pgswarm'):
        m = [statistics.median(v[i] for v in tools[tool]) for i in range(6)]
        print(f"{name:<24} {tool:<8} {m[0]:>10.0f} {m[1]:>12.4f} {m[2]:>8.4f} {m[3]:>8.4f} {m[4]:>9.1f} {m[5]:>7.3f}")
    # Ratios pair by pair (round by round), then their median, so a drifting machine cancels out.
    pairs = list(zip(tools['pgswarm'], tools['pgbench']))
    tps_ratio = statistics.median(a[0] / b[0] for a, b in pairs)
    cpu_ratio = statistics.median(a[1] / b[1] for a, b in pairs)
    print(f"{name:<24} {'ratio':<8} {tps_ratio:>10.2f} {cpu_ratio:>12.2f}   (pgswarm/pgbench, median of rounds)")
    # The kernel's part of pgbench's CPU: the CPU ratio of a client with no user time at all and pgbench's kernel
    # cost per transaction (one send, one receive, its wakeups); below it only by making the kernel's part cheaper.
    sys_part = statistics.median(b[3] / b[1] for b in tools['pgbench'])
    print(f"{name:<24} {'sys part':<8} {'':>10} {sys_part:>12.2f}   (pgbench's system time / its CPU)")
PY
echo "results in $OUT"
