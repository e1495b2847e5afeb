// The Linux system calls the direct event loop needs that Swift's Glibc module does not export.
#ifndef CDIRECTIO_H
#define CDIRECTIO_H
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <time.h>
#endif
