# Sourced by the benchmark scripts that run the minimal C client (Scripts/ceiling/ceiling-client.c), from the
# project's root: builds it into a temporary file (removed by lib/throwaway-postgres.sh's cleanup) as CEILING, and
# lists in CEILING_TOOLS the modes it was built with: c-epoll always, c-uring when liburing-dev is installed.
CEILING=$(mktemp /tmp/ceiling-client-XXXXXX)
CLEANUP_PATHS+=("$CEILING")
CEILING_TOOLS=(c-epoll)
if echo '#include <liburing.h>' | gcc -E - >/dev/null 2>&1; then
  gcc -O2 -DWITH_URING -o "$CEILING" Scripts/ceiling/ceiling-client.c -luring -lpthread
  CEILING_TOOLS+=(c-uring)
else
  gcc -O2 -o "$CEILING" Scripts/ceiling/ceiling-client.c -lpthread
  echo "$(basename "$0"): liburing-dev is not installed, so no io_uring client" >&2
fi
