/*
 * Every socket option, set and read back, on TCP and UDP sockets of both
 * families; unknown options; and SO_REUSEADDR / SO_REUSEPORT taking effect
 * for UDP and TCP binds.
 *
 * usage: sockopts PORT
 * The pool must grant binding 127.0.0.1:PORT and joining 239.255.0.0/16 and
 * ff15::/16 (a connect rule).
 */
#include <sys/time.h>
#include <netinet/tcp.h>

#include "testutil.h"

static int get_int(int fd, int level, int name) {
    int v = -12345;
    socklen_t len = sizeof v;
    if (getsockopt(fd, level, name, &v, &len) != 0)
        return -12345;
    if (len != sizeof v)
        return -54321;
    return v;
}

static int set_int(int fd, int level, int name, int v) {
    return setsockopt(fd, level, name, &v, sizeof v);
}

/* A boolean option: off, on, off again. */
#define ROUND_TRIP_BOOL(fd, level, name)                              \
    do {                                                              \
        CHECK(set_int(fd, level, name, 1) == 0);                      \
        CHECK(get_int(fd, level, name) == 1);                         \
        CHECK(set_int(fd, level, name, 0) == 0);                      \
        CHECK(get_int(fd, level, name) == 0);                         \
        CHECK(set_int(fd, level, name, 7) == 0); /* non-zero = on */  \
        CHECK(get_int(fd, level, name) == 1);                         \
    } while (0)

static void common_options(int fd, int v6, int stream) {
    ROUND_TRIP_BOOL(fd, SOL_SOCKET, SO_REUSEADDR);
    ROUND_TRIP_BOOL(fd, SOL_SOCKET, SO_REUSEPORT);
    ROUND_TRIP_BOOL(fd, SOL_SOCKET, SO_BROADCAST);
    if (stream) {
        ROUND_TRIP_BOOL(fd, SOL_SOCKET, SO_KEEPALIVE);
        ROUND_TRIP_BOOL(fd, IPPROTO_TCP, TCP_NODELAY);
    }

    /* Buffer sizes: the kernel may round up (Linux doubles). */
    CHECK(set_int(fd, SOL_SOCKET, SO_RCVBUF, 65536) == 0);
    CHECK(get_int(fd, SOL_SOCKET, SO_RCVBUF) >= 65536);
    CHECK(set_int(fd, SOL_SOCKET, SO_SNDBUF, 32768) == 0);
    CHECK(get_int(fd, SOL_SOCKET, SO_SNDBUF) >= 32768);

    /* Timeouts. */
    struct timeval tv = {2, 500000}, got;
    socklen_t len = sizeof got;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    CHECK(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0);
    if (!CHECK(len == sizeof got && got.tv_sec == 2 && got.tv_usec >= 500000 && got.tv_usec <= 510000))
        fprintf(stderr, "  SO_RCVTIMEO read back as %lld.%06lld\n", (long long)got.tv_sec, (long long)got.tv_usec);
    /* The kernel keeps timeouts in clock ticks: allow it to round up a little. */
    tv = (struct timeval){0, 200000};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) == 0);
    len = sizeof got;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &got, &len) == 0);
    if (!CHECK(got.tv_sec == 0 && got.tv_usec >= 200000 && got.tv_usec <= 210000))
        fprintf(stderr, "  SO_SNDTIMEO read back as %lld.%06lld\n", (long long)got.tv_sec, (long long)got.tv_usec);
    tv = (struct timeval){0, 0}; /* none */
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    len = sizeof got;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &got, &len) == 0 && got.tv_sec == 0 && got.tv_usec == 0);
    tv = (struct timeval){1, 1000000};
    CHECK_ERR(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
    CHECK_ERR(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, 4), EINVAL);

    /* Linger. */
    struct linger l = {1, 5}, lg;
    len = sizeof lg;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && len == sizeof lg);
    CHECK(lg.l_onoff == 1 && lg.l_linger == 5);
    l.l_onoff = 0;
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    len = sizeof lg;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len) == 0 && lg.l_onoff == 0);

    /* Read-only options. */
    CHECK(get_int(fd, SOL_SOCKET, SO_TYPE) == (stream ? SOCK_STREAM : SOCK_DGRAM));
    CHECK(get_int(fd, SOL_SOCKET, SO_ERROR) == 0);
    CHECK(get_int(fd, SOL_SOCKET, SO_PROTOCOL) == (stream ? IPPROTO_TCP : IPPROTO_UDP));
    CHECK(get_int(fd, SOL_SOCKET, SO_DOMAIN) == (v6 ? AF_INET6 : AF_INET));
    CHECK_ERR(set_int(fd, SOL_SOCKET, SO_TYPE, SOCK_DGRAM), ENOPROTOOPT);
    CHECK_ERR(set_int(fd, SOL_SOCKET, SO_ERROR, 0), ENOPROTOOPT);

    /* Hop limits. */
    if (!v6) {
        CHECK(set_int(fd, IPPROTO_IP, IP_TTL, 33) == 0);
        CHECK(get_int(fd, IPPROTO_IP, IP_TTL) == 33);
        unsigned char ttl = 17; /* a single byte is accepted */
        CHECK(setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, 1) == 0);
        CHECK(get_int(fd, IPPROTO_IP, IP_TTL) == 17);
        CHECK_ERR(set_int(fd, IPPROTO_IP, IP_TTL, 256), EINVAL);
        CHECK_ERR(set_int(fd, IPPROTO_IP, IP_TTL, 0), EINVAL);
    } else {
        CHECK(set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 44) == 0);
        CHECK(get_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS) == 44);
        ROUND_TRIP_BOOL(fd, IPPROTO_IPV6, IPV6_V6ONLY);
    }

    /* Unknown options and levels. */
    CHECK_ERR(set_int(fd, SOL_SOCKET, 4242, 1), ENOPROTOOPT);
    int v;
    len = sizeof v;
    CHECK_ERR(getsockopt(fd, SOL_SOCKET, 4242, &v, &len), ENOPROTOOPT);
    CHECK_ERR(set_int(fd, IPPROTO_TCP, TCP_CORK, 1), ENOPROTOOPT);
    CHECK_ERR(set_int(fd, 12345, 1, 1), ENOPROTOOPT);
    len = sizeof v;
    /* Linux's getsockopt on a level the protocol lacks: IPv4's answer is EOPNOTSUPP. */
    CHECK_ERR(getsockopt(fd, 12345, 1, &v, &len), v6 ? ENOPROTOOPT : EOPNOTSUPP);
    /* A short value. */
    char c = 1;
    CHECK_ERR(setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &c, 1), EINVAL);
    /* A short result buffer: truncated to what fits. */
    CHECK(set_int(fd, SOL_SOCKET, SO_REUSEADDR, 1) == 0);
    unsigned char small = 0;
    len = 1;
    CHECK(getsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &small, &len) == 0 && len == 1 && small == 1);
}

static void multicast_options(int fd, int v6) {
    if (!v6) {
        CHECK(set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, 5) == 0);
        CHECK(get_int(fd, IPPROTO_IP, IP_MULTICAST_TTL) == 5);
        ROUND_TRIP_BOOL(fd, IPPROTO_IP, IP_MULTICAST_LOOP);
        unsigned char loop = 0;
        CHECK(setsockopt(fd, IPPROTO_IP, IP_MULTICAST_LOOP, &loop, 1) == 0);
        CHECK(get_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP) == 0);
        struct ip_mreq mr;
        mr.imr_multiaddr.s_addr = inet_addr("239.255.10.20");
        mr.imr_interface.s_addr = htonl(INADDR_LOOPBACK);
        CHECK(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) == 0);
        CHECK(setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof mr) == 0);
        mr.imr_interface.s_addr = htonl(INADDR_ANY);
        CHECK(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr) == 0);
        CHECK(setsockopt(fd, IPPROTO_IP, IP_DROP_MEMBERSHIP, &mr, sizeof mr) == 0);
        /* Not granted by the pool. */
        mr.imr_multiaddr.s_addr = inet_addr("224.0.0.251");
        CHECK_ERR(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, sizeof mr), ENOTCAPABLE);
        CHECK_ERR(setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &mr, 4), EINVAL);
    } else {
        CHECK(set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 9) == 0);
        CHECK(get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS) == 9);
        CHECK(set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, -1) == 0); /* the default */
        CHECK(get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS) == 1);
        /* IPV6_MULTICAST_LOOP takes only 0 or 1 (as on Linux). */
        CHECK(set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0) == 0);
        CHECK(get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP) == 0);
        CHECK(set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 1) == 0);
        CHECK(get_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP) == 1);
        CHECK_ERR(set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 7), EINVAL);
        struct ipv6_mreq mr;
        memset(&mr, 0, sizeof mr);
        inet_pton(AF_INET6, "ff15::1234", &mr.ipv6mr_multiaddr);
        mr.ipv6mr_interface = 0;
        CHECK(setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr) == 0);
        CHECK(setsockopt(fd, IPPROTO_IPV6, IPV6_LEAVE_GROUP, &mr, sizeof mr) == 0);
        inet_pton(AF_INET6, "ff02::fb", &mr.ipv6mr_multiaddr);
        CHECK_ERR(setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &mr, sizeof mr), ENOTCAPABLE);
    }
}

static void reuse(int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int opts[] = {SO_REUSEADDR, SO_REUSEPORT};
    const char *names[] = {"SO_REUSEADDR", "SO_REUSEPORT"};

    /* UDP: without the option the second bind fails; with it on both, it works. */
    int u1 = socket(AF_INET, SOCK_DGRAM, 0), u2 = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(u1 >= 0 && u2 >= 0);
    CHECK(bind(u1, (struct sockaddr *)&a, sizeof a) == 0);
    CHECK_ERR(bind(u2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    CHECK(close(u1) == 0 && close(u2) == 0);
    for (int i = 0; i < 2; ++i) {
        u1 = socket(AF_INET, SOCK_DGRAM, 0);
        u2 = socket(AF_INET, SOCK_DGRAM, 0);
        REQUIRE(u1 >= 0 && u2 >= 0);
        CHECK(set_int(u1, SOL_SOCKET, opts[i], 1) == 0 && set_int(u2, SOL_SOCKET, opts[i], 1) == 0);
        if (!CHECK(bind(u1, (struct sockaddr *)&a, sizeof a) == 0 &&
                   bind(u2, (struct sockaddr *)&a, sizeof a) == 0))
            fprintf(stderr, "  UDP with %s\n", names[i]);
        CHECK(close(u1) == 0 && close(u2) == 0);
    }
    ok("SO_REUSEADDR and SO_REUSEPORT take effect for UDP");

    /* TCP: two listeners on one port with SO_REUSEPORT, not without. */
    int t1 = socket(AF_INET, SOCK_STREAM, 0), t2 = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(t1 >= 0 && t2 >= 0);
    CHECK(bind(t1, (struct sockaddr *)&a, sizeof a) == 0 && listen(t1, 4) == 0);
    CHECK_ERR(bind(t2, (struct sockaddr *)&a, sizeof a), EADDRINUSE);
    CHECK(close(t1) == 0 && close(t2) == 0);
    t1 = socket(AF_INET, SOCK_STREAM, 0);
    t2 = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(set_int(t1, SOL_SOCKET, SO_REUSEPORT, 1) == 0 && set_int(t2, SOL_SOCKET, SO_REUSEPORT, 1) == 0);
    CHECK(bind(t1, (struct sockaddr *)&a, sizeof a) == 0 && listen(t1, 4) == 0);
    CHECK(bind(t2, (struct sockaddr *)&a, sizeof a) == 0 && listen(t2, 4) == 0);
    CHECK(close(t1) == 0 && close(t2) == 0);
    ok("SO_REUSEPORT takes effect for TCP");
}

int main(int argc, char **argv) {
    REQUIRE(argc == 2);
    int families[] = {AF_INET, AF_INET6};
    for (int f = 0; f < 2; ++f) {
        int v6 = families[f] == AF_INET6;
        int tcp = socket(families[f], SOCK_STREAM, 0);
        int udp = socket(families[f], SOCK_DGRAM, 0);
        REQUIRE(tcp >= 0 && udp >= 0);
        common_options(tcp, v6, 1);
        common_options(udp, v6, 0);
        multicast_options(udp, v6);
        CHECK(close(tcp) == 0 && close(udp) == 0);
        ok(v6 ? "IPv6 socket options" : "IPv4 socket options");
    }
    reuse(atoi(argv[1]));
    return finish("sockopts");
}
