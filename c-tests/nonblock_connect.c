/*
 * Non-blocking connect, to a listening and to a closed port.
 *
 * usage: nonblock_connect ECHO_ADDR CLOSED_ADDR
 * ECHO_ADDR is a native echo server; nothing listens on CLOSED_ADDR.
 * A non-blocking connect must return -1/EINPROGRESS (never an early
 * success), poll() then reports POLLOUT and SO_ERROR the outcome: 0, or
 * ECONNREFUSED (after which SO_ERROR is cleared).
 */
#include "testutil.h"

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    struct sockaddr_storage echo, closed;
    socklen_t elen = parse_addr(argv[1], &echo), clen = parse_addr(argv[2], &closed);
    REQUIRE(elen > 0 && clen > 0);
    int err;
    socklen_t slen;

    /* Success: SOCK_NONBLOCK. */
    int fd = socket(echo.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    REQUIRE(fd >= 0);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK_ERR(connect(fd, (struct sockaddr *)&echo, elen), EINPROGRESS);
    int rev = wait_for(fd, POLLOUT, 5000);
    CHECK(rev & POLLOUT);
    CHECK(!(rev & (POLLERR | POLLHUP)));
    err = -1;
    slen = sizeof err;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &slen) == 0 && err == 0 && slen == sizeof err);
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    CHECK(getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 && sockaddr_equal(&peer, &echo));
    /* Connected and non-blocking: nothing to read yet is EAGAIN (== EWOULDBLOCK). */
    char buf[32];
    CHECK_ERR(recv(fd, buf, sizeof buf, 0), EAGAIN);
    CHECK(EAGAIN == EWOULDBLOCK);
    CHECK(send(fd, "hello", 5, 0) == 5);
    CHECK(wait_for(fd, POLLIN, 5000) & POLLIN);
    CHECK(recv(fd, buf, sizeof buf, 0) == 5 && memcmp(buf, "hello", 5) == 0);
    /* connect() again: 0 once the connection is made (Linux), then EISCONN. */
    errno = 0;
    int again = connect(fd, (struct sockaddr *)&echo, elen);
    CHECK(again == 0 || errno == EISCONN);
    CHECK_ERR(connect(fd, (struct sockaddr *)&echo, elen), EISCONN);
    CHECK(close(fd) == 0);
    ok("non-blocking connect: success after EINPROGRESS");

    /* Refused: O_NONBLOCK set with fcntl. */
    fd = socket(closed.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK(fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) == 0);
    errno = 0;
    int r = connect(fd, (struct sockaddr *)&closed, clen);
    CHECK(r == -1);
    if (errno == EINPROGRESS) {
        rev = wait_for(fd, POLLOUT, 5000);
        /* As on Linux, the failed connection polls as an error. */
        CHECK(rev & POLLERR);
        err = -1;
        slen = sizeof err;
        CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &slen) == 0);
        CHECK_INT(err, ECONNREFUSED);
        /* Read once, SO_ERROR is cleared. */
        CHECK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &slen) == 0 && err == 0);
    } else {
        /* POSIX also allows the refusal to be reported at once. */
        CHECK_INT(errno, ECONNREFUSED);
    }
    CHECK(close(fd) == 0);
    ok("non-blocking connect: refused");

    /* Refused, blocking. */
    fd = socket(closed.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(connect(fd, (struct sockaddr *)&closed, clen), ECONNREFUSED);
    CHECK(close(fd) == 0);
    ok("blocking connect: ECONNREFUSED");

    /* Success, blocking, then FIONBIO. */
    fd = socket(echo.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK(connect(fd, (struct sockaddr *)&echo, elen) == 0);
    int on = 1;
    CHECK(ioctl(fd, FIONBIO, &on) == 0);
    CHECK(fcntl(fd, F_GETFL) & O_NONBLOCK);
    CHECK_ERR(read(fd, buf, sizeof buf), EAGAIN);
    CHECK(close(fd) == 0);
    ok("blocking connect, then FIONBIO");
    return finish("nonblock_connect");
}
