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
corpus="$fuzz/corpus-run/corpus"
seeds="$fuzz/corpus-run/seeds"

# SwiftPM's own sanitizer flags (not -Xswiftc -sanitize=...): only then does it let libFuzzer
# provide `main` instead of the executable's top-level code.
build=(swift build -c debug --sanitize=fuzzer --sanitize=address --package-path "$fuzz")
"${build[@]}" --product FuzzBackendDecoder 2>&1 | grep -v 'ld.gold: warning: Cannot export local symbol' || true
binary="$("${build[@]}" --show-bin-path)/FuzzBackendDecoder"

# Seeds: the decoder tests' byte vectors, written out by one test of the main package.
rm -rf "$seeds"
mkdir -p "$corpus" "$seeds"
PGWIRE_FUZZ_SEED_DIR="$seeds" swift test --package-path "$root" --filter 'PGWireTests.FuzzSeedCorpusTests' >/dev/null
echo "fuzz-decoder: $(ls "$seeds" | wc -l) seed files"

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
executions="$(grep -E '^stat::number_of_executed_units' "$log" | awk '{print $2}' || true)"
echo "fuzz-decoder: ${executions:-?} executions in ${seconds}s, exit status $status"
exit "$status"
