/*
 * The echo_500 server: one poll() loop echoing every byte on every
 * connection, all sockets non-blocking.
 *
 *   echo_server PORT
 *
 * Plain POSIX, built with gcc -O2 and with wasock-cc -O2. Prints
 * `LISTENING port=PORT` once it listens, then serves until it is killed
 * (or SERVER_LIFETIME_SECS pass). Up to MAX_CONNS connections at once; past
 * that a new connection is closed at once.
 */
#include <poll.h>

#include "server.h"

#define MAX_CONNS 2048
#define BUF 16384

/* What is left to write back on one connection (POLLOUT until it is out). */
struct conn {
    char *pending;
    size_t off, len;
};

static struct pollfd fds[MAX_CONNS + 1]; /* [0] is the listener */
static struct conn conns[MAX_CONNS + 1];
static size_t nfds = 1;

static void drop_conn(size_t i) {
    close(fds[i].fd);
    free(conns[i].pending);
    nfds--;
    fds[i] = fds[nfds];
    conns[i] = conns[nfds];
}

static void accept_all(int srv) {
    for (int c; (c = accept_next(srv)) >= 0;) {
        if (nfds > MAX_CONNS) {
            close(c);
            continue;
        }
        fds[nfds] = (struct pollfd){.fd = c, .events = POLLIN};
        conns[nfds] = (struct conn){0};
        nfds++;
    }
}

/* Writes what is pending; returns -1 when the connection is dead. */
static int flush(size_t i) {
    struct conn *c = &conns[i];
    while (c->off < c->len) {
        ssize_t n = write(fds[i].fd, c->pending + c->off, c->len - c->off);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            fds[i].events = POLLOUT;
            return 0;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return -1;
        c->off += (size_t)n;
    }
    c->off = c->len = 0;
    fds[i].events = POLLIN;
    return 0;
}

/* Reads what arrived and writes it back; returns -1 at EOF or an error. */
static int echo(size_t i) {
    static char buf[BUF];
    ssize_t n = read(fds[i].fd, buf, sizeof buf);
    if (n < 0)
        return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR ? 0 : -1;
    if (n == 0)
        return -1;
    ssize_t w = write(fds[i].fd, buf, (size_t)n);
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
        return -1;
    if (w < 0)
        w = 0;
    if (w == n)
        return 0;
    /* The peer is not reading: keep the rest and wait for POLLOUT. */
    struct conn *c = &conns[i];
    if (!c->pending && !(c->pending = malloc(BUF)))
        die("malloc");
    memcpy(c->pending, buf + w, (size_t)(n - w));
    c->off = 0;
    c->len = (size_t)(n - w);
    fds[i].events = POLLOUT;
    return 0;
}

int main(int argc, char **argv) {
    server_name = "echo_server";
    const char *usage = "usage: echo_server PORT\n";
    if (argc != 2) {
        fputs(usage, stderr);
        return 2;
    }
    int srv = listen_on(parse_port(argv[1], usage));
    fds[0] = (struct pollfd){.fd = srv, .events = POLLIN};
    while (!lifetime_over()) {
        int ready = poll(fds, nfds, 1000);
        if (ready < 0 && errno == EINTR)
            continue;
        if (ready < 0)
            die("poll");
        /* Backwards, so a dropped connection's slot is refilled from one
         * already looked at. */
        for (size_t i = nfds - 1; i >= 1 && ready > 0; i--) {
            short re = fds[i].revents;
            if (!re)
                continue;
            ready--;
            int r = (re & POLLOUT) ? flush(i) : (re & (POLLIN | POLLHUP | POLLERR)) ? echo(i) : 0;
            if (r < 0)
                drop_conn(i);
        }
        if (fds[0].revents & POLLIN)
            accept_all(srv);
    }
    return 0;
}
