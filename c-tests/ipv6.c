/*
 * IPv6 both ways.
 *
 * usage: ipv6 server ADDR       -- accept one client on ADDR ("[::1]:PORT"),
 *                                 print "peer ADDR", echo one line, exit
 *        ipv6 client ECHO_ADDR  -- connect to a native IPv6 echo server
 * getsockname()/getpeername() on the accepted socket must give AF_INET6
 * addresses with the right ports.
 */
#include "testutil.h"

static int server(const char *where) {
    struct sockaddr_storage addr;
    socklen_t alen = parse_addr(where, &addr);
    REQUIRE(alen == sizeof(struct sockaddr_in6));
    int lfd = socket(AF_INET6, SOCK_STREAM, 0);
    REQUIRE(lfd >= 0);
    int one = 1;
    CHECK(setsockopt(lfd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one) == 0);
    REQUIRE(bind(lfd, (struct sockaddr *)&addr, alen) == 0);
    REQUIRE(listen(lfd, 4) == 0);
    print_listening(lfd);

    struct sockaddr_in6 peer;
    socklen_t plen = sizeof peer;
    memset(&peer, 0, sizeof peer);
    int cfd = accept(lfd, (struct sockaddr *)&peer, &plen);
    REQUIRE(cfd >= 0);
    CHECK(plen == sizeof(struct sockaddr_in6) && peer.sin6_family == AF_INET6);
    CHECK(IN6_IS_ADDR_LOOPBACK(&peer.sin6_addr) && peer.sin6_port != 0);

    struct sockaddr_in6 local, remote, lsn;
    socklen_t l1 = sizeof local, l2 = sizeof remote, l3 = sizeof lsn;
    CHECK(getsockname(cfd, (struct sockaddr *)&local, &l1) == 0);
    CHECK(getpeername(cfd, (struct sockaddr *)&remote, &l2) == 0);
    CHECK(getsockname(lfd, (struct sockaddr *)&lsn, &l3) == 0);
    CHECK(l1 == sizeof local && local.sin6_family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&local.sin6_addr));
    CHECK(local.sin6_port == lsn.sin6_port);
    CHECK(l2 == sizeof remote && sockaddr_equal(&remote, &peer));
    char text[80];
    printf("peer %s\n", fmt_addr(&remote, text, sizeof text));
    printf("local %s\n", fmt_addr(&local, text, sizeof text));
    fflush(stdout);

    char line[256];
    size_t have = 0;
    while (have < sizeof line && (have == 0 || line[have - 1] != '\n')) {
        ssize_t n = recv(cfd, line + have, sizeof line - have, 0);
        if (!CHECK(n > 0))
            break;
        have += (size_t)n;
    }
    CHECK(send(cfd, line, have, 0) == (ssize_t)have);
    CHECK(close(cfd) == 0 && close(lfd) == 0);
    return finish("ipv6 server");
}

static int client(const char *where) {
    struct sockaddr_storage echo;
    socklen_t elen = parse_addr(where, &echo);
    REQUIRE(elen == sizeof(struct sockaddr_in6));
    int fd = socket(AF_INET6, SOCK_STREAM, 0);
    REQUIRE(fd >= 0 && connect(fd, (struct sockaddr *)&echo, elen) == 0);
    struct sockaddr_in6 local, remote;
    socklen_t l1 = sizeof local, l2 = sizeof remote;
    CHECK(getsockname(fd, (struct sockaddr *)&local, &l1) == 0);
    CHECK(l1 == sizeof local && local.sin6_family == AF_INET6 && local.sin6_port != 0);
    CHECK(IN6_IS_ADDR_LOOPBACK(&local.sin6_addr));
    CHECK(getpeername(fd, (struct sockaddr *)&remote, &l2) == 0 && sockaddr_equal(&remote, &echo));
    CHECK(send(fd, "six", 3, 0) == 3);
    char buf[8];
    CHECK(read_exact(fd, buf, 3) == 0 && memcmp(buf, "six", 3) == 0);
    CHECK(close(fd) == 0);

    /* UDP over IPv6 to the same address is fine too (no peer needed). */
    int u = socket(AF_INET6, SOCK_DGRAM, 0);
    REQUIRE(u >= 0);
    int v6only = -1;
    socklen_t vlen = sizeof v6only;
    CHECK(getsockopt(u, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &vlen) == 0 && (v6only == 0 || v6only == 1));
    CHECK(close(u) == 0);
    char text[80];
    printf("local %s\n", fmt_addr(&local, text, sizeof text));
    return finish("ipv6 client");
}

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    return strcmp(argv[1], "server") == 0 ? server(argv[2]) : client(argv[2]);
}
