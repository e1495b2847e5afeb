// An LD_PRELOAD shim that counts heap allocations (malloc, calloc, realloc, aligned forms) and prints the total
// to stderr when the process exits. Used by Scripts/alloc-count.sh to show the load loop allocates nothing per
// transaction. glibc's __libc_* entry points avoid the dlsym-calls-calloc recursion.
#define _GNU_SOURCE
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);

static atomic_ulong allocations;
/// Allocations made on the load loop's threads: the direct driver's ("pgswarm-loop") or SwiftNIO's ("NIO-ELT-...").
static atomic_ulong loopAllocations;
static __thread int onEventLoop;

static void count(void) {
    atomic_fetch_add_explicit(&allocations, 1, memory_order_relaxed);
    if (!onEventLoop) {
        // The thread may be named after its first allocation, so ask again until it is an event loop.
        char name[17] = {0};
        prctl(PR_GET_NAME, name, 0, 0, 0);
        onEventLoop = strncmp(name, "NIO-ELT", 7) == 0 || strncmp(name, "pgswarm-loop", 12) == 0;
    }
    if (onEventLoop) atomic_fetch_add_explicit(&loopAllocations, 1, memory_order_relaxed);
}

void *malloc(size_t size) { count(); return __libc_malloc(size); }
void *calloc(size_t n, size_t size) { count(); return __libc_calloc(n, size); }
void *realloc(void *p, size_t size) { count(); return __libc_realloc(p, size); }
void *memalign(size_t alignment, size_t size) { count(); return __libc_memalign(alignment, size); }
void *aligned_alloc(size_t alignment, size_t size) { return memalign(alignment, size); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    void *p = memalign(alignment, size);
    if (!p) return 12;  // ENOMEM
    *out = p;
    return 0;
}

__attribute__((destructor)) static void report(void) {
    char line[96];
    int n = snprintf(line, sizeof line, "malloc-count: %lu total, %lu on event loops\n",
                     atomic_load(&allocations), atomic_load(&loopAllocations));
    if (n > 0) { ssize_t ignored = write(2, line, (size_t)n); (void)ignored; }
}
