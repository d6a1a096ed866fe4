/*
 * Helpers shared by the c-tests/threads programs: each is built with
 * `wasock-cc -pthread` into build/c-tests/threads/NAME.wasm and also
 * compiles natively (cc -pthread), so Linux is the oracle for its output.
 * They need `--allow-bind 127.0.0.1 --allow-connect 127.0.0.1` (loopback
 * only).
 */
#ifndef WASOCK_THREADUTIL_H
#define WASOCK_THREADUTIL_H

#include <pthread.h>

#include "../testutil.h"

/* A listener on 127.0.0.1, a port the kernel picks; its address in *sin. */
static inline int loopback_listener(struct sockaddr_in *sin) {
    int l = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(l >= 0);
    *sin = (struct sockaddr_in){.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof *sin;
    REQUIRE(bind(l, (struct sockaddr *)sin, sizeof *sin) == 0);
    REQUIRE(listen(l, 1) == 0);
    REQUIRE(getsockname(l, (struct sockaddr *)sin, &len) == 0);
    return l;
}

/* A connected TCP pair over 127.0.0.1 (a listener on port 0, closed after
 * the accept): *a is the connecting end, *b the accepted one. */
static inline void loopback_pair(int *a, int *b) {
    struct sockaddr_in sin;
    int l = loopback_listener(&sin);
    *a = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(*a >= 0);
    REQUIRE(connect(*a, (struct sockaddr *)&sin, sizeof sin) == 0);
    *b = accept(l, NULL, NULL);
    REQUIRE(*b >= 0);
    close(l);
}

/* The name of an errno value a blocked call may end with (the numbers
 * differ between WASI and Linux; the names are what the e2e tests compare). */
static inline const char *errno_name(int e) {
    switch (e) {
    case 0: return "0";
    case EBADF: return "EBADF";
    case ECONNRESET: return "ECONNRESET";
    case ECONNABORTED: return "ECONNABORTED";
    case ENOTCONN: return "ENOTCONN";
    case EPIPE: return "EPIPE";
    case EINTR: return "EINTR";
    case EAGAIN: return "EAGAIN";
    case ENOTSOCK: return "ENOTSOCK";
    default: return "other";
    }
}

/* Milliseconds since the first call, which main makes before starting any
 * thread (the programs print times relative to their start). */
static inline long elapsed_ms(void) {
    static double start;
    double now = now_ms();
    if (start == 0)
        start = now;
    return (long)(now - start);
}

static inline void sleep_ms(long ms) {
    struct timespec ts = {.tv_sec = ms / 1000, .tv_nsec = (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

#endif
