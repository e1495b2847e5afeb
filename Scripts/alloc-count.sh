#!/usr/bin/env bash
# Allocations per transaction on the event loops (the load loop), measured with an LD_PRELOAD malloc counter.
#
# Usage: Scripts/alloc-count.sh [CLIENTS]       (default 8)
#
# Runs each built-in script in each query mode, with each driver (--io direct, --io nio), twice against a throwaway server, with -t 500 and -t 3000 per
# client; connection setup, plan compilation and the summary are the same in both runs, so the difference in
# event-loop allocations divided by the extra transactions is what one transaction allocates. Expected: 0.00.
set -euo pipefail
CLIENTS=${1:-8}
cd "$(dirname "$0")/.."
. "$(dirname "$0")/lib/release-pgswarm.sh"
SHIM=$(mktemp /tmp/malloc-count-XXXXXX.so)
gcc -O2 -shared -fPIC -o "$SHIM" Scripts/malloc-count/malloc-count.c
OUT=$(mktemp -d /tmp/pgswarm-alloc-XXXXXX)

# A throwaway server, initialised at scale 1; `--temp-postgres` would start one per run, so start it once here.
. "$(dirname "$0")/lib/throwaway-postgres.sh"
CLEANUP_PATHS+=("$SHIM" "$OUT")
start_throwaway_postgres alloc
export PGHOST=127.0.0.1 PGPORT=$PG_PORT PGUSER=postgres PGDATABASE=postgres
"$PGSWARM" init -s 1 -q >/dev/null

loop_allocations() {
  LD_PRELOAD="$SHIM" "$PGSWARM" run -n -c "$CLIENTS" -j 2 -t "$1" -M "$2" -b "$3" --io "$4" --out "$OUT/run" 2>&1 >/dev/null \
    | sed -n 's/.*total, \([0-9]*\) on event loops.*/\1/p'
}

printf '%-7s %-10s %-14s %10s %10s %14s\n' driver mode script 'allocs@500' 'allocs@3000' 'allocs/tx'
for io in direct nio; do
  for mode in simple extended prepared; do
    for script in tpcb-like simple-update select-only; do
      low=$(loop_allocations 500 "$mode" "$script" "$io")
      high=$(loop_allocations 3000 "$mode" "$script" "$io")
      per=$(python3 -c "print(f'{($high - $low) / (2500 * $CLIENTS):.4f}')")
      printf '%-7s %-10s %-14s %10s %10s %14s\n' "$io" "$mode" "$script" "$low" "$high" "$per"
    done
  done
done
