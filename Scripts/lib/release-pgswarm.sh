# Sourced by the benchmark scripts, from the project's root: builds pgswarm for release (quietly) and sets PGSWARM
# to the binary; `machine_lines` prints the lines of machine.txt that every benchmark records (after
# lib/throwaway-postgres.sh has set BINDIR).
export PATH="/opt/swift/usr/bin:$PATH"
swift build -c release --product pgswarm >/dev/null
PGSWARM="$PWD/.build/release/pgswarm"

machine_lines() {
  echo "date: $(date -u +%FT%TZ)"
  echo "cpu: $(nproc) x $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "memory: $(free -h | awk '/Mem:/ {print $2}')"
  echo "kernel: $(uname -r)"
  echo "postgresql: $("$BINDIR/postgres" --version)"
  echo "pgbench: $("$BINDIR/pgbench" --version)"
  echo "pgswarm: $("$PGSWARM" version)"
}
