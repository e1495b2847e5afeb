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
// Pins the calling thread to one CPU; 0 or an errno.
int cdirectio_pin_thread(int cpu);

// The CPU that last processed the socket's incoming packets (SO_INCOMING_CPU), or -1. On loopback the receive path
// runs on the sending process's CPU, so for a client's socket this names the CPU its server backend ran on.
int cdirectio_incoming_cpu(int fd);

// The CPUs this process may run on, in increasing order, at most `capacity` of them; returns how many.
int cdirectio_allowed_cpus(int *cpus, int capacity);
#endif
