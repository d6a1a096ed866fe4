/*
 * Sockets as ordinary fds: read/write/readv/writev/close, ioctl(FIONREAD,
 * FIONBIO), fcntl(F_GETFL/F_SETFL O_NONBLOCK), and the stream recv flags
 * (MSG_PEEK, MSG_WAITALL, MSG_DONTWAIT) and sendmsg/recvmsg on TCP.
 *
 * usage: rw_ioctl ECHO_ADDR
 */
#include <sys/uio.h>

#include "testutil.h"

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    struct sockaddr_storage echo;
    socklen_t elen = parse_addr(argv[1], &echo);
    REQUIRE(elen > 0);
    int fd = socket(echo.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&echo, elen) == 0);
    char buf[4096];

    /* write, then FIONREAD counts what the echo sent back. */
    static const char msg[] = "0123456789abcdefghijklmnopqrstuvwxyz";
    const int n = (int)sizeof msg - 1;
    CHECK(write(fd, msg, (size_t)n) == n);
    int avail = 0;
    for (int i = 0; i < 500 && avail < n; ++i) {
        wait_for(fd, POLLIN, 1000);
        CHECK(ioctl(fd, FIONREAD, &avail) == 0);
        if (avail < n)
            usleep(2000);
    }
    CHECK_INT(avail, n);
    CHECK(read(fd, buf, sizeof buf) == n && memcmp(buf, msg, (size_t)n) == 0);
    CHECK(ioctl(fd, FIONREAD, &avail) == 0 && avail == 0);
    ok("write, ioctl(FIONREAD), read");

    /* writev / readv. */
    char a[] = "head-", b[] = "middle-", c[] = "tail";
    struct iovec wv[3] = {{a, 5}, {b, 7}, {c, 4}};
    CHECK(writev(fd, wv, 3) == 16);
    char r1[4], r2[12];
    struct iovec rv[2] = {{r1, 4}, {r2, 12}};
    for (int i = 0; i < 500; ++i) { /* wait until the whole echo is there */
        wait_for(fd, POLLIN, 1000);
        if (ioctl(fd, FIONREAD, &avail) == 0 && avail >= 16)
            break;
        usleep(2000);
    }
    CHECK(readv(fd, rv, 2) == 16);
    CHECK(memcmp(r1, "head", 4) == 0 && memcmp(r2, "-middle-tail", 12) == 0);
    ok("writev, readv");

    /* MSG_PEEK leaves the data; MSG_WAITALL waits for all of it. */
    CHECK(send(fd, "peek", 4, 0) == 4);
    CHECK(wait_for(fd, POLLIN, 5000) & POLLIN);
    usleep(20000);
    CHECK(recv(fd, buf, sizeof buf, MSG_PEEK) == 4 && memcmp(buf, "peek", 4) == 0);
    CHECK(recv(fd, buf, sizeof buf, 0) == 4 && memcmp(buf, "peek", 4) == 0);
    CHECK(send(fd, "part1", 5, 0) == 5);
    usleep(50000);
    CHECK(send(fd, "part2", 5, 0) == 5);
    CHECK(recv(fd, buf, 10, MSG_WAITALL) == 10 && memcmp(buf, "part1part2", 10) == 0);
    ok("MSG_PEEK, MSG_WAITALL");

    /* MSG_DONTWAIT on a blocking socket. */
    CHECK_ERR(recv(fd, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    ok("MSG_DONTWAIT");

    /* sendmsg / recvmsg on a stream. */
    char x[] = "gather-", y[] = "scatter";
    struct iovec sv[2] = {{x, 7}, {y, 7}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_iov = sv;
    m.msg_iovlen = 2;
    CHECK(sendmsg(fd, &m, MSG_NOSIGNAL) == 14);
    char p[7], q[7];
    struct iovec in[2] = {{p, 7}, {q, 7}};
    memset(&m, 0, sizeof m);
    m.msg_iov = in;
    m.msg_iovlen = 2;
    CHECK(recvmsg(fd, &m, MSG_WAITALL) == 14);
    CHECK(memcmp(p, "gather-", 7) == 0 && memcmp(q, "scatter", 7) == 0);
    ok("sendmsg, recvmsg on TCP");

    /* FIONBIO and fcntl agree. */
    int on = 1, off = 0;
    CHECK(ioctl(fd, FIONBIO, &on) == 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK));
    CHECK_ERR(read(fd, buf, sizeof buf), EAGAIN);
    CHECK(ioctl(fd, FIONBIO, &off) == 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK));
    CHECK(fcntl(fd, F_SETFL, O_NONBLOCK) == 0 && (fcntl(fd, F_GETFL) & O_NONBLOCK));
    CHECK_ERR(recv(fd, buf, sizeof buf, 0), EWOULDBLOCK);
    CHECK(fcntl(fd, F_SETFL, 0) == 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK));
    ok("FIONBIO, fcntl O_NONBLOCK");

    /* A larger transfer through write/read. */
    static char big[200000], back[200000];
    for (size_t i = 0; i < sizeof big; ++i)
        big[i] = (char)(i * 7);
    int fd2 = socket(echo.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd2 >= 0 && connect(fd2, (struct sockaddr *)&echo, elen) == 0);
    CHECK(fcntl(fd2, F_SETFL, O_NONBLOCK) == 0);
    size_t sent = 0, recvd = 0;
    while (recvd < sizeof big) {
        struct pollfd pf = {.fd = fd2, .events = POLLIN | (sent < sizeof big ? POLLOUT : 0)};
        if (!CHECK(poll(&pf, 1, 10000) > 0))
            break;
        if ((pf.revents & POLLOUT) && sent < sizeof big) {
            ssize_t k = write(fd2, big + sent, sizeof big - sent);
            if (k > 0)
                sent += (size_t)k;
        }
        if (pf.revents & POLLIN) {
            ssize_t k = read(fd2, back + recvd, sizeof back - recvd);
            if (!CHECK(k > 0 || (k < 0 && errno == EAGAIN)))
                break;
            if (k > 0)
                recvd += (size_t)k;
        }
    }
    CHECK(recvd == sizeof big && memcmp(big, back, sizeof big) == 0);
    CHECK(close(fd2) == 0);
    ok("200000 bytes through a non-blocking socket");

    /* shutdown(SHUT_WR): the echo sees EOF and closes; read() returns 0. */
    CHECK(shutdown(fd, SHUT_WR) == 0);
    int rev = wait_for(fd, POLLIN, 5000);
    CHECK(rev & (POLLIN | POLLHUP));
    CHECK(read(fd, buf, sizeof buf) == 0);
    ok("shutdown(SHUT_WR), EOF");

    /* close, and the fd is gone. */
    CHECK(close(fd) == 0);
    CHECK_ERR(read(fd, buf, sizeof buf), EBADF);
    CHECK_ERR(write(fd, "x", 1), EBADF);
    CHECK_ERR(close(fd), EBADF);
    ok("close");
    return finish("rw_ioctl");
}
