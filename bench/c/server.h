/*
 * What the benchmark's C servers share: a non-blocking listener on
 * 127.0.0.1:PORT, the `LISTENING port=N` line the driver waits for, and a
 * bounded lifetime, so a server the driver failed to stop still exits.
 *
 * Plain POSIX; each server includes this once (static functions).
 */
#ifndef BENCH_SERVER_H
#define BENCH_SERVER_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A server exits on its own after this long (the driver stops it sooner). */
#define SERVER_LIFETIME_SECS 600

static const char *server_name;

static void die(const char *what) {
    fprintf(stderr, "%s: %s: %s\n", server_name, what, strerror(errno));
    exit(1);
}

static void set_nonblocking(int fd) {
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0)
        die("fcntl(O_NONBLOCK)");
}

/* Parses PORT (1-65535) or exits with the usage line. */
static int parse_port(const char *arg, const char *usage) {
    char *end;
    long port = strtol(arg, &end, 10);
    if (*end || port <= 0 || port > 65535) {
        fputs(usage, stderr);
        exit(2);
    }
    return (int)port;
}

/* A non-blocking listener on 127.0.0.1:port, announced on stdout. */
static int listen_on(int port) {
    int srv = socket(AF_INET, SOCK_STREAM, 0);
    if (srv < 0)
        die("socket");
    int one = 1;
    if (setsockopt(srv, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        die("setsockopt(SO_REUSEADDR)");
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short)port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(srv, (struct sockaddr *)&addr, sizeof addr) != 0)
        die("bind");
    if (listen(srv, 1024) != 0)
        die("listen");
    set_nonblocking(srv);
    printf("LISTENING port=%d\n", port);
    fflush(stdout);
    return srv;
}

/* The next queued connection, non-blocking; -1 when none is left (a
 * connection the peer already gave up on counts as none). */
static int accept_next(int srv) {
    for (;;) {
        int fd = accept(srv, NULL, NULL);
        if (fd >= 0) {
            set_nonblocking(fd);
            return fd;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == ECONNABORTED)
            return -1;
        die("accept");
    }
}

/* Whether the server's lifetime is over (checked once per poll round). */
static int lifetime_over(void) {
    static time_t start;
    time_t t = time(NULL);
    if (start == 0)
        start = t;
    return t - start > SERVER_LIFETIME_SECS;
}

#endif
