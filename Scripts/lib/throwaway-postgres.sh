# Sourced by the benchmark scripts: a throwaway PostgreSQL in a temporary directory, stopped and removed on exit.
#
#   . "$(dirname "$0")/lib/throwaway-postgres.sh"
#   start_throwaway_postgres NAME ["conf line" ...]   # sets BINDIR, BASE (its directory), PG_PORT, AS; the server
#                                                      # listens on 127.0.0.1:$PG_PORT and a socket in $BASE
#   CLEANUP_PATHS+=("$OUT")                            # more to remove on exit
#   CLEANUP_COMMANDS+=("kill ...")                     # more to run on exit (before the server stops)
#
# initdb refuses to run as root: as root, the cluster belongs to user postgres and its commands run through
# `runuser -u postgres --` (the AS array, for the caller's own commands too). The server is configured for
# benchmarking, not durability: fsync, synchronous_commit and full_page_writes off. PGSWARM_PG_BINDIR picks the
# binaries (default: the newest /usr/lib/postgresql/*/bin).

BINDIR=${PGSWARM_PG_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
AS=()
BASE=
CLEANUP_PATHS=()
CLEANUP_COMMANDS=()

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

throwaway_exit() {
  local command
  for command in "${CLEANUP_COMMANDS[@]}"; do eval "$command" >/dev/null 2>&1 || true; done
  if [ -n "$BASE" ]; then
    "${AS[@]}" "$BINDIR/pg_ctl" -D "$BASE/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$BASE"
  fi
  [ ${#CLEANUP_PATHS[@]} -eq 0 ] || rm -rf "${CLEANUP_PATHS[@]}"
}
trap throwaway_exit EXIT

start_throwaway_postgres() {
  local name=$1 line
  shift
  if [ -z "$BINDIR" ] || [ ! -x "$BINDIR/initdb" ]; then
    echo "$(basename "$0"): no PostgreSQL binaries (apt-get install -y postgresql, or set PGSWARM_PG_BINDIR)" >&2
    exit 1
  fi
  BASE=$(mktemp -d "/tmp/pgswarm-$name-XXXXXX")
  if [ "$(id -u)" = 0 ]; then chown postgres "$BASE"; AS=(runuser -u postgres --); fi
  PG_PORT=$(free_port)
  "${AS[@]}" "$BINDIR/initdb" -D "$BASE/data" -U postgres -A trust --no-sync >/dev/null
  {
    echo "listen_addresses = '127.0.0.1'"
    echo "port = $PG_PORT"
    echo "unix_socket_directories = '$BASE'"
    echo "fsync = off"
    echo "synchronous_commit = off"
    echo "full_page_writes = off"
    for line in "$@"; do echo "$line"; done
  } >>"$BASE/data/postgresql.auto.conf"
  "${AS[@]}" "$BINDIR/pg_ctl" -D "$BASE/data" -l "$BASE/server.log" -w start >/dev/null
}
