#!/usr/bin/env bash
# 10,000 connections from one client process through PgBouncer: resident memory and connect rate, pgswarm against
# pgbench, on the same throwaway PostgreSQL and PgBouncer (issue 7).
#
# Usage: Scripts/pooler-scale.sh [CONNECTIONS] [ROUNDS]        (defaults: 10000 connections, 3 rounds)
#   environment: SECONDS_PER_RUN (10), RATE (2000: transactions/s of the light workload, over all clients),
#                JOBS (2: threads of both tools), PGSWARM_PG_BINDIR, PGBOUNCER (pgbouncer binary)
#
# Starts PostgreSQL and PgBouncer in a temporary directory (as user postgres when run as root): transaction pooling,
# max_client_conn CONNECTIONS+2000 (at least 12,000), default_pool_size 20, listen_backlog 4096. Raises `ulimit -n` to
# CONNECTIONS + 1,000 (the limit is per process: each of the two holds one end of every connection), or stops with a
# message saying what to raise.
# Then, ROUNDS times, alternating the tools:
#
#  (a) Memory: each tool holds CONNECTIONS connections through PgBouncer for SECONDS_PER_RUN seconds while running a
#      light workload (SELECT 1 at RATE transactions/s over all clients, so that both do the same work):
#        pgswarm run -n -c N -j JOBS -T S -R RATE -f select1.sql      pgbench -n -c N -j JOBS -T S -R RATE -f select1.sql
#      under /usr/bin/time -v; the figure is the peak resident set ("Maximum resident set size"). pgswarm's
#      summary.json must show N connects and no aborted client, pgbench's log no aborted client.
#  (b) Connect rate: each tool opens N connections through PgBouncer and holds them until all are open:
#        pgswarm run -n -c JOBS -j JOBS -t 1 --connect-storm N -f select1.sql
#          rate = connected / storm seconds (from the first attempt to the last ReadyForQuery; summary.json)
#        pgbench -n -c N -j JOBS -t 1 -f select1.sql
#          rate = N / "initial connection time" (pgbench connects its clients before they run; its initial
#          connection time is the mean over threads of the time a thread took to connect all of its N/JOBS clients,
#          i.e. the wall time of its connect phase, as the threads connect in parallel)
#      Both count the same thing: N logins to the same pooler, each to ReadyForQuery, held open until the last is
#      done, with the same number of threads. pgswarm keeps 64 connects under way per thread (a fleet restart,
#      paced so that the listen queue does not overflow); pgbench connects one client after another per thread.
#
# Prints the medians and the ratios pgswarm/pgbench, and writes machine.txt, raw.txt (one line per run), the table
# (summary.txt) and every run's output (runs/) to Results/pooler-scale-<UTC time>/.
set -euo pipefail
CONNECTIONS=${1:-10000}
ROUNDS=${2:-3}
SECONDS_PER_RUN=${SECONDS_PER_RUN:-10}
RATE=${RATE:-2000}
JOBS=${JOBS:-2}
cd "$(dirname "$0")/.."

. "$(dirname "$0")/lib/throwaway-postgres.sh"
PGBENCH="$BINDIR/pgbench"
PGBOUNCER=${PGBOUNCER:-$(command -v pgbouncer || echo /usr/sbin/pgbouncer)}
[ -x "$PGBOUNCER" ] || { echo "pooler-scale: no pgbouncer binary (set PGBOUNCER)" >&2; exit 1; }
[ -x /usr/bin/time ] || { echo "pooler-scale: /usr/bin/time is needed (apt-get install time)" >&2; exit 1; }

# Each process holds one end of every connection (PgBouncer also its server connections and listeners): the limit is
# per process, so CONNECTIONS plus a margin, for each.
NEEDED_FILES=$((CONNECTIONS + 1000))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$NEEDED_FILES" ]; then
  ulimit -n "$NEEDED_FILES" 2>/dev/null || { ulimit -Hn "$NEEDED_FILES" 2>/dev/null && ulimit -n "$NEEDED_FILES"; } || {
    echo "pooler-scale: $CONNECTIONS connections need an open-files limit of $NEEDED_FILES, but the hard limit is" \
      "$(ulimit -Hn); raise it (limits.conf, or run as root) or ask for fewer connections" >&2
    exit 1
  }
fi

. "$(dirname "$0")/lib/release-pgswarm.sh"
OUT="Results/pooler-scale-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT/runs"
{
  echo "command: Scripts/pooler-scale.sh $CONNECTIONS $ROUNDS (SECONDS_PER_RUN=$SECONDS_PER_RUN RATE=$RATE JOBS=$JOBS)"
  machine_lines
  echo "load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "open-files limit: $(ulimit -n); net.core.somaxconn: $(cat /proc/sys/net/core/somaxconn)"
  echo "pgbouncer: $("$PGBOUNCER" --version | head -1)"
  echo "server, pooler and clients on the same machine; pool_mode=transaction, default_pool_size=20"
} >"$OUT/machine.txt"

start_throwaway_postgres pooler "max_connections = 100"
CLEANUP_COMMANDS+=('[ -f "$BASE/pgbouncer.pid" ] && kill "$(cat "$BASE/pgbouncer.pid")"')
BOUNCER_PORT=$(free_port)

MAX_CLIENTS=$((CONNECTIONS + 2000 > 12000 ? CONNECTIONS + 2000 : 12000))
cat >"$BASE/pgbouncer.ini" <<INI
[databases]
* = host=127.0.0.1 port=$PG_PORT
[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $BOUNCER_PORT
unix_socket_dir = $BASE
pidfile = $BASE/pgbouncer.pid
logfile = $BASE/pgbouncer.log
auth_type = trust
auth_file = $BASE/userlist.txt
admin_users = postgres
pool_mode = transaction
max_client_conn = $MAX_CLIENTS
default_pool_size = 20
listen_backlog = 4096
log_connections = 0
log_disconnections = 0
INI
echo '"postgres" ""' >"$BASE/userlist.txt"
[ "$(id -u)" = 0 ] && chown postgres "$BASE/pgbouncer.ini" "$BASE/userlist.txt"
# runuser's PAM session may reset limits: set the descriptor limit in the pooler's own shell.
"${AS[@]}" bash -c "ulimit -n $NEEDED_FILES && exec '$PGBOUNCER' -d '$BASE/pgbouncer.ini'"
export PGHOST=127.0.0.1 PGPORT=$BOUNCER_PORT PGUSER=postgres PGDATABASE=postgres
for _ in $(seq 1 100); do psql -X -q -A -t -c 'SELECT 1' >/dev/null 2>&1 && break; sleep 0.1; done
psql -X -q -A -t -c 'SELECT 1' >/dev/null || { echo "pooler-scale: PgBouncer does not answer" >&2; exit 1; }
printf 'SELECT 1;\n' >"$OUT/select1.sql"

peak_kb() { awk -F': ' '/Maximum resident set size/ {print $2}' "$1"; }

# (a) One hold run; prints "peak_kb connected aborted".
hold() {
  local tool=$1 log=$2
  if [ "$tool" = pgbench ]; then
    /usr/bin/time -v "$PGBENCH" -n -c "$CONNECTIONS" -j "$JOBS" -T "$SECONDS_PER_RUN" -R "$RATE" \
      -f "$OUT/select1.sql" >"$log" 2>&1 || true
    local aborted connected
    aborted=$(grep -c 'aborted' "$log" || true)
    connected=$(grep -q '^number of clients' "$log" && echo $((CONNECTIONS - aborted)) || echo 0)
    echo "$(peak_kb "$log") $connected $aborted"
  else
    local dir="$OUT/runs/$(basename "$log" .log)"
    /usr/bin/time -v "$PGSWARM" run -n -c "$CONNECTIONS" -j "$JOBS" -T "$SECONDS_PER_RUN" -R "$RATE" \
      -f "$OUT/select1.sql" --out "$dir" >"$log" 2>&1 || true
    python3 - "$dir/summary.json" "$(peak_kb "$log")" <<'PY'
import json, sys
try:
    s = json.load(open(sys.argv[1]))
except Exception:
    print(sys.argv[2] or 0, 0, -1); sys.exit()
print(sys.argv[2] or 0, (s.get("connect_us") or {}).get("count", 0), s.get("aborted_clients", 0))
PY
  fi
}

# (b) One connect run; prints "connections_per_second peak_kb connected".
connect_rate() {
  local tool=$1 log=$2
  if [ "$tool" = pgbench ]; then
    /usr/bin/time -v "$PGBENCH" -n -c "$CONNECTIONS" -j "$JOBS" -t 1 -f "$OUT/select1.sql" >"$log" 2>&1 || true
    local ms aborted
    ms=$(grep -Eo 'initial connection time = [0-9.]+' "$log" | awk '{print $5}')
    aborted=$(grep -c 'aborted' "$log" || true)
    python3 -c "print(f'{$CONNECTIONS / ($ms / 1000):.1f}' if '$ms' else 0, '$(peak_kb "$log")', $CONNECTIONS - $aborted)"
  else
    local dir="$OUT/runs/$(basename "$log" .log)"
    # -c JOBS: pgswarm, like pgbench, runs no more threads than clients; the storm should have all JOBS loops.
    /usr/bin/time -v "$PGSWARM" run -n -c "$JOBS" -j "$JOBS" -t 1 --connect-storm "$CONNECTIONS" \
      -f "$OUT/select1.sql" --out "$dir" >"$log" 2>&1 || true
    python3 - "$dir/summary.json" "$(peak_kb "$log")" <<'PY'
import json, sys
try:
    storm = json.load(open(sys.argv[1]))["connect_storm"]
    print(f"{storm['connected'] / storm['seconds']:.1f}", sys.argv[2] or 0, storm["connected"])
except Exception:
    print(0, sys.argv[2] or 0, 0)
PY
  fi
}

: >"$OUT/raw.txt"
for round in $(seq 1 "$ROUNDS"); do
  # Alternate which tool goes first, so that neither always meets a freshly started (or a tired) pooler.
  if [ $((round % 2)) = 1 ]; then tools=(pgswarm pgbench); else tools=(pgbench pgswarm); fi
  for tool in "${tools[@]}"; do
    read -r kb connected aborted < <(hold "$tool" "$OUT/runs/$tool-hold-$round.log")
    echo "hold $tool round=$round peak_kb=$kb connected=$connected aborted=$aborted" | tee -a "$OUT/raw.txt"
  done
  for tool in "${tools[@]}"; do
    read -r rate kb connected < <(connect_rate "$tool" "$OUT/runs/$tool-connect-$round.log")
    echo "connect $tool round=$round per_second=$rate peak_kb=$kb connected=$connected" | tee -a "$OUT/raw.txt"
  done
done

python3 - "$OUT/raw.txt" "$CONNECTIONS" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
def values(kind, tool, field):
    out = []
    for row in rows:
        if row[0] == kind and row[1] == tool:
            fields = dict(part.split("=", 1) for part in row[2:])
            out.append(float(fields[field]))
    return out
def median(kind, tool, field):
    found = values(kind, tool, field)
    return statistics.median(found) if found else float("nan")
n = int(sys.argv[2])
print(f"{n} connections through PgBouncer (transaction pooling), medians of {len(values('hold', 'pgswarm', 'peak_kb'))} rounds")
print(f"{'':34} {'pgswarm':>12} {'pgbench':>12} {'pgswarm/pgbench':>16}")
table = [
    ("peak RSS holding N (MB)", "hold", "peak_kb", 1 / 1024),
    ("connect rate (connections/s)", "connect", "per_second", 1),
    ("peak RSS while connecting (MB)", "connect", "peak_kb", 1 / 1024),
]
for label, kind, field, scale in table:
    a, b = median(kind, "pgswarm", field) * scale, median(kind, "pgbench", field) * scale
    print(f"{label:34} {a:12.1f} {b:12.1f} {a / b if b else float('nan'):16.2f}")
short = [(row[1], row[2]) for row in rows if row[0] == "hold" and dict(p.split("=", 1) for p in row[2:])["connected"] != str(n)]
if short:
    print("runs that did not hold every connection: " + ", ".join(f"{tool} {rnd}" for tool, rnd in short))
PY
echo "results in $OUT"
