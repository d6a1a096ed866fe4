/*
 * errno values for what fails.
 *
 * usage: errors ECHO_ADDR CLOSING_ADDR BIND_ADDR
 * ECHO_ADDR: a native echo server.  CLOSING_ADDR: a native server that
 * accepts and closes at once.  BIND_ADDR: an address the pool lets us bind.
 */
#include <sys/un.h>

#include "testutil.h"

int main(int argc, char **argv) {
    REQUIRE(argc == 4);
    struct sockaddr_storage echo, closing, baddr;
    socklen_t elen = parse_addr(argv[1], &echo), clen = parse_addr(argv[2], &closing),
              blen = parse_addr(argv[3], &baddr);
    REQUIRE(elen > 0 && clen > 0 && blen > 0);
    int sv[2];

    /* What WASI cannot do. */
    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(AF_LOCAL, SOCK_DGRAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(42, SOCK_STREAM, 0), EAFNOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_RAW, IPPROTO_ICMP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_SEQPACKET, 0), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET6, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    CHECK_ERR(socket(AF_INET, 99, 0), EINVAL);
    CHECK_ERR(socketpair(42, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
    CHECK_ERR(socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
    struct sockaddr_un un;
    memset(&un, 0, sizeof un);
    un.sun_family = AF_UNIX;
    strcpy(un.sun_path, "/tmp/sock");
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(connect(fd, (struct sockaddr *)&un, sizeof un), EAFNOSUPPORT);
    ok("unsupported families and types");

    /* Not connected. */
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    char buf[64];
    CHECK_ERR(getpeername(fd, (struct sockaddr *)&ss, &sl), ENOTCONN);
    CHECK_ERR(recv(fd, buf, sizeof buf, 0), ENOTCONN);
    CHECK_ERR(shutdown(fd, SHUT_RDWR), ENOTCONN);
    CHECK_ERR(shutdown(fd, 42), EINVAL);
    ok("ENOTCONN");

    /* Bad arguments. */
    CHECK_ERR(connect(fd, (struct sockaddr *)&echo, 3), EINVAL);
    CHECK_ERR(send(fd, "x", 1, MSG_OOB), EOPNOTSUPP);
    CHECK_ERR(accept4(fd, NULL, NULL, 0x1234), EINVAL);
    CHECK(close(fd) == 0);
    CHECK_ERR(close(fd), EBADF);
    CHECK_ERR(send(fd, "x", 1, 0), EBADF);
    CHECK_ERR(listen(1234, 5), EBADF);
    ok("EINVAL, EOPNOTSUPP, EBADF");

    /* Not a socket: stdout. */
    int one = 1;
    CHECK_ERR(setsockopt(1, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one), ENOTSOCK);
    ok("ENOTSOCK");

    /* EADDRINUSE. */
    int a = socket(baddr.ss_family, SOCK_STREAM, 0);
    int b = socket(baddr.ss_family, SOCK_STREAM, 0);
    REQUIRE(a >= 0 && b >= 0);
    CHECK(bind(a, (struct sockaddr *)&baddr, blen) == 0 && listen(a, 1) == 0);
    CHECK_ERR(bind(b, (struct sockaddr *)&baddr, blen), EADDRINUSE);
    CHECK(close(a) == 0 && close(b) == 0);
    ok("EADDRINUSE");

    /* EPIPE: the peer has closed; writing fails instead of killing us. */
    fd = socket(closing.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    REQUIRE(connect(fd, (struct sockaddr *)&closing, clen) == 0);
    CHECK(wait_for(fd, POLLIN, 5000) & (POLLIN | POLLHUP));
    CHECK(recv(fd, buf, sizeof buf, 0) == 0); /* orderly EOF */
    int got = 0;
    for (int i = 0; i < 100 && !got; ++i) {
        errno = 0;
        if (send(fd, buf, sizeof buf, MSG_NOSIGNAL) < 0)
            got = errno;
        else
            usleep(10000);
    }
    CHECK(got == EPIPE || got == ECONNRESET);
    if (got == ECONNRESET)
        CHECK_ERR(write(fd, buf, sizeof buf), EPIPE);
    CHECK(close(fd) == 0);
    ok("EPIPE after the peer closed");

    /* A connection still works after all that. */
    fd = socket(echo.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&echo, elen) == 0);
    CHECK(send(fd, "fine", 4, MSG_NOSIGNAL) == 4);
    CHECK(read_exact(fd, buf, 4) == 0 && memcmp(buf, "fine", 4) == 0);
    CHECK(close(fd) == 0);
    return finish("errors");
}
