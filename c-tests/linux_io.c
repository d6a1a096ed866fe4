/*
 * The Linux oracle for socket I/O semantics: this one program is built
 * natively with gcc and as a guest with wasock-cc, runs the same scenarios
 * on loopback, and prints one line per observation, symbolically (flag and
 * errno names, never numbers: wasi-libc's values are not Linux's).
 * e2e/tests/linux_oracle.rs runs both and requires identical output.
 *
 * Every connection is made inside the program (a listener and its clients),
 * so no peer is needed.  Guest rules: --allow-bind 127.0.0.1 --allow-connect 127.0.0.1.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include "oracle.h"

/* The monotonic clock, in ms. */
static double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static struct sockaddr_in loopback(unsigned short port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return a;
}

static unsigned short port_of(int fd) {
    struct sockaddr_in a;
    socklen_t len = sizeof a;
    if (getsockname(fd, (struct sockaddr *)&a, &len) != 0)
        die("getsockname");
    return ntohs(a.sin_port);
}

static int bound(int type) {
    int fd = socket(AF_INET, type, 0);
    struct sockaddr_in a = loopback(0);
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0)
        die("socket/bind");
    return fd;
}

static int listener(int backlog) {
    int fd = bound(SOCK_STREAM);
    if (listen(fd, backlog) != 0)
        die("listen");
    return fd;
}

/* A connected pair through listener l: *c the client, *s the accepted end. */
static void tcp_pair(int l, int *c, int *s) {
    struct sockaddr_in a = loopback(port_of(l));
    *c = socket(AF_INET, SOCK_STREAM, 0);
    if (*c < 0 || connect(*c, (struct sockaddr *)&a, sizeof a) != 0)
        die("connect");
    *s = accept(l, NULL, NULL);
    if (*s < 0)
        die("accept");
}

/* A pair of UDP sockets connected to each other. */
static void udp_pair(int *a, int *b) {
    *a = bound(SOCK_DGRAM);
    *b = bound(SOCK_DGRAM);
    struct sockaddr_in to_b = loopback(port_of(*b)), to_a = loopback(port_of(*a));
    if (connect(*a, (struct sockaddr *)&to_b, sizeof to_b) != 0 ||
        connect(*b, (struct sockaddr *)&to_a, sizeof to_a) != 0)
        die("udp connect");
}

/* Polls one fd; prints "LABEL: poll=N revents=..." */
static int show_poll(const char *label, int fd, short events, int ms) {
    struct pollfd p = {.fd = fd, .events = events, .revents = 0x7 /* must be cleared */};
    int n = poll(&p, 1, ms);
    printf("%s: poll=%s revents=%s\n", label, res(n), ev_names(p.revents));
    return p.revents;
}

/* Waits (up to 2 s) until fd shows any of `events` or an error. */
static void settle(int fd, short events) {
    struct pollfd p = {.fd = fd, .events = events};
    (void)poll(&p, 1, 2000);
}

static int so_error(int fd) {
    int e = -1;
    socklen_t len = sizeof e;
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0)
        die("SO_ERROR");
    return e;
}

static void reset_by_peer(int s) {
    struct linger lg = {.l_onoff = 1, .l_linger = 0};
    if (setsockopt(s, SOL_SOCKET, SO_LINGER, &lg, sizeof lg) != 0)
        die("SO_LINGER");
    close(s);
}

/* Item 1: a zero-length read() returns 0 at once and consumes nothing;
 * recv(..., 0, ...) is the protocol's own business. */
static void zero_length(int l) {
    char buf[16];
    int c, s;
    tcp_pair(l, &c, &s);
    printf("read(tcp idle, 0): %s\n", res(read(c, buf, 0)));
    printf("recv(tcp idle, 0, MSG_DONTWAIT): %s\n", res(recv(c, buf, 0, MSG_DONTWAIT)));
    write(s, "hello", 5);
    settle(c, POLLIN);
    printf("read(tcp data, 0): %s\n", res(read(c, buf, 0)));
    printf("recv(tcp data, 0): %s\n", res(recv(c, buf, 0, 0)));
    printf("then recv: %s\n", res(recv(c, buf, sizeof buf, 0)));
    close(c);
    close(s);

    int a, b;
    udp_pair(&a, &b);
    printf("read(udp idle, 0): %s\n", res(read(a, buf, 0)));
    send(b, "hello", 5, 0);
    settle(a, POLLIN);
    printf("read(udp datagram, 0): %s\n", res(read(a, buf, 0)));
    printf("recv(udp datagram, 0): %s\n", res(recv(a, buf, 0, 0)));
    printf("then recv(MSG_DONTWAIT): %s\n", res(recv(a, buf, sizeof buf, MSG_DONTWAIT)));
    close(a);
    close(b);
}

/* Item 3: events = 0, fd < 0, a closed fd, timeouts. */
static void poll_entries(int l) {
    int c, s;
    tcp_pair(l, &c, &s);
    show_poll("events=0 idle", c, 0, 0);
    write(s, "x", 1);
    settle(c, POLLIN);
    show_poll("events=0 readable", c, 0, 0);

    struct pollfd p[3] = {{.fd = -1, .events = POLLIN, .revents = 0x7},
                          {.fd = c, .events = 0, .revents = 0x7},
                          {.fd = c, .events = POLLIN | POLLRDNORM, .revents = 0}};
    int n = poll(p, 3, 1000);
    printf("fd=-1, events=0, POLLIN|POLLRDNORM: poll=%s revents=%s, %s, %s\n", res(n), ev_names(p[0].revents),
           ev_names(p[1].revents), ev_names(p[2].revents));

    int closed = socket(AF_INET, SOCK_STREAM, 0);
    close(closed);
    struct pollfd q[2] = {{.fd = closed, .events = POLLIN}, {.fd = c, .events = POLLIN}};
    n = poll(q, 2, 1000);
    printf("closed fd and a readable one: poll=%s revents=%s, %s\n", res(n), ev_names(q[0].revents),
           ev_names(q[1].revents));
    q[0].events = 0;
    n = poll(q, 1, 1000);
    printf("closed fd, events=0: poll=%s revents=%s\n", res(n), ev_names(q[0].revents));

    char buf[4];
    recv(c, buf, sizeof buf, 0);
    double t0 = now_ms();
    show_poll("timeout 0 idle", c, POLLIN, 0);
    show_poll("timeout 150 idle", c, POLLIN, 150);
    double dt = now_ms() - t0;
    printf("timeout 150 waited >= 140 ms: %s\n", dt >= 140 ? "yes" : "no");
    write(s, "y", 1);
    show_poll("timeout -1 readable", c, POLLIN, -1);
    show_poll("POLLOUT|POLLWRNORM writable", c, POLLOUT | POLLWRNORM, -1);
    close(c);
    close(s);
}

/* Items 2 and 3: half-close, reset, refused connect, shutdown. */
static void poll_conditions(int l) {
    char buf[16];
    int c, s;
    const short all = POLLIN | POLLOUT | POLLRDHUP;

    tcp_pair(l, &c, &s);
    shutdown(s, SHUT_WR);
    settle(c, POLLRDHUP);
    show_poll("peer half-close, POLLIN", c, POLLIN, 1000);
    show_poll("peer half-close, POLLIN|POLLOUT|POLLRDHUP", c, all, 1000);
    show_poll("peer half-close, events=0", c, 0, 0);
    printf("peer half-close, recv: %s\n", res(recv(c, buf, sizeof buf, 0)));
    close(c);
    close(s);

    tcp_pair(l, &c, &s);
    reset_by_peer(s);
    settle(c, POLLIN);
    show_poll("peer reset, events=0", c, 0, 0);
    show_poll("peer reset, POLLIN|POLLOUT|POLLRDHUP", c, all, 1000);
    printf("peer reset, recv: %s\n", res(recv(c, buf, sizeof buf, 0)));
    show_poll("peer reset, after recv", c, all, 1000);
    printf("peer reset, recv again: %s\n", res(recv(c, buf, sizeof buf, 0)));
    close(c);

    tcp_pair(l, &c, &s);
    reset_by_peer(s);
    settle(c, POLLIN);
    printf("peer reset, send: %s\n", res(send(c, "x", 1, MSG_NOSIGNAL)));
    printf("peer reset, SO_ERROR after send: %s\n", err_name(so_error(c)));
    close(c);

    int dead = bound(SOCK_STREAM);
    struct sockaddr_in to = loopback(port_of(dead));
    close(dead);
    c = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    printf("refused non-blocking connect: %s\n", res(connect(c, (struct sockaddr *)&to, sizeof to)));
    show_poll("refused connect, POLLOUT", c, POLLOUT, 2000);
    printf("refused connect, SO_ERROR: %s\n", err_name(so_error(c)));
    printf("refused connect, SO_ERROR again: %s\n", err_name(so_error(c)));
    show_poll("refused connect, after SO_ERROR", c, all, 0);
    close(c);

    tcp_pair(l, &c, &s);
    shutdown(c, SHUT_RDWR);
    show_poll("after shutdown(SHUT_RDWR)", c, all | POLLWRNORM | POLLRDNORM, 1000);
    show_poll("after shutdown(SHUT_RDWR), POLLOUT", c, POLLOUT, 1000);
    printf("after shutdown(SHUT_RDWR), send: %s\n", res(send(c, "x", 1, MSG_NOSIGNAL)));
    close(c);
    close(s);

    tcp_pair(l, &c, &s);
    shutdown(c, SHUT_WR);
    show_poll("after own shutdown(SHUT_WR)", c, all, 0);
    close(c);
    close(s);
}

/* A connected UDP socket told by ICMP that nobody listens: POLLERR alone
 * on POLLIN (no datagram is queued), with POLLOUT on POLLOUT. */
static void udp_error(int unused) {
    (void)unused;
    char buf[4];
    int dead = bound(SOCK_DGRAM);
    struct sockaddr_in to = loopback(port_of(dead));
    close(dead);
    int u = bound(SOCK_DGRAM);
    if (connect(u, (struct sockaddr *)&to, sizeof to) != 0)
        die("udp connect");
    send(u, "x", 1, 0);
    settle(u, POLLIN);
    show_poll("udp refused, POLLIN", u, POLLIN, 1000);
    show_poll("udp refused, POLLIN|POLLOUT", u, POLLIN | POLLOUT, 1000);
    show_poll("udp refused, events=0", u, 0, 1000);
    printf("udp refused, recv: %s\n", res(recv(u, buf, sizeof buf, MSG_DONTWAIT)));
    show_poll("udp refused, after recv", u, POLLIN | POLLOUT, 0);
    close(u);
}

/* select() agrees with poll(): errors and hang-ups are readable and writable. */
static void select_conditions(int l) {
    int c, s;
    tcp_pair(l, &c, &s);
    reset_by_peer(s);
    settle(c, POLLIN);
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(c, &r);
    FD_SET(c, &w);
    struct timeval tv = {1, 0};
    int n = select(c + 1, &r, &w, NULL, &tv);
    printf("select on a reset socket: %s read=%d write=%d\n", res(n), FD_ISSET(c, &r) != 0, FD_ISSET(c, &w) != 0);
    close(c);

    tcp_pair(l, &c, &s);
    shutdown(s, SHUT_WR);
    settle(c, POLLIN);
    FD_ZERO(&r);
    FD_SET(c, &r);
    tv.tv_sec = 1;
    n = select(c + 1, &r, NULL, NULL, &tv);
    printf("select on a half-closed socket: %s read=%d\n", res(n), FD_ISSET(c, &r) != 0);
    close(c);
    close(s);
}

/* Non-socket fds still work, also beside sockets (the host's mixed path). */
static void poll_stdin(int l) {
    show_poll("stdin (/dev/null), POLLIN", 0, POLLIN, 1000);
    int c, s;
    tcp_pair(l, &c, &s);
    reset_by_peer(s);
    settle(c, POLLIN);
    struct pollfd p[2] = {{.fd = c, .events = POLLIN | POLLOUT}, {.fd = 0, .events = 0}};
    int n = poll(p, 2, 1000);
    printf("reset socket beside stdin: poll=%s revents=%s, %s\n", res(n), ev_names(p[0].revents),
           ev_names(p[1].revents));
    close(c);
}

/* Item 4: recvfrom/recvmsg on a connected stream give no address. */
static void stream_source(int l) {
    int c, s;
    tcp_pair(l, &c, &s);
    write(s, "abcdef", 6);
    settle(c, POLLIN);
    char buf[3];
    struct sockaddr_storage from;
    memset(&from, 0xa5, sizeof from);
    socklen_t len = sizeof from;
    ssize_t r = recvfrom(c, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    printf("recvfrom(tcp): %s addrlen=%u\n", res(r), (unsigned)len);
    struct iovec iov = {.iov_base = buf, .iov_len = sizeof buf};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &from;
    m.msg_namelen = sizeof from;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    r = recvmsg(c, &m, 0);
    printf("recvmsg(tcp): %s msg_namelen=%u\n", res(r), (unsigned)m.msg_namelen);
    close(c);
    close(s);

    int a, b;
    udp_pair(&a, &b);
    send(b, "u", 1, 0);
    settle(a, POLLIN);
    len = sizeof from;
    r = recvfrom(a, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    printf("recvfrom(udp): %s addrlen=%s from the peer: %s\n", res(r),
           len == sizeof(struct sockaddr_in) ? "sizeof(sockaddr_in)" : "other",
           ((struct sockaddr_in *)&from)->sin_port == htons(port_of(b)) ? "yes" : "no");
    close(a);
    close(b);
}

/* Item 5: listen(-1) is the system maximum: many connects complete at once
 * (with a backlog of 0 all but the first SYNs wait for the 1 s retry). */
static void big_backlog(int unused) {
    (void)unused;
    enum { N = 64 };
    int l = listener(-1);
    struct sockaddr_in a = loopback(port_of(l));
    int c[N], done = 0;
    double t0 = now_ms();
    for (int i = 0; i < N; ++i) {
        c[i] = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
        if (connect(c[i], (struct sockaddr *)&a, sizeof a) == 0 || errno == EINPROGRESS)
            continue;
        die("connect");
    }
    while (done < N && now_ms() - t0 < 800) {
        struct pollfd p[N];
        for (int i = 0; i < N; ++i)
            p[i] = (struct pollfd){.fd = c[i], .events = POLLOUT};
        poll(p, N, 50);
        done = 0;
        for (int i = 0; i < N; ++i)
            done += (p[i].revents & POLLOUT) && so_error(c[i]) == 0;
    }
    printf("listen(-1), %d non-blocking connects: %d connected within 800 ms\n", N, done);
    for (int i = 0; i < N; ++i)
        close(c[i]);
    close(l);
}

/* Sections, by name: the e2e test runs each as its own test. */
static const struct {
    const char *name;
    void (*run)(int listener);
} sections[] = {
    {"zero_length", zero_length},         {"poll_entries", poll_entries}, {"poll_conditions", poll_conditions},
    {"select_conditions", select_conditions}, {"poll_stdin", poll_stdin},   {"stream_source", stream_source},
    {"big_backlog", big_backlog},         {"udp_error", udp_error},
};

/* usage: linux_io [SECTION...]  (none: every section) */
int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    int l = listener(16);
    for (size_t i = 0; i < sizeof sections / sizeof sections[0]; ++i) {
        int wanted = argc == 1;
        for (int k = 1; k < argc; ++k)
            wanted |= strcmp(argv[k], sections[i].name) == 0;
        if (wanted)
            sections[i].run(l);
    }
    close(l);
    printf("done\n");
    return 0;
}
