// The least a client can do per transaction: how low client CPU per transaction can go on this machine.
//
// Not part of pgswarm: a yardstick for Scripts/ceiling.sh. CONNS connections over THREADS threads, each sending the
// simple query "SELECT 1" and waiting for ReadyForQuery, for SECONDS seconds; no statistics, no script, no parsing
// beyond counting ReadyForQuery messages. Trust authentication only (user and database "postgres").
//
//   ceiling-client PORT CONNS THREADS SECONDS epoll|uring      prints "transactions N"
//
// epoll: one epoll instance per thread, level-triggered; a readable socket gets one read, and each completed
// transaction one send of the next query (what pgswarm's direct driver does).
// uring: one io_uring per thread (liburing, SINGLE_ISSUER | DEFER_TASKRUN); every send and receive of a round is
// submitted with a single io_uring_enter, which also waits for the next completion: the fewest system calls a
// client can make. Built only when liburing is there (-DWITH_URING).
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#ifdef WITH_URING
#include <liburing.h>
#endif

static int port, connections, threads, seconds, useUring;
static char query[32];
static int queryLength;
static volatile int stopping;
static long transactions[256];

typedef struct {
    int fd;
    int buffered;
    char buffer[8192];
} Connection;

static void fail(const char *what) { perror(what); exit(1); }

// Counts the ReadyForQuery messages among the complete messages buffered, keeping a partial one for later.
static int readyCount(Connection *c) {
    int offset = 0, ready = 0;
    while (c->buffered - offset >= 5) {
        uint32_t length;
        memcpy(&length, c->buffer + offset + 1, 4);
        length = ntohl(length);
        if (c->buffered - offset < 1 + (int)length) break;
        if (c->buffer[offset] == 'Z') ready++;
        if (c->buffer[offset] == 'E') { fprintf(stderr, "ceiling-client: the server sent an error\n"); exit(1); }
        offset += 1 + length;
    }
    memmove(c->buffer, c->buffer + offset, c->buffered - offset);
    c->buffered -= offset;
    return ready;
}

static void connectAndLogIn(Connection *c) {
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = htons(port)};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(c->fd, (struct sockaddr *)&address, sizeof address) != 0) fail("connect");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    char startup[64];
    int length = 8;
    uint32_t version = htonl(3 << 16);
    memcpy(startup + 4, &version, 4);
    const char *pairs[] = {"user", "postgres", "database", "postgres"};
    for (int i = 0; i < 4; i++) {
        strcpy(startup + length, pairs[i]);
        length += strlen(pairs[i]) + 1;
    }
    startup[length++] = 0;
    uint32_t total = htonl(length);
    memcpy(startup, &total, 4);
    if (write(c->fd, startup, length) != length) fail("write");
    c->buffered = 0;
    while (readyCount(c) == 0) {
        int got = read(c->fd, c->buffer + c->buffered, sizeof c->buffer - c->buffered);
        if (got <= 0) fail("read during startup");
        c->buffered += got;
    }
}

static long runEpoll(Connection *cs, int n) {
    long done = 0;
    int epoll = epoll_create1(0);
    for (int i = 0; i < n; i++) {
        struct epoll_event event = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(epoll, EPOLL_CTL_ADD, cs[i].fd, &event);
        send(cs[i].fd, query, queryLength, MSG_NOSIGNAL);
    }
    struct epoll_event events[256];
    while (!stopping) {
        int ready = epoll_wait(epoll, events, 256, 100);
        for (int e = 0; e < ready; e++) {
            Connection *c = &cs[events[e].data.u32];
            int got = read(c->fd, c->buffer + c->buffered, sizeof c->buffer - c->buffered);
            if (got <= 0) fail("read");
            c->buffered += got;
            int completed = readyCount(c);
            if (completed) {
                done += completed;
                send(c->fd, query, queryLength, MSG_NOSIGNAL);
            }
        }
    }
    return done;
}

#ifdef WITH_URING
static long runUring(Connection *cs, int n) {
    long done = 0;
    struct io_uring ring;
    struct io_uring_params params = {0};
    params.flags = IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN | IORING_SETUP_COOP_TASKRUN;
    if (io_uring_queue_init_params(4 * n + 8, &ring, &params) != 0) fail("io_uring_queue_init_params");
    for (int i = 0; i < n; i++) {
        struct io_uring_sqe *sqe = io_uring_get_sqe(&ring);
        io_uring_prep_send(sqe, cs[i].fd, query, queryLength, MSG_NOSIGNAL);
        sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
        sqe->user_data = UINT64_MAX;
        sqe = io_uring_get_sqe(&ring);
        io_uring_prep_recv(sqe, cs[i].fd, cs[i].buffer, sizeof cs[i].buffer, 0);
        sqe->user_data = i;
    }
    struct __kernel_timespec timeout = {0, 100000000};
    while (!stopping) {
        struct io_uring_cqe *cqe;
        io_uring_submit_and_wait_timeout(&ring, &cqe, 1, &timeout, NULL);
        unsigned head, seen = 0;
        io_uring_for_each_cqe(&ring, head, cqe) {
            seen++;
            if (cqe->user_data == UINT64_MAX) continue;  // a failed send
            Connection *c = &cs[cqe->user_data];
            if (cqe->res <= 0) fail("recv");
            c->buffered += cqe->res;
            int completed = readyCount(c);
            struct io_uring_sqe *sqe;
            if (completed) {
                done += completed;
                sqe = io_uring_get_sqe(&ring);
                io_uring_prep_send(sqe, c->fd, query, queryLength, MSG_NOSIGNAL);
                sqe->flags |= IOSQE_CQE_SKIP_SUCCESS;
                sqe->user_data = UINT64_MAX;
            }
            sqe = io_uring_get_sqe(&ring);
            io_uring_prep_recv(sqe, c->fd, c->buffer + c->buffered, sizeof c->buffer - c->buffered, 0);
            sqe->user_data = cqe->user_data;
        }
        io_uring_cq_advance(&ring, seen);
    }
    return done;
}
#endif

static void *worker(void *argument) {
    long index = (long)argument;
    int n = connections / threads + (index < connections % threads);
    Connection *cs = calloc(n, sizeof(Connection));
    for (int i = 0; i < n; i++) connectAndLogIn(&cs[i]);
#ifdef WITH_URING
    transactions[index] = useUring ? runUring(cs, n) : runEpoll(cs, n);
#else
    transactions[index] = runEpoll(cs, n);
#endif
    return NULL;
}

int main(int argc, char **argv) {
    if (argc != 6) {
        fprintf(stderr, "usage: ceiling-client PORT CONNS THREADS SECONDS epoll|uring\n");
        return 2;
    }
    port = atoi(argv[1]);
    connections = atoi(argv[2]);
    threads = atoi(argv[3]);
    seconds = atoi(argv[4]);
    useUring = strcmp(argv[5], "uring") == 0;
#ifndef WITH_URING
    if (useUring) { fprintf(stderr, "ceiling-client: built without liburing\n"); return 2; }
#endif
    if (threads < 1 || threads > 256 || connections < threads) { fprintf(stderr, "bad CONNS/THREADS\n"); return 2; }
    const char *sql = "SELECT 1";
    queryLength = 1 + 4 + strlen(sql) + 1;
    query[0] = 'Q';
    uint32_t length = htonl(queryLength - 1);
    memcpy(query + 1, &length, 4);
    strcpy(query + 5, sql);
    pthread_t workers[256];
    for (long i = 0; i < threads; i++) pthread_create(&workers[i], NULL, worker, (void *)i);
    sleep(seconds);
    stopping = 1;
    long total = 0;
    for (int i = 0; i < threads; i++) {
        pthread_join(workers[i], NULL);
        total += transactions[i];
    }
    printf("transactions %ld\n", total);
    return 0;
}
