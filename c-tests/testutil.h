/*
 * Helpers shared by the C test guests (each c-tests/NAME.c is a complete
 * program built with build/bin/wasock-cc and run by e2e/tests/c_guests.rs).
 *
 * A test prints "ok: WHAT" lines on stdout for what it checked, "FAIL ..."
 * lines on stderr for what went wrong, and exits 0 only if every check held.
 */
#ifndef WASOCK_TESTUTIL_H
#define WASOCK_TESTUTIL_H

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static int t_failures;

/* Counts a failure; atomic, as the c-tests/threads programs check from
 * several threads. */
static inline void t_fail(void) { __atomic_fetch_add(&t_failures, 1, __ATOMIC_RELAXED); }

static inline int t_check(int ok, const char *what, const char *file, int line) {
    if (!ok) {
        int e = errno;
        t_fail();
        fprintf(stderr, "FAIL %s:%d: %s (errno %d: %s)\n", file, line, what, e, strerror(e));
        errno = e;
    }
    return ok;
}

/* CHECK(cond): records a failure (with errno) when cond is false; yields cond. */
#define CHECK(cond) t_check(!!(cond), #cond, __FILE__, __LINE__)

/* REQUIRE(cond): like CHECK, but exits at once when it fails. */
#define REQUIRE(cond)                                       \
    do {                                                    \
        if (!CHECK(cond)) {                                 \
            fprintf(stderr, "giving up after that\n");      \
            exit(2);                                        \
        }                                                   \
    } while (0)

/* CHECK_ERR(expr, E): expr must return -1 with errno E. */
#define CHECK_ERR(expr, want)                                                          \
    do {                                                                               \
        errno = 0;                                                                     \
        long r_ = (long)(expr);                                                        \
        int e_ = errno;                                                                \
        if (r_ != -1 || e_ != (want)) {                                                \
            t_fail();                                                                  \
            fprintf(stderr, "FAIL %s:%d: %s: want -1/%s (%d), got %ld, errno %d (%s)\n", \
                    __FILE__, __LINE__, #expr, #want, (want), r_, e_, strerror(e_));   \
        }                                                                              \
    } while (0)

/* CHECK_INT(a, b): two ints must be equal. */
#define CHECK_INT(a, b)                                                          \
    do {                                                                         \
        long a_ = (long)(a), b_ = (long)(b);                                     \
        if (a_ != b_) {                                                          \
            t_fail();                                                            \
            fprintf(stderr, "FAIL %s:%d: %s == %s: %ld != %ld\n", __FILE__,       \
                    __LINE__, #a, #b, a_, b_);                                   \
        }                                                                        \
    } while (0)

static inline void ok(const char *what) {
    printf("ok: %s\n", what);
    fflush(stdout);
}

static inline int finish(const char *name) {
    if (t_failures) {
        fprintf(stderr, "%s: %d check(s) failed\n", name, t_failures);
        printf("%s: FAILED\n", name);
        fflush(stdout);
        return 1;
    }
    printf("%s: all checks passed\n", name);
    fflush(stdout);
    return 0;
}

/* Parses "1.2.3.4:PORT" or "[::1]:PORT" (numeric only). */
static inline socklen_t parse_addr(const char *text, struct sockaddr_storage *ss) {
    char host[128];
    const char *colon = strrchr(text, ':');
    if (colon == NULL || (size_t)(colon - text) >= sizeof host)
        return 0;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    char *h = host;
    if (h[0] == '[') {
        h++;
        h[strlen(h) - 1] = '\0';
    }
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV;
    hints.ai_socktype = SOCK_STREAM;
    if (getaddrinfo(h, colon + 1, &hints, &res) != 0)
        return 0;
    socklen_t len = res->ai_addrlen;
    memcpy(ss, res->ai_addr, len);
    freeaddrinfo(res);
    return len;
}

/* Formats a sockaddr as "1.2.3.4:PORT" or "[::1]:PORT". */
static inline const char *fmt_addr(const void *sa, char *buf, size_t len) {
    char host[INET6_ADDRSTRLEN];
    const struct sockaddr *s = sa;
    if (s->sa_family == AF_INET) {
        const struct sockaddr_in *in = sa;
        inet_ntop(AF_INET, &in->sin_addr, host, sizeof host);
        snprintf(buf, len, "%s:%u", host, ntohs(in->sin_port));
    } else if (s->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = sa;
        inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host);
        snprintf(buf, len, "[%s]:%u", host, ntohs(in6->sin6_port));
    } else {
        snprintf(buf, len, "(family %d)", s->sa_family);
    }
    return buf;
}

/* Prints "listening on ADDR" for a bound socket (the e2e harness waits for it). */
static inline void print_listening(int fd) {
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    char buf[80];
    REQUIRE(getsockname(fd, (struct sockaddr *)&ss, &len) == 0);
    printf("listening on %s\n", fmt_addr(&ss, buf, sizeof buf));
    fflush(stdout);
}

static inline double now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

/* Waits up to ms for events on fd; returns revents (0 on timeout). */
static inline int wait_for(int fd, short events, int ms) {
    struct pollfd p = {.fd = fd, .events = events};
    int n = poll(&p, 1, ms);
    return n > 0 ? p.revents : 0;
}

/* Writes all of buf (blocking socket). */
static inline int write_all(int fd, const void *buf, size_t len) {
    const char *p = buf;
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EAGAIN) {
            wait_for(fd, POLLOUT, 5000);
            continue;
        }
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Reads exactly len bytes (waiting with poll if the socket is non-blocking). */
static inline int read_exact(int fd, void *buf, size_t len) {
    char *p = buf;
    while (len > 0) {
        ssize_t n = read(fd, p, len);
        if (n < 0 && errno == EAGAIN) {
            if (!wait_for(fd, POLLIN, 10000))
                return -1;
            continue;
        }
        if (n <= 0)
            return -1;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static inline int sockaddr_equal(const void *a, const void *b) {
    const struct sockaddr *x = a, *y = b;
    if (x->sa_family != y->sa_family)
        return 0;
    if (x->sa_family == AF_INET) {
        const struct sockaddr_in *p = a, *q = b;
        return p->sin_port == q->sin_port && p->sin_addr.s_addr == q->sin_addr.s_addr;
    }
    const struct sockaddr_in6 *p = a, *q = b;
    return p->sin6_port == q->sin6_port &&
           memcmp(&p->sin6_addr, &q->sin6_addr, sizeof p->sin6_addr) == 0;
}

#endif
