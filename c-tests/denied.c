/*
 * What the pool does not grant fails with ENOTCAPABLE, before any packet
 * leaves: connect (blocking and non-blocking), UDP sendto and connect, bind.
 * With no pool at all, socket() itself fails with ENOTCAPABLE.
 *
 * usage: denied pool TCP_ADDR UDP_ADDR BIND_ADDR
 *        denied nopool
 */
#include <wasock.h>

#include "testutil.h"

static int with_pool(const char *tcp_text, const char *udp_text, const char *bind_text) {
    struct sockaddr_storage tcp, udp, b;
    socklen_t tl = parse_addr(tcp_text, &tcp), ul = parse_addr(udp_text, &udp), bl = parse_addr(bind_text, &b);
    REQUIRE(tl > 0 && ul > 0 && bl > 0);
    CHECK(wasock_pool_count() == 1 && wasock_pool_default() >= 3);

    int fd = socket(tcp.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(connect(fd, (struct sockaddr *)&tcp, tl), ENOTCAPABLE);
    CHECK(close(fd) == 0);
    fd = socket(tcp.ss_family, SOCK_STREAM | SOCK_NONBLOCK, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(connect(fd, (struct sockaddr *)&tcp, tl), ENOTCAPABLE);
    CHECK(close(fd) == 0);
    ok("denied: TCP connect");

    int u = socket(udp.ss_family, SOCK_DGRAM, 0);
    REQUIRE(u >= 0);
    CHECK_ERR(sendto(u, "leak", 4, 0, (struct sockaddr *)&udp, ul), ENOTCAPABLE);
    struct msghdr m;
    struct iovec iov = {"leak", 4};
    memset(&m, 0, sizeof m);
    m.msg_name = &udp;
    m.msg_namelen = ul;
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    CHECK_ERR(sendmsg(u, &m, 0), ENOTCAPABLE);
    CHECK_ERR(connect(u, (struct sockaddr *)&udp, ul), ENOTCAPABLE);
    CHECK(close(u) == 0);
    ok("denied: UDP sendto, sendmsg, connect");

    fd = socket(b.ss_family, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(bind(fd, (struct sockaddr *)&b, bl), ENOTCAPABLE);
    CHECK(close(fd) == 0);
    ok("denied: bind");

    /* Names: no resolve right. */
    struct addrinfo hints, *res;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    errno = 0;
    CHECK_INT(getaddrinfo("example.com", "80", &hints, &res), EAI_FAIL);
    CHECK_INT(errno, ENOTCAPABLE);
    ok("denied: resolve");
    return finish("denied pool");
}

static int without_pool(void) {
    CHECK(wasock_pool_count() == 0);
    CHECK_ERR(wasock_pool_default(), ENOTCAPABLE);
    CHECK_ERR(socket(AF_INET, SOCK_STREAM, 0), ENOTCAPABLE);
    CHECK_ERR(socket(AF_INET6, SOCK_DGRAM, 0), ENOTCAPABLE);
    /* Argument errors still come first. */
    CHECK_ERR(socket(AF_UNIX, SOCK_STREAM, 0), EAFNOSUPPORT);
    /* Numeric lookups need no pool; names do. */
    struct addrinfo *res;
    CHECK_INT(getaddrinfo("127.0.0.1", "80", NULL, &res), 0);
    freeaddrinfo(res);
    CHECK_INT(getaddrinfo("localhost", "80", NULL, &res), 0);
    freeaddrinfo(res);
    errno = 0;
    CHECK_INT(getaddrinfo("example.com", "80", NULL, &res), EAI_FAIL);
    CHECK_INT(errno, ENOTCAPABLE);
    ok("no pool: socket() is ENOTCAPABLE");
    return finish("denied nopool");
}

int main(int argc, char **argv) {
    if (argc == 5 && strcmp(argv[1], "pool") == 0)
        return with_pool(argv[2], argv[3], argv[4]);
    if (argc == 2 && strcmp(argv[1], "nopool") == 0)
        return without_pool();
    fprintf(stderr, "bad arguments\n");
    return 2;
}
