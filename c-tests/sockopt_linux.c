/*
 * Every supported socket option set and read back, with the values and
 * lengths Linux treats specially, on TCP and UDP sockets of both families;
 * and the options wasock refuses on purpose.  Built both as a guest and
 * natively with the system's cc (e2e/tests/sockopt_linux.rs), which checks
 * that the two print the same lines: Linux is the oracle.  It needs nothing
 * but a pool (no bind, no peer), and names errors by their symbols because
 * the numbers differ between WASI and Linux.
 *
 * Output: one line per call, `SOCKET OPTION what -> result`.  Lines that
 * start with `refused` are about options the guest must not get; only the
 * guest's side of them is checked (ENOPROTOOPT).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>

static const char *errname(int e) {
#define E(x) \
    if (e == x) return #x;
    E(EINVAL) E(ENOPROTOOPT) E(EDOM) E(EPERM) E(ENOENT) E(EFAULT) E(EOPNOTSUPP) E(EBADF) E(ENOTSOCK)
    E(EBUSY) E(ENODEV) E(EADDRNOTAVAIL) E(EACCES) E(EISCONN) E(ENOTCONN) E(ENOBUFS) E(ENOMEM)
    E(EAFNOSUPPORT) E(EPROTONOSUPPORT) E(EADDRINUSE) E(ENOSYS)
#undef E
    static char buf[32];
    snprintf(buf, sizeof buf, "errno %d", e);
    return buf;
}

static const char *sock_name;

/* Prints the result of a setsockopt. */
static void set_raw(int fd, int level, int name, const char *oname, const void *v, socklen_t len, const char *what) {
    int r = setsockopt(fd, level, name, v, len);
    printf("%s %s set %s (len %u) -> %s\n", sock_name, oname, what, (unsigned)len, r == 0 ? "ok" : errname(errno));
}

static void set_int(int fd, int level, int name, const char *oname, int v) {
    char what[32];
    snprintf(what, sizeof what, "%d", v);
    set_raw(fd, level, name, oname, &v, sizeof v, what);
}

/* Prints what getsockopt gives into a buffer of `len` bytes, as an int
 * when it wrote 4 bytes, else as bytes. */
static void get(int fd, int level, int name, const char *oname, socklen_t len) {
    unsigned char buf[64];
    memset(buf, 0xee, sizeof buf);
    socklen_t got = len;
    if (getsockopt(fd, level, name, buf, &got) != 0) {
        printf("%s %s get (len %u) -> %s\n", sock_name, oname, (unsigned)len, errname(errno));
        return;
    }
    printf("%s %s get (len %u) -> len %u:", sock_name, oname, (unsigned)len, (unsigned)got);
    if (got == sizeof(int)) {
        int v;
        memcpy(&v, buf, sizeof v);
        printf(" %d", v);
    } else {
        for (socklen_t i = 0; i < got && i < sizeof buf; i++)
            printf(" %02x", buf[i]);
    }
    /* The byte after the value must be untouched. */
    printf("%s\n", got < sizeof buf && buf[got] != 0xee ? " (wrote past the length)" : "");
}

#define OPT(level, name) level, name, #name

/* An int option: each value set, then read back. */
static void ints(int fd, int level, int name, const char *oname, const int *vals, int n) {
    get(fd, level, name, oname, sizeof(int));
    for (int i = 0; i < n; i++) {
        set_int(fd, level, name, oname, vals[i]);
        get(fd, level, name, oname, sizeof(int));
    }
}

#define INTS(fd, level, name, ...)                                   \
    do {                                                             \
        static const int v_[] = {__VA_ARGS__};                       \
        ints(fd, level, name, #name, v_, (int)(sizeof v_ / sizeof v_[0])); \
    } while (0)

/* The lengths Linux treats specially: a single byte, none, more than an
 * int; and reading into 0, 1, 2 and 8 bytes. */
static void lengths(int fd, int level, int name, const char *oname) {
    unsigned char one = 1;
    long long big = 1;
    set_raw(fd, level, name, oname, &one, 1, "byte 1");
    set_raw(fd, level, name, oname, &one, 0, "nothing");
    set_raw(fd, level, name, oname, &big, sizeof big, "long long 1");
    set_raw(fd, level, name, oname, NULL, 0, "NULL");
    for (socklen_t len = 0; len <= 8; len = len ? len * 2 : 1)
        get(fd, level, name, oname, len);
}

static void timeouts(int fd, int level, int name, const char *oname) {
    (void)level;
    struct timeval tvs[] = {{2, 500000}, {0, 1}, {0, 0}, {1, 1000000}, {0, -1}};
    for (size_t i = 0; i < sizeof tvs / sizeof tvs[0]; i++) {
        char what[48];
        snprintf(what, sizeof what, "{%lld, %lld}", (long long)tvs[i].tv_sec, (long long)tvs[i].tv_usec);
        set_raw(fd, SOL_SOCKET, name, oname, &tvs[i], sizeof tvs[i], what);
        struct timeval got;
        socklen_t len = sizeof got;
        if (getsockopt(fd, SOL_SOCKET, name, &got, &len) == 0)
            printf("%s %s get -> {%lld, %lld}\n", sock_name, oname, (long long)got.tv_sec, (long long)got.tv_usec);
    }
    set_raw(fd, SOL_SOCKET, name, oname, tvs, sizeof(struct timeval) - 1, "short timeval");
    get(fd, SOL_SOCKET, name, oname, 4);
}

static void lingers(int fd) {
    struct linger ls[] = {{1, 5}, {2, 7}, {0, 9}, {1, 0}};
    for (size_t i = 0; i < sizeof ls / sizeof ls[0]; i++) {
        char what[32];
        snprintf(what, sizeof what, "{%d, %d}", ls[i].l_onoff, ls[i].l_linger);
        set_raw(fd, OPT(SOL_SOCKET, SO_LINGER), &ls[i], sizeof ls[i], what);
        get(fd, OPT(SOL_SOCKET, SO_LINGER), sizeof(struct linger));
    }
    set_raw(fd, OPT(SOL_SOCKET, SO_LINGER), ls, sizeof(int), "short linger");
    get(fd, OPT(SOL_SOCKET, SO_LINGER), 4);
}

/* The macros above stringify their arguments before expanding them, so
 * the option's name is printed, not its (libc-specific) number. */
static void socket_level(int fd, int stream) {
    INTS(fd, SOL_SOCKET, SO_REUSEADDR, 1, 0, 2, -1);
    INTS(fd, SOL_SOCKET, SO_REUSEPORT, 1, 0, 7);
    INTS(fd, SOL_SOCKET, SO_KEEPALIVE, 1, 0, -5);
    INTS(fd, SOL_SOCKET, SO_BROADCAST, 1, 0, 3);
    /* Linux doubles a buffer size and clamps it to its limits. */
    INTS(fd, SOL_SOCKET, SO_RCVBUF, 65536, 4096, 0);
    INTS(fd, SOL_SOCKET, SO_SNDBUF, 32768, 1);
    lengths(fd, OPT(SOL_SOCKET, SO_REUSEADDR));
    lengths(fd, OPT(SOL_SOCKET, SO_RCVBUF));
    timeouts(fd, OPT(SOL_SOCKET, SO_RCVTIMEO));
    timeouts(fd, OPT(SOL_SOCKET, SO_SNDTIMEO));
    lingers(fd);
    int type = -1;
    socklen_t len = sizeof type;
    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len);
    printf("%s SO_TYPE is %s (len %u)\n", sock_name, type == (stream ? SOCK_STREAM : SOCK_DGRAM) ? "right" : "wrong",
           (unsigned)len);
    set_int(fd, OPT(SOL_SOCKET, SO_TYPE), 1);
    get(fd, OPT(SOL_SOCKET, SO_ERROR), 4);
    get(fd, OPT(SOL_SOCKET, SO_PROTOCOL), 4);
}

static void ip_level(int fd) {
    INTS(fd, IPPROTO_IP, IP_TTL, 33, -1, 0, 255, 256);
    INTS(fd, IPPROTO_IP, IP_TOS, 0x10, 0x28, 0, 0x1ff, -1);
    INTS(fd, IPPROTO_IP, IP_MULTICAST_TTL, 4, -1, 256);
    INTS(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, 1, 9);
    lengths(fd, OPT(IPPROTO_IP, IP_TTL));
    lengths(fd, OPT(IPPROTO_IP, IP_TOS));
    struct in_addr lo = {htonl(INADDR_LOOPBACK)}, none = {htonl(0x0afffffe)}, any = {htonl(INADDR_ANY)};
    set_raw(fd, OPT(IPPROTO_IP, IP_MULTICAST_IF), &lo, sizeof lo, "in_addr 127.0.0.1");
    get(fd, OPT(IPPROTO_IP, IP_MULTICAST_IF), 4);
    set_raw(fd, OPT(IPPROTO_IP, IP_MULTICAST_IF), &none, sizeof none, "in_addr 10.255.255.254");
    struct ip_mreqn mreqn = {{0}, lo, 0};
    set_raw(fd, OPT(IPPROTO_IP, IP_MULTICAST_IF), &mreqn, sizeof mreqn, "ip_mreqn 127.0.0.1");
    get(fd, OPT(IPPROTO_IP, IP_MULTICAST_IF), 16);
    set_raw(fd, OPT(IPPROTO_IP, IP_MULTICAST_IF), &any, 3, "3 bytes");
    set_raw(fd, OPT(IPPROTO_IP, IP_MULTICAST_IF), &any, sizeof any, "in_addr 0.0.0.0");
    get(fd, OPT(IPPROTO_IP, IP_MULTICAST_IF), 2);
}

static void ipv6_level(int fd) {
    INTS(fd, IPPROTO_IPV6, IPV6_V6ONLY, 1, 0, 4);
    INTS(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 7, -1, 255, 256, -2);
    INTS(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, 3, -1, 256);
    INTS(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, 1, 2, -1);
    INTS(fd, IPPROTO_IPV6, IPV6_TCLASS, 0x28, -1, 255, 256);
    INTS(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, 1, 0, 99999);
    lengths(fd, OPT(IPPROTO_IPV6, IPV6_UNICAST_HOPS));
}

static void congestion(int fd) {
    get(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), 16);
    set_raw(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), "reno", 4, "reno");
    get(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), 16);
    get(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), 3);
    get(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), 40);
    set_raw(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), "cubic", 6, "cubic with its NUL");
    get(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), 16);
    set_raw(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), "nosuchalgorithm", 15, "nosuchalgorithm");
    set_raw(fd, OPT(IPPROTO_TCP, TCP_CONGESTION), "", 0, "empty");
}

static void tcp_level(int fd) {
    INTS(fd, IPPROTO_TCP, TCP_NODELAY, 1, 0, 2);
    INTS(fd, IPPROTO_TCP, TCP_MAXSEG, 1000, 10, 70000);
    INTS(fd, IPPROTO_TCP, TCP_KEEPIDLE, 30, 0, -1, 32767, 32768);
    INTS(fd, IPPROTO_TCP, TCP_KEEPINTVL, 5, 0, 32768);
    INTS(fd, IPPROTO_TCP, TCP_KEEPCNT, 3, 0, 127, 128);
    INTS(fd, IPPROTO_TCP, TCP_USER_TIMEOUT, 5000, 0, -1);
    INTS(fd, IPPROTO_TCP, TCP_QUICKACK, 1, 0, 2);
    INTS(fd, IPPROTO_TCP, TCP_DEFER_ACCEPT, 5, 0, -1);
    INTS(fd, IPPROTO_TCP, TCP_FASTOPEN, 5, 0, -1);
    INTS(fd, IPPROTO_TCP, TCP_FASTOPEN_CONNECT, 1, 0, 2);
    lengths(fd, OPT(IPPROTO_TCP, TCP_NODELAY));
    lengths(fd, OPT(IPPROTO_TCP, TCP_KEEPIDLE));
    congestion(fd);
}

/* Options that could widen what the pool grants: the guest must get
 * ENOPROTOOPT whatever Linux would do. */
static void refused(int fd) {
    const char *was = sock_name;
    sock_name = "refused";
    int one = 1;
    unsigned char nop[4] = {1, 1, 1, 1};
    set_raw(fd, OPT(SOL_SOCKET, SO_BINDTODEVICE), "lo", 3, "lo");
    set_raw(fd, OPT(SOL_SOCKET, SO_MARK), &one, sizeof one, "1");
    set_raw(fd, OPT(SOL_SOCKET, SO_ATTACH_FILTER), nop, sizeof nop, "4 bytes");
    set_raw(fd, OPT(SOL_SOCKET, SO_DETACH_FILTER), &one, sizeof one, "1");
    set_raw(fd, OPT(SOL_SOCKET, SO_LOCK_FILTER), &one, sizeof one, "1");
    set_raw(fd, OPT(IPPROTO_IP, IP_TRANSPARENT), &one, sizeof one, "1");
    set_raw(fd, OPT(IPPROTO_IP, IP_FREEBIND), &one, sizeof one, "1");
    set_raw(fd, OPT(IPPROTO_IP, IP_OPTIONS), nop, sizeof nop, "NOPs");
    set_raw(fd, OPT(IPPROTO_IP, IP_HDRINCL), &one, sizeof one, "1");
    set_raw(fd, OPT(IPPROTO_TCP, TCP_REPAIR), &one, sizeof one, "1");
    set_raw(fd, OPT(IPPROTO_IPV6, IPV6_ADDRFORM), &one, sizeof one, "1");
    get(fd, OPT(SOL_SOCKET, SO_BINDTODEVICE), 16);
    get(fd, OPT(SOL_SOCKET, SO_MARK), 4);
    sock_name = was;
}

static void on(const char *name, int family, int type) {
    int fd = socket(family, type, 0);
    if (fd < 0) {
        printf("%s: socket: %s\n", name, errname(errno));
        return;
    }
    sock_name = name;
    int stream = type == SOCK_STREAM;
    socket_level(fd, stream);
    ip_level(fd);
    ipv6_level(fd);
    tcp_level(fd);
    if (!stream && family == AF_INET)
        refused(fd);
    /* Unknown options and levels. */
    set_int(fd, SOL_SOCKET, 9999, "SOL_SOCKET.9999", 1);
    set_int(fd, 9999, 1, "level 9999", 1);
    get(fd, 9999, 1, "level 9999", 4);
    close(fd);
}

int main(void) {
    on("tcp4", AF_INET, SOCK_STREAM);
    on("tcp6", AF_INET6, SOCK_STREAM);
    on("udp4", AF_INET, SOCK_DGRAM);
    on("udp6", AF_INET6, SOCK_DGRAM);
    {
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        sock_name = "tcp4";
        refused(fd);
        close(fd);
    }
    printf("done\n");
    return 0;
}
