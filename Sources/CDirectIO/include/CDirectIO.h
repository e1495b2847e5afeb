// The Linux system calls the direct event loop needs that Swift's Glibc module does not export.
#ifndef CDIRECTIO_H
#define CDIRECTIO_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#include <sys/prctl.h>

// Names the calling thread (prctl is variadic, which Swift cannot call).
static inline void cdirectio_name_thread(const char *name) {
    prctl(PR_SET_NAME, (unsigned long)name, 0, 0, 0);
}
#endif
