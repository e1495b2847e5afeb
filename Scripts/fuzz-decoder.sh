#!/usr/bin/env bash
# Builds the libFuzzer harness for PGWire's backend decoder (Fuzz/) and runs it for a bounded time.
#
#   Scripts/fuzz-decoder.sh [SECONDS]      default 60
#
# The seed corpus is generated from the byte vectors of Tests/PGWireTests (one file per backend
# message). Prints the number of executions and exits non-zero if the fuzzer found a crash.
set -euo pipefail

seconds="${1:-60}"
root="$(cd "$(dirname "$0")/.." && pwd)"
fuzz="$root/Fuzz"
corpus="$fuzz/corpus-run"
seeds="$fuzz/seeds"

swift build -c debug -Xswiftc -sanitize=fuzzer,address --package-path "$fuzz" --product FuzzBackendDecoder
binary="$(swift build -c debug -Xswiftc -sanitize=fuzzer,address --package-path "$fuzz" --show-bin-path)/FuzzBackendDecoder"

mkdir -p "$corpus"
log="$fuzz/corpus-run/last-run.log"
# -rss_limit_mb: an unbounded allocation shows up as an out-of-memory crash.
# -max_len: room for several messages per input.
set +e
"$binary" "$corpus" "$seeds" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -print_final_stats=1 >"$log" 2>&1
status=$?
set -e
tail -n 20 "$log"
executions="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}')"
echo "fuzz-decoder: ${executions:-?} executions in ${seconds}s, exit status $status"
exit "$status"
