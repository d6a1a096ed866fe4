/*
 * A guest that tries to get more than its pool grants, or to make the host
 * fail, each way an independent review found (e2e/tests/hostile.rs runs every
 * mode with the pool it names and checks what the host logged and what the
 * native side saw).
 *
 * usage: hostile listen-after-refused PORT   -- pool: --allow-connect 127.0.0.1:PORT only
 *        hostile dual-stack PORT [both]      -- pool: --allow-bind [::]:PORT (+ 0.0.0.0:PORT with "both"),
 *                                               --allow-connect 127.0.0.1:PORT, [::1]:PORT
 *        hostile denied-peer-timeout PORT    -- a UDP socket on 127.0.0.1:PORT admitting 127.0.0.2 only,
 *                                               while the test sends from 127.0.0.3
 *        hostile denied-peer-queue PORT      -- a listener on 127.0.0.1:PORT admitting 127.0.0.2 only;
 *                                               the guest connects from 127.0.0.3 and 127.0.0.2 itself
 *        hostile socket-cap N PORT           -- run with --max-sockets N, --allow-bind/--allow-connect 127.0.0.1:PORT
 *        hostile exhaust                     -- sockets until the kernel says EMFILE, then stdio still works
 *        hostile denial-flood N              -- N denied connects to distinct ports, then exit
 *        hostile resolve NAME                -- a name lookup the pool does not grant
 *        hostile memory BYTES                -- malloc(BYTES) must fail (--max-memory below it), small ones work
 *        hostile linger-exit ADDR PORT       -- fills a connection to a peer that never reads, sets a
 *                                               huge SO_LINGER, and exits: the host must not wait
 */
#include <wasock.h>

#include "testutil.h"

static struct sockaddr_in v4(const char *ip, int port) {
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((unsigned short)port);
    inet_pton(AF_INET, ip, &a.sin_addr);
    return a;
}

static struct sockaddr_in6 v6(const char *ip, int port) {
    struct sockaddr_in6 a;
    memset(&a, 0, sizeof a);
    a.sin6_family = AF_INET6;
    a.sin6_port = htons((unsigned short)port);
    inet_pton(AF_INET6, ip, &a.sin6_addr);
    return a;
}

#define SA(x) ((struct sockaddr *)&(x))

static double now_s(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Escape 1: a failed connect leaves a kernel port; listen there must still need a bind right. */
static int listen_after_refused(int port) {
    struct sockaddr_in closed = v4("127.0.0.1", port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(connect(fd, SA(closed), sizeof closed), ECONNREFUSED);
    CHECK_ERR(listen(fd, 16), ENOTCAPABLE);
    CHECK(close(fd) == 0);
    ok("listen after a refused connect (inet4) is denied");

    struct sockaddr_in6 mapped = v6("::ffff:127.0.0.1", port);
    fd = socket(AF_INET6, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(connect(fd, SA(mapped), sizeof mapped), ECONNREFUSED);
    CHECK_ERR(listen(fd, 16), ENOTCAPABLE);
    CHECK(close(fd) == 0);
    ok("listen after a refused connect (inet6, dual-stack) is denied");

    fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    CHECK_ERR(listen(fd, 16), ENOTCAPABLE);
    CHECK(close(fd) == 0);
    ok("listen on an unbound socket without a bind right is denied");
    return finish("hostile");
}

/* Escape 2: a bind of [::] must not also be a bind of 0.0.0.0 unless the pool grants it. */
static int dual_stack(int port, int both) {
    struct sockaddr_in6 any6 = v6("::", port), lo6 = v6("::1", port);
    struct sockaddr_in any4 = v4("0.0.0.0", port), lo4 = v4("127.0.0.1", port);

    int l = socket(AF_INET6, SOCK_STREAM, 0);
    REQUIRE(l >= 0);
    int one = 1;
    CHECK(setsockopt(l, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    REQUIRE(bind(l, SA(any6), sizeof any6) == 0);
    REQUIRE(listen(l, 16) == 0);
    int v6only = -1;
    socklen_t len = sizeof v6only;
    CHECK(getsockopt(l, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &len) == 0);
    CHECK_INT(v6only, both ? 0 : 1);

    int c6 = socket(AF_INET6, SOCK_STREAM, 0);
    CHECK(connect(c6, SA(lo6), sizeof lo6) == 0);
    int c4 = socket(AF_INET, SOCK_STREAM, 0);
    if (both)
        CHECK(connect(c4, SA(lo4), sizeof lo4) == 0);
    else
        CHECK_ERR(connect(c4, SA(lo4), sizeof lo4), ECONNREFUSED);
    close(c6);
    close(c4);
    ok(both ? "TCP [::] bind is dual-stack when 0.0.0.0 is granted too"
            : "TCP [::] bind is IPv6-only when 0.0.0.0 is not granted");

    /* UDP: an IPv4 datagram must not reach a [::] socket without the IPv4 grant. */
    int u = socket(AF_INET6, SOCK_DGRAM, 0);
    REQUIRE(u >= 0);
    REQUIRE(bind(u, SA(any6), sizeof any6) == 0);
    int s4 = socket(AF_INET, SOCK_DGRAM, 0);
    CHECK(sendto(s4, "v4", 2, 0, SA(lo4), sizeof lo4) == 2);
    struct pollfd p = {.fd = u, .events = POLLIN};
    CHECK_INT(poll(&p, 1, 300), both ? 1 : 0);
    close(s4);
    close(u);
    ok(both ? "UDP [::] bind receives IPv4 when 0.0.0.0 is granted too"
            : "UDP [::] bind receives no IPv4 when 0.0.0.0 is not granted");

    /* The explicit IPv4 wildcard is only as granted as the rules say. */
    int b4 = socket(AF_INET, SOCK_STREAM, 0);
    CHECK(setsockopt(b4, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0);
    if (both)
        CHECK(bind(b4, SA(any4), sizeof any4) == -1 && errno == EADDRINUSE);
    else
        CHECK_ERR(bind(b4, SA(any4), sizeof any4), ENOTCAPABLE);
    close(b4);
    close(l);
    ok("bind 0.0.0.0 follows the IPv4 rules");
    return finish("hostile");
}

/* Host failure 5: denied datagrams must not restart the receive timeout. */
static int denied_peer_timeout(int port) {
    struct sockaddr_in at = v4("127.0.0.1", port);
    int u = socket(AF_INET, SOCK_DGRAM, 0);
    REQUIRE(u >= 0);
    REQUIRE(bind(u, SA(at), sizeof at) == 0);
    struct timeval tv = {.tv_sec = 1, .tv_usec = 0};
    CHECK(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    printf("listening on %d\n", port);
    fflush(stdout);
    char buf[64];
    double t0 = now_s();
    CHECK_ERR(recv(u, buf, sizeof buf, 0), EAGAIN);
    double took = now_s() - t0;
    CHECK(took >= 0.9 && took < 2.5);
    ok("a 1 s receive timeout holds while denied peers send");
    /* The test's admitted sender then gets through. */
    printf("admitted now\n");
    fflush(stdout);
    tv.tv_sec = 10;
    CHECK(setsockopt(u, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    ssize_t n = recv(u, buf, sizeof buf, 0);
    CHECK(n == 8 && memcmp(buf, "admitted", 8) == 0);
    ok("an admitted peer's datagram arrives");
    close(u);
    return finish("hostile");
}

static int client_from(const char *src, struct sockaddr_in to) {
    struct sockaddr_in from = v4(src, 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(c >= 0);
    REQUIRE(bind(c, SA(from), sizeof from) == 0);
    REQUIRE(fcntl(c, F_SETFL, O_NONBLOCK) == 0);
    int r = connect(c, SA(to), sizeof to);
    CHECK(r == 0 || errno == EINPROGRESS);
    return c;
}

/* Host failure 6: a denied connection must not make the listener readable. */
static int denied_peer_queue(int port) {
    struct sockaddr_in at = v4("127.0.0.1", port);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(l >= 0);
    REQUIRE(bind(l, SA(at), sizeof at) == 0);
    REQUIRE(listen(l, 16) == 0);

    int denied = client_from("127.0.0.3", at);
    struct pollfd p = {.fd = l, .events = POLLIN};
    CHECK_INT(poll(&p, 1, 400), 0);
    ok("a denied peer does not make the listener readable");

    int admitted = client_from("127.0.0.2", at);
    p.revents = 0;
    CHECK_INT(poll(&p, 1, 5000), 1);
    struct sockaddr_in peer;
    socklen_t plen = sizeof peer;
    int s = accept(l, SA(peer), &plen);
    CHECK(s >= 0);
    char ip[32];
    inet_ntop(AF_INET, &peer.sin_addr, ip, sizeof ip);
    CHECK(strcmp(ip, "127.0.0.2") == 0);
    ok("the admitted peer is accepted next");
    close(s);
    close(admitted);
    close(denied);
    close(l);
    return finish("hostile");
}

/* Host failure 3: a cap on sockets that answers EMFILE and loses nothing. */
static int socket_cap(int cap, int port) {
    struct sockaddr_in at = v4("127.0.0.1", port);
    int l = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(l >= 0);
    REQUIRE(bind(l, SA(at), sizeof at) == 0);
    REQUIRE(listen(l, 16) == 0);
    int c = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(connect(c, SA(at), sizeof at) == 0);
    int fds[4096], n = 2;
    for (;;) {
        int fd = socket(AF_INET, SOCK_DGRAM, 0);
        if (fd < 0)
            break;
        REQUIRE(n - 2 < 4096);
        fds[n++ - 2] = fd;
    }
    CHECK(errno == EMFILE);
    CHECK_INT(n, cap);
    ok("socket() past --max-sockets is EMFILE");
    CHECK_ERR(accept(l, NULL, NULL), EMFILE);
    CHECK(close(fds[0]) == 0);
    struct sockaddr_in peer, mine;
    socklen_t plen = sizeof peer, mlen = sizeof mine;
    int s = accept(l, SA(peer), &plen);
    CHECK(s >= 0);
    CHECK(getsockname(c, SA(mine), &mlen) == 0);
    CHECK(peer.sin_port == mine.sin_port);
    ok("accept at the cap is EMFILE and the connection waits for room");
    return finish("hostile");
}

/* Host failure 3: the host's fds run out before the guest's first delegated call. */
static int exhaust(void) {
    int n = 0;
    while (socket(AF_INET, SOCK_DGRAM, 0) >= 0)
        n++;
    int e = errno;
    /* The first delegated call (stdout) comes only now. */
    printf("opened %d sockets, then errno %d\n", n, e);
    CHECK(e == EMFILE || e == ENFILE);
    ok("stdio works after the fds ran out");
    return finish("hostile");
}

static int denial_flood(int n) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    for (int i = 0; i < n; i++) {
        struct sockaddr_in to = v4("127.0.0.1", 1 + i % 60000);
        CHECK_ERR(connect(fd, SA(to), sizeof to), ENOTCAPABLE);
    }
    ok("denied connects answered");
    return finish("hostile");
}

static int resolve(const char *name) {
    struct addrinfo *res = NULL;
    int r = getaddrinfo(name, "80", NULL, &res);
    CHECK(r != 0);
    ok("an ungranted name is not resolved");
    return finish("hostile");
}

/* Kept in a volatile so the compiler cannot elide the allocations. */
static void *volatile sink;

static int memory(long bytes) {
    sink = malloc((size_t)bytes);
    CHECK(sink == NULL);
    sink = malloc(1 << 16);
    CHECK(sink != NULL);
    memset(sink, 1, 1 << 16);
    free(sink);
    ok("memory past --max-memory is refused, the guest goes on");
    return finish("hostile");
}

/* Host failure: a long linger on a socket with unsent data must not hold the host at exit. */
static int linger_exit(const char *ip, int port) {
    struct sockaddr_in to = v4(ip, port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    REQUIRE(fd >= 0);
    REQUIRE(connect(fd, SA(to), sizeof to) == 0);
    struct linger l = {.l_onoff = 1, .l_linger = 1000000};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof l) == 0);
    REQUIRE(fcntl(fd, F_SETFL, O_NONBLOCK) == 0);
    static char chunk[65536];
    long sent = 0;
    for (;;) {
        ssize_t n = send(fd, chunk, sizeof chunk, 0);
        if (n < 0)
            break;
        sent += n;
    }
    CHECK(errno == EAGAIN);
    CHECK(sent > 0);
    ok("a full connection with a 1,000,000 s linger is left open at exit");
    return finish("hostile");
}

int main(int argc, char **argv) {
    if (argc >= 3 && strcmp(argv[1], "listen-after-refused") == 0)
        return listen_after_refused(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "dual-stack") == 0)
        return dual_stack(atoi(argv[2]), argc >= 4 && strcmp(argv[3], "both") == 0);
    if (argc >= 3 && strcmp(argv[1], "denied-peer-timeout") == 0)
        return denied_peer_timeout(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "denied-peer-queue") == 0)
        return denied_peer_queue(atoi(argv[2]));
    if (argc >= 4 && strcmp(argv[1], "socket-cap") == 0)
        return socket_cap(atoi(argv[2]), atoi(argv[3]));
    if (argc >= 2 && strcmp(argv[1], "exhaust") == 0)
        return exhaust();
    if (argc >= 3 && strcmp(argv[1], "denial-flood") == 0)
        return denial_flood(atoi(argv[2]));
    if (argc >= 3 && strcmp(argv[1], "resolve") == 0)
        return resolve(argv[2]);
    if (argc >= 4 && strcmp(argv[1], "linger-exit") == 0)
        return linger_exit(argv[2], atoi(argv[3]));
    if (argc >= 3 && strcmp(argv[1], "memory") == 0)
        return memory(atol(argv[2]));
    fprintf(stderr, "usage: hostile MODE ARGS (see the source)\n");
    return 2;
}
