#!/usr/bin/env bash
# Many clients on one server: how evenly the run serves them and what it measures, pgswarm (clients starting
# together, the default, and `--start-clients each`) against pgbench, alternating on the same throwaway server.
#
# Usage: Scripts/many-clients.sh [ROUNDS] [SECONDS] [CLIENTS]        (defaults: 3 rounds, 10 s, 2000 clients)
#
# Each run is select-only -c CLIENTS -j 2 -T SECONDS. Per run: tps (without initial connection time), the initial
# connection time, transactions per client (min..max), Jain's fairness index and the clients served less than 10%
# of the mean (pgbench's from its -l log, pgswarm's from summary.json), and the wall time. Prints the medians and
# writes every run to Results/many-clients-<UTC time>/.
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-10}
CLIENTS=${3:-2000}
cd "$(dirname "$0")/.."
. "$(dirname "$0")/lib/release-pgswarm.sh"
. "$(dirname "$0")/lib/throwaway-postgres.sh"
OUT="$PWD/Results/many-clients-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT/runs"
ulimit -n $((CLIENTS * 2 + 100)) 2>/dev/null || true
start_throwaway_postgres many "max_connections = $((CLIENTS + 50))" "shared_buffers = 256MB"
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
"$BINDIR/pgbench" -i -q -s 10 >/dev/null 2>&1
{
  echo "command: Scripts/many-clients.sh $ROUNDS $SECONDS_PER_RUN $CLIENTS"
  machine_lines
  echo "server and clients on the same machine; max_connections = $((CLIENTS + 50)), shared_buffers = 256MB, scale 10"
} >"$OUT/machine.txt"

ARGS="-n -S -c $CLIENTS -j 2 -T $SECONDS_PER_RUN"

# One run: prints "tps connect_ms min max jain starved wall_s".
measure() {
  local name=$1 run="$OUT/runs/$1-$2" started ended
  mkdir -p "$run"
  started=$(date +%s.%N)
  case $name in
    pgbench)
      (cd "$run" && "$BINDIR/pgbench" $ARGS -l --log-prefix=tx >"$run/out.log" 2>&1 || true) ;;
    pgswarm-together)
      "$PGSWARM" run $ARGS --out "$run" >"$run/out.log" 2>&1 || true ;;
    pgswarm-each)
      "$PGSWARM" run $ARGS --start-clients each --out "$run" >"$run/out.log" 2>&1 || true ;;
  esac
  ended=$(date +%s.%N)
  python3 - "$name" "$run" "$CLIENTS" "$started" "$ended" <<'PY'
import collections, glob, json, re, sys
name, run, clients, started, ended = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5])
text = open(run + "/out.log").read()
tps = float((re.search(r"^tps = ([0-9.]+)", text, re.M) or [0, 0])[1])
connect = float((re.search(r"^initial connection time = ([0-9.]+) ms", text, re.M) or [0, 0])[1])
if name == "pgbench":
    counts = collections.Counter()
    for path in glob.glob(run + "/tx.*"):
        for line in open(path):
            counts[int(line.split()[0])] += 1
    per = [counts.get(i, 0) for i in range(clients)]
    total = sum(per)
    jain = total * total / (clients * sum(x * x for x in per)) if total else 0
    low, high, starved = min(per), max(per), sum(1 for x in per if x < 0.1 * total / clients)
    for path in glob.glob(run + "/tx.*"):
        open(path, "w").close()  # the per-transaction log is large; the figures above are what is kept
else:
    fairness = json.load(open(run + "/summary.json")).get("fairness", {})
    jain, low, high = fairness.get("jain_index", 0), fairness.get("min_transactions", 0), fairness.get("max_transactions", 0)
    starved = fairness.get("starved_clients", 0)
print(f"{tps:.0f} {connect:.0f} {low} {high} {jain:.3f} {starved} {ended - started:.1f}")
PY
}

: >"$OUT/raw.txt"
for round in $(seq 1 "$ROUNDS"); do
  for name in pgbench pgswarm-together pgswarm-each; do
    read -r tps connect low high jain starved wall < <(measure "$name" "$round")
    echo "$name $round $tps $connect $low $high $jain $starved $wall" | tee -a "$OUT/raw.txt"
  done
done

python3 - "$OUT/raw.txt" <<'PY' | tee "$OUT/summary.txt"
import collections, statistics, sys
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, _, *values = line.split()
    rows[name].append([float(v) for v in values])
print(f"{'medians':18} {'tps':>8} {'connect ms':>10} {'tx/client':>12} {'Jain':>6} {'starved':>8} {'wall s':>7}")
for name in ("pgbench", "pgswarm-together", "pgswarm-each"):
    m = [statistics.median(r[i] for r in rows[name]) for i in range(7)]
    print(f"{name:18} {m[0]:8.0f} {m[1]:10.0f} {m[2]:5.0f}..{m[3]:<5.0f} {m[4]:6.3f} {m[5]:8.0f} {m[6]:7.1f}")
base = rows["pgbench"]
for name in ("pgswarm-together", "pgswarm-each"):
    ratio = statistics.median(a[0] / b[0] for a, b in zip(rows[name], base) if b[0])
    print(f"{name}: tps {ratio:.2f}x pgbench's (median of per-round ratios)")
PY
echo "(every run: $OUT)"
