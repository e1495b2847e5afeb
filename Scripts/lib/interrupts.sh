# Sourced by the benchmark scripts. `ipis` prints the interprocessor interrupts so far (rescheduling and
# function-call IPIs, all CPUs): waking a task on a CPU that is idle or busy with another costs one, so their count
# per transaction tells a run's scheduling regime (docs/performance.md); 0 where /proc/interrupts has no such lines.
ipis() { awk '/^ *(RES|CAL):/ {for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i} END {print s + 0}' /proc/interrupts; }
