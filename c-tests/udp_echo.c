/*
 * UDP, both ways.
 *
 * usage: udp_echo client ECHO_ADDR   -- talks to a native UDP echo server
 *        udp_echo server ADDR        -- echoes datagrams until one says "quit"
 *
 * The client checks that recvfrom() fills in the source address and its
 * length (also when the caller's buffer is too short), MSG_PEEK, MSG_TRUNC,
 * MSG_DONTWAIT, sendmsg()/recvmsg() with several iovecs (and MSG_TRUNC in
 * msg_flags), connect() + send()/recv()/read()/write(), getsockname() and
 * getpeername().
 */
#include <sys/uio.h>

#include "testutil.h"

static int run_client(const char *target) {
    struct sockaddr_storage echo;
    socklen_t elen = parse_addr(target, &echo);
    REQUIRE(elen > 0);
    const socklen_t full = echo.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                      : sizeof(struct sockaddr_in);
    int fd = socket(echo.ss_family, SOCK_DGRAM, 0);
    REQUIRE(fd >= 0);
    int type = 0;
    socklen_t tlen = sizeof type;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &tlen) == 0 && type == SOCK_DGRAM);

    /* sendto + recvfrom: the source is the echo server. */
    CHECK(sendto(fd, "ping", 4, 0, (struct sockaddr *)&echo, elen) == 4);
    char buf[256];
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    memset(&from, 0xee, sizeof from);
    CHECK(recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen) == 4);
    CHECK(memcmp(buf, "ping", 4) == 0);
    CHECK(flen == full);
    CHECK(sockaddr_equal(&from, &echo));
    ok("udp: sendto/recvfrom fills the source address and length");

    /* The socket was bound by the first send. */
    struct sockaddr_storage local;
    socklen_t llen = sizeof local;
    CHECK(getsockname(fd, (struct sockaddr *)&local, &llen) == 0);
    CHECK(llen == full && local.ss_family == echo.ss_family);
    CHECK(((struct sockaddr_in *)&local)->sin_port != 0);
    ok("udp: getsockname after an implicit bind");

    /* A short address buffer: truncated, length says the full size. */
    CHECK(sendto(fd, "short", 5, 0, (struct sockaddr *)&echo, elen) == 5);
    unsigned char tiny[4];
    socklen_t tinylen = sizeof tiny;
    CHECK(recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)tiny, &tinylen) == 5);
    CHECK(tinylen == full);
    sa_family_t fam;
    memcpy(&fam, tiny, sizeof fam);
    CHECK(fam == echo.ss_family);
    ok("udp: recvfrom with a short address buffer");

    /* recvfrom with no address wanted. */
    CHECK(sendto(fd, "noaddr", 6, 0, (struct sockaddr *)&echo, elen) == 6);
    CHECK(recvfrom(fd, buf, sizeof buf, 0, NULL, NULL) == 6);

    /* MSG_PEEK, then the same datagram again. */
    CHECK(sendto(fd, "peekaboo", 8, 0, (struct sockaddr *)&echo, elen) == 8);
    CHECK(recv(fd, buf, sizeof buf, MSG_PEEK) == 8);
    memset(buf, 0, sizeof buf);
    CHECK(recv(fd, buf, sizeof buf, 0) == 8 && memcmp(buf, "peekaboo", 8) == 0);
    ok("udp: MSG_PEEK");

    /* MSG_TRUNC: the real length of a datagram larger than the buffer. */
    char big[1000];
    for (size_t i = 0; i < sizeof big; ++i)
        big[i] = (char)('a' + i % 26);
    CHECK(sendto(fd, big, sizeof big, 0, (struct sockaddr *)&echo, elen) == (ssize_t)sizeof big);
    char small[10];
    CHECK(recv(fd, small, sizeof small, MSG_TRUNC) == (ssize_t)sizeof big);
    CHECK(memcmp(small, big, sizeof small) == 0);
    /* Without MSG_TRUNC the rest of a datagram is discarded. */
    CHECK(sendto(fd, big, sizeof big, 0, (struct sockaddr *)&echo, elen) == (ssize_t)sizeof big);
    CHECK(recv(fd, small, sizeof small, 0) == (ssize_t)sizeof small);
    ok("udp: MSG_TRUNC");

    /* MSG_DONTWAIT with nothing queued: EAGAIN, and the socket stays blocking. */
    CHECK_ERR(recv(fd, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    CHECK(!(fcntl(fd, F_GETFL) & O_NONBLOCK));
    ok("udp: MSG_DONTWAIT");

    /* sendmsg/recvmsg with several iovecs; msg_flags reports truncation. */
    char a[] = "one-", b[] = "two-", c[] = "three";
    struct iovec out[3] = {{a, 4}, {b, 4}, {c, 5}};
    struct msghdr m;
    memset(&m, 0, sizeof m);
    m.msg_name = &echo;
    m.msg_namelen = elen;
    m.msg_iov = out;
    m.msg_iovlen = 3;
    CHECK(sendmsg(fd, &m, 0) == 13);
    char p1[6], p2[20];
    struct iovec in[2] = {{p1, sizeof p1}, {p2, sizeof p2}};
    struct sockaddr_storage mfrom;
    memset(&m, 0, sizeof m);
    m.msg_name = &mfrom;
    m.msg_namelen = sizeof mfrom;
    m.msg_iov = in;
    m.msg_iovlen = 2;
    CHECK(recvmsg(fd, &m, 0) == 13);
    CHECK(memcmp(p1, "one-tw", 6) == 0 && memcmp(p2, "o-three", 7) == 0);
    CHECK(m.msg_namelen == full && sockaddr_equal(&mfrom, &echo));
    CHECK(m.msg_flags == 0 && m.msg_controllen == 0);
    CHECK(sendto(fd, big, 100, 0, (struct sockaddr *)&echo, elen) == 100);
    struct iovec one = {small, sizeof small};
    memset(&m, 0, sizeof m);
    m.msg_iov = &one;
    m.msg_iovlen = 1;
    CHECK(recvmsg(fd, &m, 0) == (ssize_t)sizeof small);
    CHECK(m.msg_flags & MSG_TRUNC);
    ok("udp: sendmsg/recvmsg with iovecs");

    /* Connected: send/recv, read/write, getpeername. */
    CHECK(connect(fd, (struct sockaddr *)&echo, elen) == 0);
    struct sockaddr_storage peer;
    socklen_t plen = sizeof peer;
    CHECK(getpeername(fd, (struct sockaddr *)&peer, &plen) == 0 && sockaddr_equal(&peer, &echo));
    CHECK(send(fd, "conn", 4, 0) == 4);
    CHECK(recv(fd, buf, sizeof buf, 0) == 4 && memcmp(buf, "conn", 4) == 0);
    CHECK(write(fd, "viawrite", 8) == 8);
    CHECK(read(fd, buf, sizeof buf) == 8 && memcmp(buf, "viawrite", 8) == 0);
    ok("udp: connected send/recv/read/write");
    CHECK(close(fd) == 0);
    return finish("udp_echo client");
}

static int run_server(const char *where) {
    struct sockaddr_storage addr;
    socklen_t alen = parse_addr(where, &addr);
    REQUIRE(alen > 0);
    int fd = socket(addr.ss_family, SOCK_DGRAM, IPPROTO_UDP);
    REQUIRE(fd >= 0);
    REQUIRE(bind(fd, (struct sockaddr *)&addr, alen) == 0);
    print_listening(fd);
    int count = 0;
    for (;;) {
        char buf[2048];
        struct sockaddr_storage from;
        socklen_t flen = sizeof from;
        ssize_t n = recvfrom(fd, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen);
        REQUIRE(n >= 0);
        CHECK(flen == (from.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                   : sizeof(struct sockaddr_in)));
        if (count++ == 0) {
            char text[80];
            printf("first datagram from %s\n", fmt_addr(&from, text, sizeof text));
            fflush(stdout);
        }
        CHECK(sendto(fd, buf, (size_t)n, 0, (struct sockaddr *)&from, flen) == n);
        if (n == 4 && memcmp(buf, "quit", 4) == 0)
            break;
    }
    printf("echoed %d datagrams\n", count);
    CHECK(close(fd) == 0);
    return finish("udp_echo server");
}

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    if (strcmp(argv[1], "client") == 0)
        return run_client(argv[2]);
    return run_server(argv[2]);
}
