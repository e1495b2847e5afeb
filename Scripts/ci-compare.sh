#!/usr/bin/env bash
# The steps of a CI benchmark job (docs/ci.md): run a baseline and a candidate alternately on one PostgreSQL, compare
# them, write the comparison as Markdown (appended to $GITHUB_STEP_SUMMARY when set) and as JUnit XML, and exit 1
# on a regression. docs/ci/github-actions.yml and docs/ci/gitlab-ci.yml call it; a test runs it against a local
# server (PackagingTests).
#
# Usage: ci-compare.sh --base 'RUN ARGS' --new 'RUN ARGS' [options] [-- ARGS FOR BOTH]
#   --base ARGS          `pgswarm run` arguments of the baseline, split at spaces (e.g. 'base/bench/workload.toml')
#   --base-results DIR   no baseline run: compare against the results directories in DIR (each holding a
#                        summary.json, e.g. an earlier job's artifact)
#   --new ARGS           `pgswarm run` arguments of the candidate
#   --rounds N           runs per side, base and new alternating (default 3)
#   --fail-on T          a threshold as `pgswarm compare` takes it (repeatable; default 'tps<-10%' 'p99>+25%')
#   --thresholds FILE    thresholds, one per line
#   --out DIR            where results go (default pgswarm-ci): base-K/, new-K/, compare.md, compare.xml
#   --pgswarm PATH       the pgswarm binary (default: pgswarm on PATH)
# The server comes from the usual PG* variables (PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE) or ARGS FOR BOTH.
# Exit status: compare's (0 no threshold crossed, 1 a regression, 2 bad input), or a failed run's.
set -euo pipefail

usage() { sed -n '7,19p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

BASE=()
NEW=()
BASE_RESULTS=
ROUNDS=3
THRESHOLDS=()
OUT=pgswarm-ci
PGSWARM=pgswarm
BOTH=()
while [ $# -gt 0 ]; do
  case $1 in
    --base) read -r -a BASE <<<"$2"; shift 2 ;;
    --base-results) BASE_RESULTS=$2; shift 2 ;;
    --new) read -r -a NEW <<<"$2"; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --fail-on) THRESHOLDS+=(--fail-on "$2"); shift 2 ;;
    --thresholds) THRESHOLDS+=(--thresholds "$2"); shift 2 ;;
    --out) OUT=$2; shift 2 ;;
    --pgswarm) PGSWARM=$2; shift 2 ;;
    --) shift; BOTH=("$@"); break ;;
    -h|--help) usage ;;
    *) echo "ci-compare.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
[ ${#NEW[@]} -gt 0 ] || { echo "ci-compare.sh: --new is required" >&2; usage; }
[ ${#BASE[@]} -gt 0 ] || [ -n "$BASE_RESULTS" ] || { echo "ci-compare.sh: --base or --base-results" >&2; usage; }
case $ROUNDS in ''|*[!0-9]*|0) echo "ci-compare.sh: --rounds takes a positive number" >&2; exit 2 ;; esac
[ ${#THRESHOLDS[@]} -gt 0 ] || THRESHOLDS=(--fail-on 'tps<-10%' --fail-on 'p99>+25%')

"$PGSWARM" --version
rm -rf "$OUT"
mkdir -p "$OUT"

run_side() { # NAME ROUND ARGS...
  local name=$1 round=$2
  shift 2
  echo "== $name, round $round of $ROUNDS: pgswarm run $* ${BOTH[*]}"
  "$PGSWARM" run "$@" "${BOTH[@]}" --out "$OUT/$name-$round"
}

for round in $(seq 1 "$ROUNDS"); do
  [ -n "$BASE_RESULTS" ] || run_side base "$round" "${BASE[@]}"
  run_side new "$round" "${NEW[@]}"
done

if [ -n "$BASE_RESULTS" ]; then
  mapfile -t BASE_DIRS < <(find "$BASE_RESULTS" -name summary.json -printf '%h\n' | sort -V)
  [ ${#BASE_DIRS[@]} -gt 0 ] || { echo "ci-compare.sh: no summary.json under $BASE_RESULTS" >&2; exit 2; }
else
  BASE_DIRS=()
  for round in $(seq 1 "$ROUNDS"); do BASE_DIRS+=("$OUT/base-$round"); done
fi
NEW_DIRS=()
for round in $(seq 1 "$ROUNDS"); do NEW_DIRS+=("$OUT/new-$round"); done

# One comparison, three renderings (its statistics are deterministic): Markdown for the job summary, JUnit for the
# test report, text for the log. The exit status is the same for all three.
compare() { "$PGSWARM" compare "${BASE_DIRS[@]}" --new "${NEW_DIRS[@]}" "${THRESHOLDS[@]}" "$@"; }
status=0
compare --format markdown --output "$OUT/compare.md" >/dev/null || status=$?
if [ "$status" -le 1 ]; then
  compare --format junit --output "$OUT/compare.xml" >/dev/null || true
  compare --format text || true
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then cat "$OUT/compare.md" >>"$GITHUB_STEP_SUMMARY"; fi
fi
case $status in
  0) echo "ci-compare.sh: no threshold crossed" ;;
  1) echo "ci-compare.sh: regression (see $OUT/compare.md)" ;;
  *) echo "ci-compare.sh: compare failed (exit $status)" ;;
esac
exit "$status"
