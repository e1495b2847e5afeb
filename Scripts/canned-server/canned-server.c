// A PostgreSQL protocol server that answers every query with PostgreSQL's own reply to `SELECT 1`, as fast as the
// kernel lets one thread do it, so that a client benchmarked against it is the bottleneck. One thread, one epoll.
//
//   canned-server PORT [SOCKET_DIR]      listen on 127.0.0.1:PORT (and SOCKET_DIR/.s.PGSQL.PORT), until SIGTERM
//
// It speaks enough of protocol 3.0 for libpq, pgbench and pgswarm: SSLRequest is refused with 'N'; any startup
// logs in at once (trust): AuthenticationOk, the ParameterStatus messages PostgreSQL 15 sends, BackendKeyData,
// ReadyForQuery. Then:
//   Query        RowDescription(?column? int4) DataRow("1") CommandComplete("SELECT 1") ReadyForQuery('I')
//   Parse        ParseComplete           Bind     BindComplete
//   Describe 'S' ParameterDescription(none) RowDescription     Describe 'P'  RowDescription
//   Execute      DataRow("1") CommandComplete("SELECT 1")
//   Close        CloseComplete           Sync     ReadyForQuery('I')     Flush  (nothing)
//   Terminate    the connection is closed
// Every reply is the byte sequence PostgreSQL 15 sends for `SELECT 1` (the same messages, the same sizes); the
// replies to one read are written with one send(2).
#define _GNU_SOURCE
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

enum { MAX_CONNECTIONS = 65536, INPUT_SIZE = 65536, OUTPUT_SIZE = 1 << 20 };

struct connection {
    int fd;
    int started;  // past the startup packet
    size_t input_used;
    unsigned char input[INPUT_SIZE];
};

static struct connection *connections[MAX_CONNECTIONS];
static unsigned char output[OUTPUT_SIZE];
static size_t output_used;
static volatile sig_atomic_t stopping;

static void put(const void *bytes, size_t length) {
    if (output_used + length <= OUTPUT_SIZE) {
        memcpy(output + output_used, bytes, length);
        output_used += length;
    }
}

static void put32(uint32_t value) {
    uint32_t big = htonl(value);
    put(&big, 4);
}

static void put16(uint16_t value) {
    uint16_t big = htons(value);
    put(&big, 2);
}

static void message(char type, const void *payload, size_t length) {
    put(&type, 1);
    put32((uint32_t)length + 4);
    put(payload, length);
}

static void parameter_status(const char *name, const char *value) {
    char payload[256];
    size_t name_length = strlen(name) + 1, value_length = strlen(value) + 1;
    memcpy(payload, name, name_length);
    memcpy(payload + name_length, value, value_length);
    message('S', payload, name_length + value_length);
}

static void ready_for_query(void) { message('Z', "I", 1); }

static void row_description(void) {
    // One column "?column?" of type int4 (OID 23, 4 bytes, typmod -1, text format), as for SELECT 1.
    put("T", 1);
    put32(4 + 2 + 9 + 4 + 2 + 4 + 2 + 4 + 2);
    put16(1);
    put("?column?", 9);
    put32(0);
    put16(0);
    put32(23);
    put16(4);
    put32(0xFFFFFFFFu);
    put16(0);
}

static void data_row_and_complete(void) {
    put("D", 1);
    put32(4 + 2 + 4 + 1);
    put16(1);
    put32(1);
    put("1", 1);
    message('C', "SELECT 1", 9);
}

static void login(void) {
    put("R", 1);
    put32(8);
    put32(0);
    parameter_status("application_name", "");
    parameter_status("client_encoding", "UTF8");
    parameter_status("DateStyle", "ISO, MDY");
    parameter_status("default_transaction_read_only", "off");
    parameter_status("in_hot_standby", "off");
    parameter_status("integer_datetimes", "on");
    parameter_status("IntervalStyle", "postgres");
    parameter_status("is_superuser", "on");
    parameter_status("server_encoding", "UTF8");
    parameter_status("server_version", "15.18 (canned)");
    parameter_status("session_authorization", "postgres");
    parameter_status("standard_conforming_strings", "on");
    parameter_status("TimeZone", "UTC");
    put("K", 1);
    put32(12);
    put32((uint32_t)getpid());
    put32(0x5eed);
    ready_for_query();
}

static void close_connection(int epoll_fd, struct connection *connection) {
    epoll_ctl(epoll_fd, EPOLL_CTL_DEL, connection->fd, NULL);
    close(connection->fd);
    connections[connection->fd] = NULL;
    free(connection);
}

// Answers every whole message in the input; returns 0 to keep the connection, -1 to close it.
static int answer(struct connection *connection) {
    size_t offset = 0;
    while (1) {
        size_t available = connection->input_used - offset;
        unsigned char *at = connection->input + offset;
        if (!connection->started) {
            if (available < 8) break;
            uint32_t length = ntohl(*(uint32_t *)at), code = ntohl(*(uint32_t *)(at + 4));
            if (length < 8 || length > INPUT_SIZE) return -1;
            if (available < length) break;
            offset += length;
            if (code == 80877103 || code == 80877104) {  // SSLRequest, GSSENCRequest
                put("N", 1);
            } else if (code == 80877102) {  // CancelRequest: nothing to cancel
                return -1;
            } else {
                connection->started = 1;
                login();
            }
            continue;
        }
        if (available < 5) break;
        char type = (char)at[0];
        uint32_t length = ntohl(*(uint32_t *)(at + 1));
        if (length < 4 || length + 1 > INPUT_SIZE) return -1;
        if (available < length + 1) break;
        offset += length + 1;
        switch (type) {
        case 'Q': row_description(); data_row_and_complete(); ready_for_query(); break;
        case 'P': message('1', NULL, 0); break;
        case 'B': message('2', NULL, 0); break;
        case 'D':
            if (length >= 5 && at[5] == 'S') { put("t", 1); put32(6); put16(0); }
            row_description();
            break;
        case 'E': data_row_and_complete(); break;
        case 'C': message('3', NULL, 0); break;
        case 'S': ready_for_query(); break;
        case 'H': break;
        case 'X': return -1;
        default: return -1;
        }
    }
    memmove(connection->input, connection->input + offset, connection->input_used - offset);
    connection->input_used -= offset;
    return 0;
}

static int send_all(int fd) {
    size_t sent = 0;
    while (sent < output_used) {
        ssize_t n = send(fd, output + sent, output_used - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            if (errno == EAGAIN) { usleep(50); continue; }  // a slow reader: this server's replies are tiny
            return -1;
        }
        sent += (size_t)n;
    }
    return 0;
}

static int listen_on(struct sockaddr *address, socklen_t length, int family) {
    int fd = socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (fd < 0 || bind(fd, address, length) < 0 || listen(fd, 4096) < 0) {
        perror("canned-server: listen");
        exit(1);
    }
    return fd;
}

static void stop(int signal) { (void)signal; stopping = 1; }

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: canned-server PORT [SOCKET_DIR]\n");
        return 2;
    }
    int port = atoi(argv[1]);
    signal(SIGTERM, stop);
    signal(SIGINT, stop);
    int epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    int listeners[2], listener_count = 0;
    struct sockaddr_in inet = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port),
                               .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    listeners[listener_count++] = listen_on((struct sockaddr *)&inet, sizeof inet, AF_INET);
    if (argc > 2) {
        struct sockaddr_un unix_address = {.sun_family = AF_UNIX};
        snprintf(unix_address.sun_path, sizeof unix_address.sun_path, "%s/.s.PGSQL.%d", argv[2], port);
        unlink(unix_address.sun_path);
        listeners[listener_count++] = listen_on((struct sockaddr *)&unix_address, sizeof unix_address, AF_UNIX);
    }
    for (int i = 0; i < listener_count; i++) {
        struct epoll_event event = {.events = EPOLLIN, .data.fd = listeners[i]};
        epoll_ctl(epoll_fd, EPOLL_CTL_ADD, listeners[i], &event);
    }
    struct epoll_event events[256];
    while (!stopping) {
        int ready = epoll_wait(epoll_fd, events, 256, 200);
        for (int i = 0; i < ready; i++) {
            int fd = events[i].data.fd;
            if (fd == listeners[0] || (listener_count > 1 && fd == listeners[1])) {
                int client;
                while ((client = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
                    if (client >= MAX_CONNECTIONS) { close(client); continue; }
                    int on = 1;
                    setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
                    struct connection *connection = calloc(1, sizeof *connection);
                    connection->fd = client;
                    connections[client] = connection;
                    struct epoll_event event = {.events = EPOLLIN, .data.fd = client};
                    epoll_ctl(epoll_fd, EPOLL_CTL_ADD, client, &event);
                }
                continue;
            }
            struct connection *connection = connections[fd];
            if (!connection) continue;
            ssize_t n = recv(fd, connection->input + connection->input_used, INPUT_SIZE - connection->input_used, 0);
            if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
                close_connection(epoll_fd, connection);
                continue;
            }
            if (n < 0) continue;
            connection->input_used += (size_t)n;
            output_used = 0;
            int verdict = answer(connection);
            if ((output_used > 0 && send_all(fd) < 0) || verdict < 0) close_connection(epoll_fd, connection);
        }
    }
    return 0;
}
