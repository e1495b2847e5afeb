#!/usr/bin/env bash
# The client as the bottleneck: pgbench and pgswarm, one thread each (-j 1), against Scripts/canned-server/ (one
# thread that answers every query with PostgreSQL's reply to SELECT 1, as fast as the kernel allows), pinned to
# CPU 0 (client) and CPU 1 (server). Unpipelined SELECT 1 (prepared) at several connection counts, and 10- and
# 100-query pipelines (extended) at 8 connections.
#
# Usage: Scripts/client-ceiling.sh [ROUNDS] [SECONDS] [CONNECTIONS...]   (defaults: 3 rounds, 5 s, 1 8 64 256)
#
# Prints, per scenario and tool, the medians over the rounds of queries per second, client CPU µs per query
# (user+sys from /usr/bin/time) and system calls per query (perf stat raw_syscalls:sys_enter), and pgswarm's ratios
# to pgbench (the median of the per-round ratios); writes them and every run to Results/client-ceiling-<UTC time>/.
set -euo pipefail
ROUNDS=${1:-3}
SECONDS_PER_RUN=${2:-5}
shift $(( $# > 2 ? 2 : $# ))
CONNECTIONS=("$@")
[ ${#CONNECTIONS[@]} -gt 0 ] || CONNECTIONS=(1 8 64 256)
cd "$(dirname "$0")/.."

. "$(dirname "$0")/lib/release-pgswarm.sh"
BINDIR=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)
PGBENCH="$BINDIR/pgbench"
SERVER=$(mktemp /tmp/canned-server-XXXXXX)
gcc -O2 -o "$SERVER" Scripts/canned-server/canned-server.c
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
taskset -c 1 "$SERVER" "$PORT" &
SERVER_PID=$!
trap 'kill $SERVER_PID 2>/dev/null; rm -f "$SERVER"' EXIT
sleep 0.3

OUT="Results/client-ceiling-$(date -u +%Y%m%dT%H%M%SZ)"
mkdir -p "$OUT/runs"
{
  echo "command: Scripts/client-ceiling.sh $ROUNDS $SECONDS_PER_RUN ${CONNECTIONS[*]}"
  machine_lines
  echo "server: Scripts/canned-server/canned-server.c on CPU 1; clients -j 1 on CPU 0; TCP 127.0.0.1"
} >"$OUT/machine.txt"
printf 'SELECT 1;\n' >"$OUT/select1.sql"
for depth in 10 100; do
  { echo '\startpipeline'; for _ in $(seq "$depth"); do echo 'SELECT 1;'; done; echo '\endpipeline'; } \
    >"$OUT/pipeline$depth.sql"
done
export PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=bench PGDATABASE=bench

# One run: prints "queries_per_second cpu_us_per_query syscalls_per_query".
measure() {
  local tool=$1 script=$2 mode=$3 clients=$4 queries=$5 log=$6
  local args=(-n -M "$mode" -f "$OUT/$script" -c "$clients" -j 1 -T "$SECONDS_PER_RUN")
  local command=("$PGBENCH" "${args[@]}")
  [ "$tool" = pgswarm ] && command=("$PGSWARM" run "${args[@]}" --out "$OUT/runs/$(basename "$log" .log)")
  taskset -c 0 /usr/bin/time -f 'TIME %U %S' perf stat -x, -e raw_syscalls:sys_enter -o "$log.perf" \
    "${command[@]}" >"$log" 2>&1 || true
  python3 - "$log" "$SECONDS_PER_RUN" "$queries" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
count = re.search(r"actually processed: (\d+)", text)
cpu = re.search(r"^TIME ([\d.]+) ([\d.]+)", text, re.M)
calls = re.search(r"^(\d+),,raw_syscalls:sys_enter", open(sys.argv[1] + ".perf").read(), re.M)
if not count or not cpu or int(count.group(1)) == 0:
    print("0 0 0")
else:
    n = int(count.group(1)) * int(sys.argv[3])
    syscalls = int(calls.group(1)) / n if calls else 0
    print(f"{n / float(sys.argv[2]):.0f} {(float(cpu.group(1)) + float(cpu.group(2))) / n * 1e6:.3f} {syscalls:.3f}")
PY
}

SCENARIOS=()
for clients in "${CONNECTIONS[@]}"; do SCENARIOS+=("select1.sql prepared $clients 1 SELECT-1-prepared-c$clients"); done
SCENARIOS+=("pipeline10.sql extended 8 10 pipeline-10-c8" "pipeline100.sql extended 8 100 pipeline-100-c8")

: >"$OUT/raw.txt"
for scenario in "${SCENARIOS[@]}"; do
  read -r script mode clients queries name <<<"$scenario"
  for round in $(seq "$ROUNDS"); do
    for tool in pgbench pgswarm; do
      result=$(measure "$tool" "$script" "$mode" "$clients" "$queries" "$OUT/runs/$name-$tool-$round.log")
      echo "$name $tool $round $result" | tee -a "$OUT/raw.txt"
    done
  done
done

python3 - "$OUT/raw.txt" <<'PY' | tee "$OUT/summary.txt"
import statistics, sys
rows = [line.split() for line in open(sys.argv[1]) if line.strip()]
names = list(dict.fromkeys(r[0] for r in rows))
print("| scenario | pgbench q/s | pgswarm q/s | q/s ratio | pgbench CPU µs/q | pgswarm CPU µs/q | CPU ratio "
      "| pgbench syscalls/q | pgswarm syscalls/q |")
print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
for name in names:
    by = {tool: {r[2]: tuple(map(float, r[3:6])) for r in rows if r[0] == name and r[1] == tool}
          for tool in ("pgbench", "pgswarm")}
    rounds = sorted(set(by["pgbench"]) & set(by["pgswarm"]))
    med = lambda tool, i: statistics.median(by[tool][r][i] for r in rounds)
    ratio = lambda i: statistics.median(by["pgswarm"][r][i] / by["pgbench"][r][i] for r in rounds
                                        if by["pgbench"][r][i] > 0)
    print(f"| {name} | {med('pgbench', 0):,.0f} | {med('pgswarm', 0):,.0f} | {ratio(0):.2f} "
          f"| {med('pgbench', 1):.2f} | {med('pgswarm', 1):.2f} | {ratio(1):.2f} "
          f"| {med('pgbench', 2):.2f} | {med('pgswarm', 2):.2f} |")
PY
echo "written to $OUT"
