/*
 * SO_RCVTIMEO expiry: a blocking receive gives up with EAGAIN after the
 * timeout, on a UDP socket and on a TCP connection whose peer stays silent.
 *
 * usage: rcvtimeo UDP_BIND_ADDR SILENT_TCP_ADDR
 */
#include <sys/time.h>

#include "testutil.h"

static void expect_timeout(int fd, const char *what) {
    struct timeval tv = {0, 300000};
    CHECK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) == 0);
    char buf[16];
    double t0 = now_ms();
    CHECK_ERR(recv(fd, buf, sizeof buf, 0), EAGAIN);
    double waited = now_ms() - t0;
    if (!CHECK(waited >= 250 && waited < 5000))
        fprintf(stderr, "  %s waited %.0f ms\n", what, waited);
    /* read() times out the same way. */
    t0 = now_ms();
    CHECK_ERR(read(fd, buf, sizeof buf), EAGAIN);
    CHECK(now_ms() - t0 >= 250);
    printf("ok: SO_RCVTIMEO expired on %s after %.0f ms\n", what, waited);
    fflush(stdout);
}

int main(int argc, char **argv) {
    REQUIRE(argc == 3);
    struct sockaddr_storage ua, ta;
    socklen_t ulen = parse_addr(argv[1], &ua), tlen = parse_addr(argv[2], &ta);
    REQUIRE(ulen > 0 && tlen > 0);

    int u = socket(ua.ss_family, SOCK_DGRAM, 0);
    REQUIRE(u >= 0 && bind(u, (struct sockaddr *)&ua, ulen) == 0);
    expect_timeout(u, "UDP");
    /* recvfrom too. */
    struct sockaddr_storage from;
    socklen_t flen = sizeof from;
    char buf[8];
    CHECK_ERR(recvfrom(u, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen), EAGAIN);
    CHECK(close(u) == 0);

    int t = socket(ta.ss_family, SOCK_STREAM, 0);
    REQUIRE(t >= 0 && connect(t, (struct sockaddr *)&ta, tlen) == 0);
    expect_timeout(t, "TCP");
    CHECK(close(t) == 0);
    return finish("rcvtimeo");
}
