/*
 * A select()-based TCP client.
 *
 * usage: select_client ECHO_ADDR
 * ECHO_ADDR is a native echo server.  Exercises select() with read, write
 * and except sets, timeouts, a non-blocking connect waited for with select(),
 * and the end of the stream after shutdown(SHUT_WR).
 */
#include <sys/select.h>
#include <sys/time.h>

#include "testutil.h"

static int select_one(int fd, int rd, int wr, int ex, long ms, int *r, int *w, int *e) {
    fd_set rs, ws, es;
    FD_ZERO(&rs);
    FD_ZERO(&ws);
    FD_ZERO(&es);
    if (rd)
        FD_SET(fd, &rs);
    if (wr)
        FD_SET(fd, &ws);
    if (ex)
        FD_SET(fd, &es);
    struct timeval tv = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
    int n = select(fd + 1, &rs, &ws, &es, ms < 0 ? NULL : &tv);
    *r = FD_ISSET(fd, &rs);
    *w = FD_ISSET(fd, &ws);
    *e = FD_ISSET(fd, &es);
    return n;
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    struct sockaddr_storage addr;
    socklen_t alen = parse_addr(argv[1], &addr);
    REQUIRE(alen > 0);

    int fd = socket(addr.ss_family, SOCK_STREAM, IPPROTO_TCP);
    REQUIRE(fd >= 0);
    REQUIRE(connect(fd, (struct sockaddr *)&addr, alen) == 0);
    int r, w, e;

    /* Nothing to read yet; writable at once. */
    CHECK(select_one(fd, 1, 0, 0, 0, &r, &w, &e) == 0 && !r);
    CHECK(select_one(fd, 0, 1, 0, 1000, &r, &w, &e) == 1 && w);
    ok("select: writable, nothing to read");

    /* A timeout expires. */
    double t0 = now_ms();
    CHECK(select_one(fd, 1, 0, 0, 200, &r, &w, &e) == 0);
    double waited = now_ms() - t0;
    CHECK(waited >= 150 && waited < 5000);
    ok("select: timeout");

    /* Echo round trips waited for with select. */
    for (int i = 0; i < 20; ++i) {
        char msg[64], got[64];
        int len = snprintf(msg, sizeof msg, "select message %d", i);
        CHECK(send(fd, msg, (size_t)len, 0) == len);
        size_t have = 0;
        while (have < (size_t)len) {
            if (!CHECK(select_one(fd, 1, 0, 0, 5000, &r, &w, &e) == 1 && r))
                break;
            ssize_t n = recv(fd, got + have, sizeof got - have, 0);
            if (!CHECK(n > 0))
                break;
            have += (size_t)n;
        }
        CHECK(have == (size_t)len && memcmp(msg, got, (size_t)len) == 0);
    }
    ok("select: 20 echo round trips");

    /* An except set is accepted (and never reports anything). */
    CHECK(select_one(fd, 0, 1, 1, 1000, &r, &w, &e) == 1 && w && !e);
    ok("select: except set accepted");

    /* A non-blocking connect waited for with select(write + except). */
    int nb = socket(addr.ss_family, SOCK_STREAM, 0);
    REQUIRE(nb >= 0);
    int on = 1;
    CHECK(ioctl(nb, FIONBIO, &on) == 0);
    CHECK_ERR(connect(nb, (struct sockaddr *)&addr, alen), EINPROGRESS);
    CHECK(select_one(nb, 0, 1, 1, 5000, &r, &w, &e) >= 1 && w && !e);
    int soerr = -1;
    socklen_t slen = sizeof soerr;
    CHECK(getsockopt(nb, SOL_SOCKET, SO_ERROR, &soerr, &slen) == 0 && soerr == 0);
    CHECK(close(nb) == 0);
    ok("select: non-blocking connect");

    /* Several fds in one set. */
    int fd2 = socket(addr.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd2 >= 0 && connect(fd2, (struct sockaddr *)&addr, alen) == 0);
    CHECK(send(fd2, "x", 1, 0) == 1);
    fd_set rs;
    FD_ZERO(&rs);
    FD_SET(fd, &rs);
    FD_SET(fd2, &rs);
    struct timeval tv = {5, 0};
    int maxfd = fd > fd2 ? fd : fd2;
    CHECK(select(maxfd + 1, &rs, NULL, NULL, &tv) == 1 && FD_ISSET(fd2, &rs) && !FD_ISSET(fd, &rs));
    char c;
    CHECK(recv(fd2, &c, 1, 0) == 1 && c == 'x');
    CHECK(close(fd2) == 0);
    ok("select: two fds");

    /* shutdown(SHUT_WR): the echo server sees EOF and closes; we see EOF. */
    CHECK(shutdown(fd, SHUT_WR) == 0);
    CHECK(select_one(fd, 1, 0, 0, 5000, &r, &w, &e) == 1 && r);
    char buf[16];
    CHECK(recv(fd, buf, sizeof buf, 0) == 0);
    ok("select: end of stream after shutdown");
    CHECK(close(fd) == 0);
    return finish("select_client");
}
